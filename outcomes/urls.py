from django.urls import path

from .views import export, measures

app_name = "outcomes"

urlpatterns = [
    path("families/<int:pk>/", measures.family, name="family"),
    path("families/<int:pk>/record/<slug:code>/", measures.record, name="record"),
    path("measures/<int:pk>/", measures.measure_detail, name="measure"),
    path("measures/<int:pk>/correct/", measures.correct, name="correct"),
    path("evaluation-export/", export.evaluation_export, name="evaluation_export"),
]
