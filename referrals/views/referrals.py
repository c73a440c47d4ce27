"""Referral pages: record, open, correct, record a birth, search. Thin: load what the user may see (or 404), check
the action's permission (or 403), validate the form, call one action, redirect (`web.pages`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.audit import hash_term, log_access, log_list
from accounts.models import AccessAction, Service
from accounts.permissions import Perm, require_permission, services_with
from referrals.rules import duplicates_shown_to, referral_user_can
from web import submissions
from web.pages import add_errors, form_action_page, landed_on

from .. import actions
from ..forms import (
    BirthForm,
    ReferralForm,
    SearchForm,
)
from ..models import Referral, search_values
from ..reads.events import timeline_of
from ..reads.questions import service_questions
from ..reads.search import search_page
from ..record import record_sections
from ..states import allowed_transitions
from . import REFERRAL_ERROR_ALIASES, load_referral

QUEUE_PAGE_SIZE = 25


def _service_for_new_referral(request: HttpRequest) -> Service | None:
    service_ids = services_with(request.user, Perm.REFERRAL_CREATE)
    services = Service.objects.filter(pk__in=service_ids, is_active=True)
    slug = request.GET.get("service") or request.POST.get("service")
    if slug:
        return get_object_or_404(services, slug=slug)
    return services.first() if len(service_ids) == 1 else None


DUPLICATE_CHECK = (
    "This family may already have an open referral in this service. Check the referrals shown, then tick the box "
    "to save anyway"
)


def _with_duplicate_check(request: HttpRequest, context: dict, act):
    """Run an action that may find a possible duplicate: the duplicates go on the page and the form says, at the
    top, to check them; ticking `confirm_not_duplicate` saves it anyway. (`_duplicates_shown` logs them, once the
    action's transaction has been rolled back.)"""
    try:
        return act(request.POST.get("confirm_not_duplicate") == "yes")
    except actions.DuplicateSuspected as suspected:
        context["duplicates"], context["hidden_duplicates"] = duplicates_shown_to(request.user, suspected.referrals)
        raise ValidationError(DUPLICATE_CHECK) from None


def _log_possible_duplicates(request: HttpRequest, duplicates: list, hidden: int = 0) -> None:
    """Which other families' referrals a page showed as possible duplicates (a look at their records), and how
    many more it only counted, logged."""
    log_list(
        request=request,
        object_type="referrals.referral",
        ids=[r.pk for r in duplicates],
        detail={"list": "possible_duplicates", **({"not_shown": hidden} if hidden else {})},
    )


def _duplicates_shown(request: HttpRequest, context: dict, response: HttpResponse) -> HttpResponse:
    """Log the possible duplicates a correction or birth page showed, outside the refused action's transaction
    (so the row stays)."""
    if context["duplicates"] or context.get("hidden_duplicates"):
        _log_possible_duplicates(request, context["duplicates"], context.get("hidden_duplicates", 0))
    return response


@require_permission(Perm.REFERRAL_CREATE)
def new_referral(request: HttpRequest) -> HttpResponse:
    """Record a referral. A possible duplicate in the same service is shown before saving."""
    service = _service_for_new_referral(request)
    if service is None:
        services = Service.objects.filter(pk__in=services_with(request.user, Perm.REFERRAL_CREATE))
        return render(request, "referrals/choose_service.html", {"services": services})
    form = ReferralForm(request.POST or None, service=service)
    submissions.add_token_field(form, request)
    duplicates, hidden = [], 0
    if request.method == "POST" and form.is_valid():
        submissions.take_token(form)
        try:
            referral, url = submissions.save_form_once(
                request,
                lambda: actions.create_referral(
                    service=service,
                    data=form.referral_data(),
                    parents=form.parents(),
                    other_children=form.other_children(),
                    by=request.user,
                    confirmed_not_duplicate=request.POST.get("confirm_not_duplicate") == "yes",
                    request=request,
                ),
                lambda referral: reverse("referrals:detail", kwargs={"pk": referral.pk}),
            )
        except submissions.AlreadySaved as saved:
            return landed_on(request, saved.first)
        except submissions.TokenRefused as refused:
            form.add_error(None, str(refused))
            submissions.renew_token(form, request)
        except ValidationError as error:
            add_errors(form, error, REFERRAL_ERROR_ALIASES)
        except actions.DuplicateSuspected as suspected:
            duplicates, hidden = duplicates_shown_to(request.user, suspected.referrals)
            _log_possible_duplicates(request, duplicates, hidden)
        else:
            messages.success(request, saved_message(f"Referral {referral.reference} recorded.", form, referral))
            return redirect(url)
    context = {"form": form, "service": service, "duplicates": duplicates, "hidden_duplicates": hidden}
    return render(request, "referrals/referral_form.html", context, status=400 if form.errors else 200)


def saved_message(saved: str, form: ReferralForm, referral: Referral) -> str:
    """The confirmation, saying plainly what the service's criteria still lack, so a gap is seen, not assumed."""
    if referral.eligible is not False:
        return saved
    gaps = [label[:1].lower() + label[1:] for label in form.criteria_gaps()]
    if gaps:
        what = " and ".join([", ".join(gaps[:-1]), gaps[-1]] if len(gaps) > 1 else gaps)
        return (
            f"{saved} It does not yet meet this service's criteria: {what} {'are' if len(gaps) > 1 else 'is'} missing."
        )
    reasons = "; ".join(r["message"] for r in referral.eligibility_reasons if not r.get("passed"))
    return f"{saved} It does not meet this service's criteria: {reasons}."


def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole record, its eligibility, decisions and a timeline of every change. Each look is logged."""
    referral = load_referral(request, pk)
    show_address = request.GET.get("show_address") == "1" or not referral.confidential_address
    log_access(
        action=AccessAction.VIEW,
        request=request,
        obj=referral,
        detail={"confidential_address_shown": True} if referral.confidential_address and show_address else {},
    )
    context = {
        "referral": referral,
        "parents": referral.parents.all(),
        "events": timeline_of(referral),
        "show_address": show_address,
        **{f"can_{name}": allowed for name, allowed in referral_user_can(request.user, referral).items()},
        "transitions": allowed_transitions(referral.status),
        "record_sections": record_sections(request, referral),
        "questions": service_questions(referral.service_id),
    }
    return render(request, "referrals/referral_detail.html", context)


def edit_referral(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct or complete a referral; one awaiting information goes back to the queue. A corrected NHS number, or
    parent's name and date of birth, is checked for duplicates as a new referral's are."""
    referral = load_referral(request, pk, Perm.REFERRAL_UPDATE)
    form = ReferralForm(request.POST or None, service=referral.service, referral=referral)
    context = {"service": referral.service, "referral": referral, "duplicates": []}

    def perform(data):
        updated = _with_duplicate_check(
            request,
            context,
            lambda confirmed: actions.update_referral(
                referral=referral,
                data=form.referral_data(),
                parents=form.parents(),
                other_children=form.other_children(),
                by=request.user,
                confirmed_not_duplicate=confirmed,
                request=request,
            ),
        )
        messages.success(request, saved_message("Referral updated.", form, updated))

    response = form_action_page(
        request,
        form=form,
        template="referrals/referral_form.html",
        context=context,
        perform=perform,
        success_message="",  # perform() says whether the criteria are met
        success_url=reverse("referrals:detail", kwargs={"pk": referral.pk}),
        error_aliases=REFERRAL_ERROR_ALIASES,
    )
    return _duplicates_shown(request, context, response)


def record_birth(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an unborn baby's birth without re-entering the referral; the baby's NHS number is checked for a
    duplicate referral (the same baby referred again after the birth)."""
    referral = load_referral(request, pk, Perm.REFERRAL_UPDATE)
    context = {"referral": referral, "duplicates": []}
    response = form_action_page(
        request,
        form=BirthForm(request.POST or None),
        template="referrals/record_birth.html",
        context=context,
        perform=lambda data: _with_duplicate_check(
            request,
            context,
            lambda confirmed: actions.record_birth(
                referral=referral, by=request.user, request=request, confirmed_not_duplicate=confirmed, **data
            ),
        ),
        success_message="Birth recorded.",
        success_url=reverse("referrals:detail", kwargs={"pk": referral.pk}),
        error_aliases=REFERRAL_ERROR_ALIASES,
    )
    return _duplicates_shown(request, context, response)


@require_permission(Perm.REFERRAL_SEARCH)
def search(request: HttpRequest) -> HttpResponse:
    """Find a family within what the user may see. The search (hashed) and the ids shown are logged."""
    form = SearchForm(request.GET or None)
    results = None
    if request.GET and form.is_valid():
        terms = {k: v for k, v in form.cleaned_data.items() if v}
        values = search_values(**terms)
        # The newest 50 matches by id from the indexes, then only their rows read in full (ADR 0024): a common
        # surname matching thousands of families must not read thousands of wide rows to sort them. Compiled once
        # per shape of the search (ADR 0032).
        results = (
            []
            if values is None
            else search_page(request.user, values, services_with(request.user, Perm.REFERRAL_SEARCH), 50)
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
