"""Triage pages: the queue, and the decisions a coordinator makes on one referral."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.audit import log_list
from accounts.choices import services_named, sites_of, sources_of
from accounts.permissions import Perm, require_permission, services_with
from web.listing import list_page

from .. import actions
from ..forms import InformationReceivedForm, ReasonForm, TriageForm, TriageQueueFilterForm
from ..reads.lists import TRIAGE_FILTERS, TRIAGE_ORDER, triage_count, triage_first_page, triage_queue_rows
from . import referral_action_view

QUEUE_PAGE_SIZE = 25


def triage(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept, decline or request more information, each with the reason it needs."""
    return referral_action_view(
        request,
        pk,
        perm=Perm.REFERRAL_TRIAGE,
        form_class=TriageForm,
        template="referrals/triage.html",
        action=actions.triage_referral,
        success_message="Triage decision recorded.",
    )


def information_received(request: HttpRequest, pk: int) -> HttpResponse:
    """The missing information arrived by other means: back to the triage queue."""
    return referral_action_view(
        request,
        pk,
        perm=Perm.REFERRAL_TRIAGE,
        form_class=InformationReceivedForm,
        template="referrals/information_received.html",
        action=actions.record_information_received,
        success_message="The referral is back in the triage queue.",
    )


def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Close an open referral the family or referrer withdrew, with the reason."""
    return referral_action_view(
        request,
        pk,
        perm=Perm.REFERRAL_WITHDRAW,
        form_class=ReasonForm,
        template="referrals/withdraw.html",
        action=actions.withdraw_referral,
        success_message="Referral withdrawn.",
    )


@require_permission(Perm.TRIAGE_QUEUE_VIEW)
def triage_queue(request: HttpRequest) -> HttpResponse:
    """Received and awaiting-information referrals the coordinator covers, oldest first."""
    service_ids = sorted(services_with(request.user, Perm.TRIAGE_QUEUE_VIEW))
    services = services_named(service_ids)
    filters = TriageQueueFilterForm(
        request.GET or None, services=services, sites=sites_of(service_ids), sources=sources_of(service_ids)
    )
    chosen = {}  # the valid filters chosen, as ids; none where the form is not valid
    if filters.is_valid():
        chosen = {name: value.pk for name in TRIAGE_FILTERS if (value := filters.cleaned_data.get(name))}
    # Read through the partial index of open triage work in this order (ADR 0024): a capped count, then a page;
    # the first page and the count with SQL compiled once per shape of the coordinator's access and filters (ADR
    # 0032), so the queue's queryset is built only for a later page.
    page = list_page(
        request,
        lambda: triage_queue_rows(request.user, chosen),
        QUEUE_PAGE_SIZE,
        order=TRIAGE_ORDER,
        first_page=lambda size: triage_first_page(request.user, chosen, size),
        count=lambda limit: triage_count(request.user, chosen, limit),
    )
    log_list(request=request, object_type="referrals.referral", ids=[r.pk for r in page], detail={"list": "triage"})
    query = request.GET.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    return render(
        request,
        "referrals/triage_queue.html",
        {
            "page_obj": page,
            "filters": filters,
            "query_string": query.urlencode(),
            "many_services": len(services) > 1,
            "today": timezone.localdate(),
        },
    )
