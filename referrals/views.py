"""Referral pages. Thin: load what the user may see (or 404), check the action's permission (or 403), validate the
form, call one action, redirect."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.audit import get_visible_or_404, hash_term, log_access, log_list
from accounts.models import AccessAction, ReferralSource, Service, Site
from vig_service.permissions import Perm, check_permission, has_permission, require_permission, services_with

from . import actions
from .forms import (
    BirthForm,
    InformationReceivedForm,
    ReasonForm,
    ReferralForm,
    SearchForm,
    TriageForm,
    TriageQueueFilterForm,
)
from .models import Referral, ReferralEvent
from .states import TransitionRefused, allowed_transitions

QUEUE_PAGE_SIZE = 25


def visible_referral(request: HttpRequest, pk: int, perm: Perm | None = None) -> Referral:
    """The referral if the user may see it (404 otherwise: its existence is not revealed), then `perm` or 403."""
    referral = get_visible_or_404(
        Referral.objects.visible_to(request.user)
        .select_related("service", "site", "referral_source", "created_by")
        .prefetch_related("parents", "other_children", "allocations__practitioner"),
        request=request,
        pk=pk,
    )
    if perm is not None:
        check_permission(request.user, perm, obj=referral)
    return referral


def _add_errors(form, error: ValidationError) -> None:
    """Put an action's ValidationError next to the right field (or at the top if the field is not on the form)."""
    for field, messages_ in error.message_dict.items():
        target = {"parent_nhs_number": "parent1_nhs_number", "parent_date_of_birth": "parent1_date_of_birth"}.get(
            field, field
        )
        for message in messages_:
            form.add_error(target if target in form.fields else None, message)


def _service_for_new_referral(request: HttpRequest) -> Service | None:
    service_ids = services_with(request.user, Perm.REFERRAL_CREATE)
    services = Service.objects.filter(pk__in=service_ids, is_active=True)
    slug = request.GET.get("service") or request.POST.get("service")
    if slug:
        return get_object_or_404(services, slug=slug)
    return services.first() if len(service_ids) == 1 else None


@require_permission(Perm.REFERRAL_CREATE)
def new_referral(request: HttpRequest) -> HttpResponse:
    """Record a referral. A possible duplicate in the same service is shown before saving."""
    service = _service_for_new_referral(request)
    if service is None:
        services = Service.objects.filter(pk__in=services_with(request.user, Perm.REFERRAL_CREATE))
        return render(request, "referrals/choose_service.html", {"services": services})
    form = ReferralForm(request.POST or None, service=service)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        try:
            referral = actions.create_referral(
                service=service,
                data=form.referral_data(),
                parents=form.parents(),
                other_children=form.other_children(),
                by=request.user,
                confirmed_not_duplicate=request.POST.get("confirm_not_duplicate") == "yes",
                request=request,
            )
        except ValidationError as error:
            _add_errors(form, error)
        except actions.DuplicateSuspected as suspected:
            duplicates = suspected.referrals
            log_list(
                request=request,
                object_type="referrals.referral",
                ids=[r.pk for r in duplicates],
                detail={"list": "possible_duplicates"},
            )
        else:
            messages.success(request, f"Referral {referral.reference} recorded.")
            return redirect("referrals:detail", pk=referral.pk)
    context = {"form": form, "service": service, "duplicates": duplicates}
    return render(request, "referrals/referral_form.html", context, status=400 if form.errors else 200)


def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole record, its eligibility, decisions and a timeline of every change. Each look is logged."""
    referral = visible_referral(request, pk)
    show_address = request.GET.get("show_address") == "1" or not referral.confidential_address
    log_access(
        action=AccessAction.VIEW,
        request=request,
        obj=referral,
        detail={"confidential_address_shown": True} if referral.confidential_address and show_address else {},
    )
    events = ReferralEvent.objects.filter(referral=referral).select_related("actor")
    decisions = referral.triage_decisions.select_related("decided_by")
    user = request.user
    context = {
        "referral": referral,
        "parents": referral.parents.all(),
        "events": events,
        "decisions": decisions,
        "show_address": show_address,
        "can_triage": has_permission(user, Perm.REFERRAL_TRIAGE, obj=referral),
        "can_update": has_permission(user, Perm.REFERRAL_UPDATE, obj=referral) and referral.is_open,
        "can_withdraw": has_permission(user, Perm.REFERRAL_WITHDRAW, obj=referral),
        "can_allocate": has_permission(user, Perm.REFERRAL_ALLOCATE, obj=referral),
        "transitions": allowed_transitions(referral.status),
    }
    return render(request, "referrals/referral_detail.html", context)


def edit_referral(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct or complete a referral; one awaiting information goes back to the queue."""
    referral = visible_referral(request, pk, Perm.REFERRAL_UPDATE)
    form = ReferralForm(request.POST or None, service=referral.service, referral=referral)
    return form_action_page(
        request,
        form=form,
        template="referrals/referral_form.html",
        context={"service": referral.service, "referral": referral, "duplicates": []},
        perform=lambda data: actions.update_referral(
            referral=referral,
            data=form.referral_data(),
            parents=form.parents(),
            other_children=form.other_children(),
            by=request.user,
            request=request,
        ),
        success_message="Referral updated.",
        success_url=reverse("referrals:detail", kwargs={"pk": referral.pk}),
    )


def form_action_page(request, *, form, template: str, context: dict, perform, success_message: str, success_url):
    """The shape every write page shares: validate, call one action, put refusals beside the form.

    A ValidationError goes next to its field (400); a refused state change goes to the top (409).
    """
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            perform(form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
            status = 409
        else:
            if success_message:
                messages.success(request, success_message)
            return redirect(success_url)
    if form.errors and status == 200:
        status = 400
    return render(request, template, {**context, "form": form}, status=status)


def _decision_page(request, referral, form, template, perform, success_message) -> HttpResponse:
    return form_action_page(
        request,
        form=form,
        template=template,
        context={"referral": referral},
        perform=perform,
        success_message=success_message,
        success_url=reverse("referrals:detail", kwargs={"pk": referral.pk}),
    )


def triage(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept, decline or request more information, each with the reason it needs."""
    referral = visible_referral(request, pk, Perm.REFERRAL_TRIAGE)
    return _decision_page(
        request,
        referral,
        TriageForm(request.POST or None),
        "referrals/triage.html",
        lambda data: actions.triage_referral(referral=referral, by=request.user, request=request, **data),
        "Triage decision recorded.",
    )


def information_received(request: HttpRequest, pk: int) -> HttpResponse:
    """The missing information arrived by other means: back to the triage queue."""
    referral = visible_referral(request, pk, Perm.REFERRAL_TRIAGE)
    return _decision_page(
        request,
        referral,
        InformationReceivedForm(request.POST or None),
        "referrals/information_received.html",
        lambda data: actions.record_information_received(
            referral=referral, note=data["note"], by=request.user, request=request
        ),
        "The referral is back in the triage queue.",
    )


def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Close an open referral the family or referrer withdrew, with the reason."""
    referral = visible_referral(request, pk, Perm.REFERRAL_WITHDRAW)
    return _decision_page(
        request,
        referral,
        ReasonForm(request.POST or None),
        "referrals/withdraw.html",
        lambda data: actions.withdraw_referral(
            referral=referral, reason=data["reason"], by=request.user, request=request
        ),
        "Referral withdrawn.",
    )


def record_birth(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an unborn baby's birth without re-entering the referral."""
    referral = visible_referral(request, pk, Perm.REFERRAL_UPDATE)
    return _decision_page(
        request,
        referral,
        BirthForm(request.POST or None),
        "referrals/record_birth.html",
        lambda data: actions.record_birth(referral=referral, by=request.user, request=request, **data),
        "Birth recorded.",
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


@require_permission(Perm.REFERRAL_SEARCH)
def search(request: HttpRequest) -> HttpResponse:
    """Find a family within what the user may see. The search (hashed) and the ids shown are logged."""
    form = SearchForm(request.GET or None)
    results = None
    if request.GET and form.is_valid():
        terms = {k: v for k, v in form.cleaned_data.items() if v}
        results = list(
            Referral.objects.visible_to(request.user, Perm.REFERRAL_SEARCH)
            .search(**terms)
            .with_list_details()
            .prefetch_related(Prefetch("parents"))
            .order_by("-date_received", "-pk")[:50]
        )
        log_list(
            request=request,
            object_type="referrals.referral",
            ids=[r.pk for r in results],
            action=AccessAction.SEARCH,
            detail={"fields": sorted(terms), "terms_hashed": {k: hash_term(str(v)) for k, v in terms.items()}},
        )
    status = 400 if request.GET and form.errors else 200
    return render(request, "referrals/search.html", {"form": form, "results": results}, status=status)
