"""Cycles API routes, included under /api/v1/ in the "api" namespace."""

from django.urls import path  # noqa: F401

from .api import visits

urlpatterns: list = []

urlpatterns += [
    path("referrals/<int:pk>/visits/", visits.ReferralVisitsView.as_view(), name="visit-list"),
    path("visits/<int:pk>/", visits.VisitDetailView.as_view(), name="visit-detail"),
    path("visits/<int:pk>/record/", visits.VisitRecordView.as_view(), name="visit-record"),
    path("visits/<int:pk>/reschedule/", visits.VisitRescheduleView.as_view(), name="visit-reschedule"),
    path("diary/", visits.DiaryView.as_view(), name="diary"),
    path("referrals/<int:pk>/liaisons/", visits.ReferralLiaisonsView.as_view(), name="liaison-list"),
]
