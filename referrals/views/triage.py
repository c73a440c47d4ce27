"""Triage pages: the queue, and the decisions a coordinator makes on one referral."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.audit import log_list
from accounts.models import ReferralSource, Site
from vig_service.permissions import Perm, require_permission, services_with

from .. import actions
from ..forms import InformationReceivedForm, ReasonForm, TriageForm, TriageQueueFilterForm
from ..models import Referral
from . import load_referral, referral_action_page

QUEUE_PAGE_SIZE = 25


def triage(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept, decline or request more information, each with the reason it needs."""
    referral = load_referral(request, pk, Perm.REFERRAL_TRIAGE)
    return referral_action_page(
        request,
        referral,
        form=TriageForm(request.POST or None),
        template="referrals/triage.html",
        perform=lambda data: actions.triage_referral(referral=referral, by=request.user, request=request, **data),
        success_message="Triage decision recorded.",
    )


def information_received(request: HttpRequest, pk: int) -> HttpResponse:
    """The missing information arrived by other means: back to the triage queue."""
    referral = load_referral(request, pk, Perm.REFERRAL_TRIAGE)
    return referral_action_page(
        request,
        referral,
        form=InformationReceivedForm(request.POST or None),
        template="referrals/information_received.html",
        perform=lambda data: actions.record_information_received(
            referral=referral, note=data["note"], by=request.user, request=request
        ),
        success_message="The referral is back in the triage queue.",
    )


def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Close an open referral the family or referrer withdrew, with the reason."""
    referral = load_referral(request, pk, Perm.REFERRAL_WITHDRAW)
    return referral_action_page(
        request,
        referral,
        form=ReasonForm(request.POST or None),
        template="referrals/withdraw.html",
        perform=lambda data: actions.withdraw_referral(
            referral=referral, reason=data["reason"], by=request.user, request=request
        ),
        success_message="Referral withdrawn.",
    )


@require_permission(Perm.TRIAGE_QUEUE_VIEW)
def triage_queue(request: HttpRequest) -> HttpResponse:
    """Received and awaiting-information referrals the coordinator covers, oldest first."""
    service_ids = services_with(request.user, Perm.TRIAGE_QUEUE_VIEW)
    filters = TriageQueueFilterForm(
        request.GET or None,
        sites=Site.objects.filter(service_id__in=service_ids).select_related("service"),
        sources=ReferralSource.objects.filter(service_id__in=service_ids).select_related("service"),
    )
    queue = Referral.objects.visible_to(request.user, Perm.TRIAGE_QUEUE_VIEW).awaiting_triage().with_list_details()
    if filters.is_valid():
        if filters.cleaned_data["site"]:
            queue = queue.filter(site=filters.cleaned_data["site"])
        if filters.cleaned_data["source"]:
            queue = queue.filter(referral_source=filters.cleaned_data["source"])
    page = Paginator(queue.order_by("date_received", "pk"), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    log_list(request=request, object_type="referrals.referral", ids=[r.pk for r in page], detail={"list": "triage"})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "referrals/triage_queue.html",
        {"page_obj": page, "filters": filters, "query_string": query.urlencode()},
    )
