from django.urls import path  # noqa: F401

from .views import visits

app_name = "cycles"

urlpatterns: list = []

urlpatterns += [
    path("diary/", visits.diary_page, name="diary"),
    path("referrals/<int:pk>/visits/book/", visits.book, name="visit_book"),
    path("referrals/<int:pk>/liaison/", visits.liaison, name="liaison_record"),
    path("visits/<int:pk>/", visits.detail, name="visit_detail"),
    path("visits/<int:pk>/record/", visits.record, name="visit_record"),
    path("visits/<int:pk>/reschedule/", visits.reschedule, name="visit_reschedule"),
]
