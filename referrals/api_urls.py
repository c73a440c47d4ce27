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

# Allocation and caseloads (referrals/allocation_api.py).
from . import allocation_api  # noqa: E402

urlpatterns += [
    path("referrals/<int:pk>/allocate/", allocation_api.ReferralAllocateView.as_view(), name="referral-allocate"),
    path("referrals/<int:pk>/reallocate/", allocation_api.ReferralReallocateView.as_view(), name="referral-reallocate"),
    path("referrals/<int:pk>/unallocate/", allocation_api.ReferralUnallocateView.as_view(), name="referral-unallocate"),
    path("referrals/<int:pk>/candidates/", allocation_api.ReferralCandidatesView.as_view(), name="referral-candidates"),
    path("practitioners/", allocation_api.PractitionerListView.as_view(), name="practitioner-list"),
    path("caseloads/mine/", allocation_api.CaseloadMineView.as_view(), name="caseload-mine"),
    path("caseloads/<int:membership_id>/", allocation_api.CaseloadDetailView.as_view(), name="caseload-detail"),
]
