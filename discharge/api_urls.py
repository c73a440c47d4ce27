"""Discharge API routes, included under /api/v1/ in the "api" namespace."""

from django.urls import path

from .api import discharge

urlpatterns = [
    path("referrals/<int:pk>/discharge/", discharge.DischargeView.as_view(), name="referral-discharge"),
    path("referrals/<int:pk>/reopen/", discharge.ReopenView.as_view(), name="referral-reopen"),
    path(
        "referrals/<int:pk>/discharge/requested-actions/<int:number>/entered-in-error/",
        discharge.RequestedActionEnteredInErrorView.as_view(),
        name="referral-requested-action-entered-in-error",
    ),
]
