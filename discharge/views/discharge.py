"""Discharge pages: discharge a family, the letters step after it, and reopening a discharged family."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.audit import log_list
from accounts.permissions import Perm, has_permission, may_mark_entered_in_error
from cycles.rules import may_record_casework
from letters.models import Letter
from letters.states import STATUS_COLOURS
from outcomes.rules import may_record_outcome
from referrals.forms import EnteredInErrorForm
from referrals.loading import referral_for_page
from referrals.states import ReferralStatus
from web.pages import form_action_page

from .. import actions
from ..forms import DischargeForm, ReopenForm
from ..models import RequestedAction
from ..reads import current_discharge, helping_questions, missing_end_measures

_family = referral_for_page


def discharge(request: HttpRequest, pk: int) -> HttpResponse:
    """Discharge the family: the record of why and when, the plan for the health visitor, letters agreed."""
    referral = _family(request, pk, Perm.REFERRAL_DISCHARGE)
    if referral.status != ReferralStatus.ALLOCATED:
        # No form for a family that cannot be discharged now (already discharged, or not yet allocated): a second
        # discharge record would be refused only after it was typed.
        context = {"referral": referral, "discharge": current_discharge(referral)}
        return render(request, "discharge/cannot_discharge.html", context, status=409)
    missing = missing_end_measures(referral)
    initial = {"health_visitor": referral.named_health_visitor}
    form = DischargeForm(request.POST or None, initial=initial, missing_measures=missing)
    questions = helping_questions(referral)
    return form_action_page(
        request,
        form=form,
        template="discharge/discharge_form.html",
        context={
            "referral": referral,
            "missing": missing,
            "questions": questions,
            "can_rate": may_record_casework(request.user, referral),
            "can_record_measures": may_record_outcome(request.user, referral),
        },
        perform=lambda data: actions.discharge_family(
            referral=referral, by=request.user, request=request, **form.action_data()
        ),
        success_message="Family discharged. Check and approve their letters.",
        success_url=reverse("discharge:letters", kwargs={"pk": referral.pk}),
    )


def discharge_letters(request: HttpRequest, pk: int) -> HttpResponse:
    """The letters step after discharge: each current letter with links to edit, preview and approve."""
    referral = _family(request, pk, Perm.REFERRAL_VIEW)
    letters = list(Letter.objects.current().filter(referral=referral).order_by("kind"))
    for letter in letters:
        letter.colour = STATUS_COLOURS[letter.status]
    log_list(request=request, object_type="letters.letter", ids=[letter.pk for letter in letters])
    return render(
        request,
        "discharge/discharge_letters.html",
        {
            "referral": referral,
            "discharge": current_discharge(referral),
            "letters": letters,
            "can_write": has_permission(request.user, Perm.LETTER_WRITE, obj=referral),
        },
    )


def mark_requested_action(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Mark one of the current discharge's requested actions entered in error, with the reason."""
    referral = _family(request, pk, Perm.REFERRAL_VIEW)
    current = current_discharge(referral)
    if current is None or not 1 <= number <= len(current.requested_actions):
        raise Http404
    current.referral = referral
    record = RequestedAction(current, number)
    if not may_mark_entered_in_error(request.user, record, family=referral):
        raise PermissionDenied
    back = reverse("referrals:detail", kwargs={"pk": referral.pk})
    return form_action_page(
        request,
        form=EnteredInErrorForm(request.POST or None),
        template="referrals/entered_in_error.html",
        context={"record": record, "family": referral, "back": back},
        perform=lambda data: actions.mark_requested_action_entered_in_error(
            discharge=current, number=number, by=request.user, request=request, **data
        ),
        success_message="The requested action is marked entered in error.",
        success_url=back,
    )


def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator reopens a discharged family, with the reason."""
    referral = _family(request, pk, Perm.REFERRAL_REOPEN)
    return form_action_page(
        request,
        form=ReopenForm(request.POST or None),
        template="discharge/reopen_form.html",
        context={"referral": referral, "discharge": current_discharge(referral)},
        perform=lambda data: actions.reopen_family(referral=referral, by=request.user, request=request, **data),
        success_message="Referral reopened.",
        success_url=reverse("referrals:detail", kwargs={"pk": referral.pk}),
    )
