from django.urls import path

from .views import footage, supervision

app_name = "cycles"

urlpatterns: list = [
    path("training/", supervision.my_training, name="my_training"),
    path("trainees/<int:membership_id>/", supervision.trainee_progress_page, name="trainee_progress"),
    path("trainees/<int:membership_id>/stage/", supervision.record_stage, name="record_stage"),
    path("supervision/", supervision.supervision, name="supervision"),
    path("supervision/trainees/<int:membership_id>/", supervision.record_supervision, name="record_supervision"),
    path("filmings/<int:pk>/footage/", footage.footage, name="footage"),
    path("footage/<int:pk>/destroyed/", footage.confirm_destruction, name="confirm_destruction"),
]
