"""Referral API routes, included under /api/v1/ in the "api" namespace (names like "api:referral-detail")."""

from django.urls import path

from .api import allocation, caseloads, entered_in_error, referrals, services, triage

urlpatterns = [
    path("referrals/", referrals.ReferralListView.as_view(), name="referral-list"),
    path("referrals/<int:pk>/", referrals.ReferralDetailView.as_view(), name="referral-detail"),
    path("referrals/<int:pk>/birth/", referrals.ReferralBirthView.as_view(), name="referral-birth"),
    path("referrals/<int:pk>/triage/", triage.ReferralTriageView.as_view(), name="referral-triage"),
    path(
        "referrals/<int:pk>/information-received/",
        triage.ReferralInformationReceivedView.as_view(),
        name="referral-information-received",
    ),
    path("referrals/<int:pk>/withdraw/", triage.ReferralWithdrawView.as_view(), name="referral-withdraw"),
    path("referrals/<int:pk>/allocate/", allocation.ReferralAllocateView.as_view(), name="referral-allocate"),
    path("referrals/<int:pk>/reallocate/", allocation.ReferralReallocateView.as_view(), name="referral-reallocate"),
    path("referrals/<int:pk>/unallocate/", allocation.ReferralUnallocateView.as_view(), name="referral-unallocate"),
    path("referrals/<int:pk>/candidates/", allocation.ReferralCandidatesView.as_view(), name="referral-candidates"),
    path("services/", services.ServiceListView.as_view(), name="service-list"),
    path("services/<slug:slug>/", services.ServiceDetailView.as_view(), name="service-detail"),
    path("practitioners/", caseloads.PractitionerListView.as_view(), name="practitioner-list"),
    path("caseloads/mine/", caseloads.CaseloadMineView.as_view(), name="caseload-mine"),
    path("caseloads/<int:user_id>/", caseloads.CaseloadDetailView.as_view(), name="caseload-detail"),
    path(
        "entered-in-error/<slug:record_type>/<int:id>/",
        entered_in_error.EnteredInErrorView.as_view(),
        name="entered-in-error",
    ),
]
