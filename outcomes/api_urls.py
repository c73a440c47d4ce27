"""Outcomes API routes, included under /api/v1/ in the "api" namespace."""

from django.urls import path

from .api import measures

urlpatterns = [
    path("instruments/", measures.InstrumentListView.as_view(), name="instrument-list"),
    path("instruments/<slug:code>/", measures.InstrumentDetailView.as_view(), name="instrument-detail"),
    path("referrals/<int:pk>/measures/", measures.ReferralMeasureListView.as_view(), name="referral-measure-list"),
    path("referrals/<int:pk>/outcomes/", measures.ReferralOutcomeChangeView.as_view(), name="referral-outcomes"),
    path("measures/<int:pk>/", measures.MeasureDetailView.as_view(), name="measure-detail"),
    path("measures/<int:pk>/correct/", measures.MeasureCorrectView.as_view(), name="measure-correct"),
]
