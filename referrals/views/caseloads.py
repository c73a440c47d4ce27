"""Caseload pages: the service's caseload table, one practitioner's families, and their practitioner details."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_access, log_list
from accounts.models import AccessAction
from accounts.permissions import (
    Perm,
    can_manage_practitioner,
    can_open_practitioner,
    check_permission,
    has_permission,
    require_permission,
    services_with,
)
from referrals.reads.caseloads import (
    caseload_rows,
    practitioner_caseload_allocations,
    practitioner_membership_for,
    practitioners_in,
    services_with_waiting,
)
from web.pages import form_action_page

from .. import actions
from ..forms import PractitionerDetailsForm


@require_permission(Perm.PRACTITIONER_VIEW)
def caseloads(request: HttpRequest) -> HttpResponse:
    """The service's caseload table: practitioner × open families and capacity, and how many wait."""
    service_ids = services_with(request.user, Perm.PRACTITIONER_VIEW)
    services = services_with_waiting(service_ids)
    practitioners = practitioners_in(service_ids)
    for membership in practitioners:  # links only where the person may follow them
        membership.can_open = can_open_practitioner(request.user, membership)
        membership.can_manage = can_manage_practitioner(request.user, membership)
    log_access(
        action=AccessAction.LIST,
        request=request,
        object_type="accounts.membership",
        detail={"list": "caseloads", "ids_shown": [m.pk for m in practitioners]},
    )
    context = {
        "services": services,
        "practitioners": practitioners,
        "today": timezone.localdate(),
        "can_see_waiting_list": has_permission(request.user, Perm.WAITING_LIST_VIEW),
    }
    return render(request, "referrals/caseloads.html", context)


def practitioner_caseload(request: HttpRequest, membership_id: int) -> HttpResponse:
    """One practitioner's open families: for them, their supervisor, and their service's coordinators and managers."""
    membership = practitioner_membership_for(request.user, membership_id)
    rows = caseload_rows(practitioner_caseload_allocations(request.user, membership))
    log_list(
        request=request,
        object_type="referrals.referral",
        ids=[r.referral.pk for r in rows],
        detail={"list": "caseload", "membership": membership.pk},
    )
    return render(request, "referrals/practitioner_caseload.html", {"membership": membership, "rows": rows})


def practitioner_edit(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Capacity, protected days, supervisor and pauses: the facts allocation decisions rest on."""
    membership = practitioner_membership_for(request.user, membership_id, may=can_manage_practitioner)
    check_permission(request.user, Perm.PRACTITIONER_MANAGE, obj=membership)
    details = membership.details_or_none
    initial = {}
    if details is not None:
        initial = {name: getattr(details, name) for name in PractitionerDetailsForm.base_fields}
    form = PractitionerDetailsForm(request.POST or None, initial=initial, membership=membership)
    return form_action_page(
        request,
        form=form,
        template="referrals/practitioner_edit.html",
        context={"membership": membership, "stage_targets": membership.service.training_stage_targets.all()},
        perform=lambda data: actions.change_practitioner_details(
            membership=membership, by=request.user, request=request, **data
        ),
        success_message=f"Details saved for {membership.user}.",
        success_url=reverse("referrals:caseloads"),
    )
