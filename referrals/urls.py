from django.urls import path

from .views import allocation, caseloads, entered_in_error, referrals, triage

app_name = "referrals"

urlpatterns = [
    path("new/", referrals.new_referral, name="new"),
    path("search/", referrals.search, name="search"),
    path("<int:pk>/", referrals.referral_detail, name="detail"),
    path("<int:pk>/edit/", referrals.edit_referral, name="edit"),
    path("<int:pk>/birth/", referrals.record_birth, name="record_birth"),
    path("triage/", triage.triage_queue, name="triage_queue"),
    path("<int:pk>/triage/", triage.triage, name="triage"),
    path("<int:pk>/information-received/", triage.information_received, name="information_received"),
    path("<int:pk>/withdraw/", triage.withdraw, name="withdraw"),
    path("<int:pk>/allocate/", allocation.allocate, name="allocate"),
    path("<int:pk>/unallocate/", allocation.unallocate, name="unallocate"),
    path("waiting-list/", allocation.waiting_list, name="waiting_list"),
    path("caseloads/", caseloads.caseloads, name="caseloads"),
    path("caseloads/<int:membership_id>/", caseloads.practitioner_caseload, name="practitioner_caseload"),
    path("practitioners/<int:membership_id>/edit/", caseloads.practitioner_edit, name="practitioner_edit"),
    path(
        "entered-in-error/<slug:record_type>/<int:pk>/",
        entered_in_error.mark_entered_in_error_page,
        name="entered_in_error",
    ),
]
