"""Discharge API routes, included under /api/v1/ in the "api" namespace."""

from django.urls import path

from .api import discharge

urlpatterns = [
    path("referrals/<int:pk>/discharge/", discharge.DischargeView.as_view(), name="referral-discharge"),
    path("referrals/<int:pk>/reopen/", discharge.ReopenView.as_view(), name="referral-reopen"),
]
