from django.urls import path

from . import allocation_views, views

app_name = "referrals"

urlpatterns = [
    path("new/", views.new_referral, name="new"),
    path("triage/", views.triage_queue, name="triage_queue"),
    path("search/", views.search, name="search"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/edit/", views.edit_referral, name="edit"),
    path("<int:pk>/triage/", views.triage, name="triage"),
    path("<int:pk>/information-received/", views.information_received, name="information_received"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/birth/", views.record_birth, name="record_birth"),
    path("<int:pk>/allocate/", allocation_views.allocate, name="allocate"),
    path("<int:pk>/unallocate/", allocation_views.unallocate, name="unallocate"),
    path("waiting-list/", allocation_views.waiting_list, name="waiting_list"),
    path("caseloads/", allocation_views.caseloads, name="caseloads"),
    path("caseloads/<int:membership_id>/", allocation_views.practitioner_caseload, name="practitioner_caseload"),
    path("practitioners/<int:membership_id>/edit/", allocation_views.practitioner_edit, name="practitioner_edit"),
]
