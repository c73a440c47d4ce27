"""Cycles API routes, included under /api/v1/ in the "api" namespace."""

from django.urls import path

from .api import footage, supervision

urlpatterns: list = [
    path("supervision-sessions/", supervision.SupervisionSessionListView.as_view(), name="supervision-session-list"),
    path("trainees/<int:membership_id>/progress/", supervision.TraineeProgressView.as_view(), name="trainee-progress"),
    path("trainees/<int:membership_id>/stages/", supervision.TraineeStageView.as_view(), name="trainee-stages"),
    path("filmings/<int:pk>/footage/", footage.FilmingFootageView.as_view(), name="filming-footage"),
    path(
        "footage/<int:pk>/confirm-destruction/",
        footage.FootageDestructionView.as_view(),
        name="footage-confirm-destruction",
    ),
]
