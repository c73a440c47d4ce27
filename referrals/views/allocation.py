"""Allocation pages: allocate or reallocate a family, unallocate it, and the waiting list."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from accounts.audit import log_list
from accounts.choices import services_named
from accounts.models import User
from accounts.permissions import Perm, has_permission, require_permission, services_with
from referrals.reads.caseloads import ranked_candidates, waiting_rows
from web.listing import list_page
from web.pages import form_action_page

from .. import actions
from ..forms import AllocationForm, ServiceFilterForm, UnallocateForm
from ..models import Referral
from ..states import ReferralStatus
from . import load_referral, referral_action_view

WAITING_PAGE_SIZE = 25


def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose a practitioner, best candidates first; reallocation needs a reason."""
    referral = load_referral(request, pk, Perm.REFERRAL_ALLOCATE)
    candidates = ranked_candidates(referral)
    reallocating = referral.status == ReferralStatus.ALLOCATED
    form = AllocationForm(request.POST or None, candidates=candidates, reallocating=reallocating)

    def perform(data):
        practitioner = get_object_or_404(User, pk=data["practitioner"])
        common = {
            "referral": referral,
            "practitioner": practitioner,
            "by": request.user,
            "request": request,
            "over_capacity_reason": data["over_capacity_reason"],
        }
        if reallocating:
            actions.reallocate_referral(reason=data["reason"], **common)
        else:
            actions.allocate_referral(**common)
        messages.success(request, f"Referral {referral.reference} allocated to {practitioner}.")

    return form_action_page(
        request,
        form=form,
        template="referrals/allocate.html",
        context={"referral": referral, "candidates": candidates, "reallocating": reallocating},
        perform=perform,
        success_message="",  # perform() says who it went to
        success_url=reverse("referrals:detail", kwargs={"pk": referral.pk}),
    )


def unallocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Put an allocated referral back on the waiting list, with a reason kept in its history."""
    return referral_action_view(
        request,
        pk,
        perm=Perm.REFERRAL_ALLOCATE,
        form_class=UnallocateForm,
        template="referrals/unallocate.html",
        action=actions.unallocate_referral,
        success_message="The referral is back on the waiting list.",
    )


@require_permission(Perm.WAITING_LIST_VIEW)
def waiting_list(request: HttpRequest) -> HttpResponse:
    """Accepted referrals waiting for a practitioner, oldest first, with the wait band and target warnings."""
    services = services_named(sorted(services_with(request.user, Perm.WAITING_LIST_VIEW)))
    filters = ServiceFilterForm(request.GET or None, services=services)
    waiting = filters.filter(
        Referral.objects.visible_to(request.user, Perm.WAITING_LIST_VIEW)
        .filter(status=ReferralStatus.ACCEPTED)
        .with_list_details()
        .order_by("date_received", "pk")
    )
    page = list_page(request, waiting, WAITING_PAGE_SIZE, order=("date_received", "pk"))
    rows = waiting_rows(page)
    for row in rows:  # a manager sees the list but may not allocate: no link they cannot follow
        row["can_allocate"] = has_permission(request.user, Perm.REFERRAL_ALLOCATE, obj=row["referral"])
    log_list(request=request, object_type="referrals.referral", ids=[r.pk for r in page], detail={"list": "waiting"})
    context = {"page_obj": page, "rows": rows, "filters": filters, "many_services": len(services) > 1}
    return render(request, "referrals/waiting_list.html", context)
