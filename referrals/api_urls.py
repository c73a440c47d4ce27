"""Referral API routes, included under /api/v1/ in the "api" namespace (names like "api:referral-detail").

A plain list of paths: add further endpoints (allocation, say) as more `path()`s below.
"""

from django.urls import path

from . import api

urlpatterns = [
    path("referrals/", api.ReferralListView.as_view(), name="referral-list"),
    path("referrals/<int:pk>/", api.ReferralDetailView.as_view(), name="referral-detail"),
    path("referrals/<int:pk>/triage/", api.ReferralTriageView.as_view(), name="referral-triage"),
    path(
        "referrals/<int:pk>/information-received/",
        api.ReferralInformationReceivedView.as_view(),
        name="referral-information-received",
    ),
    path("referrals/<int:pk>/withdraw/", api.ReferralWithdrawView.as_view(), name="referral-withdraw"),
    path("referrals/<int:pk>/birth/", api.ReferralBirthView.as_view(), name="referral-birth"),
]
