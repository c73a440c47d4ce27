"""Cycle pages: start a cycle from the family's record, the cycle page (filming, clips, shared review), and the
three forms that record a cycle's work. Each form page loads what the user may see (a logged 404 otherwise),
checks casework.record on the family (a logged 403), validates, calls one action and returns to the cycle page.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction
from accounts.permissions import Perm, check_permission
from cycles.reads.timeline import (
    cycles_of,
    entered_in_error_of_cycle,
    filming_of,
    step_of,
    summary,
    training_consent_lapsed,
    visible_cycles,
    with_work,
)
from cycles.rules import may_record_casework
from referrals.models import Referral
from web.pages import form_action_page, load_visible

from .. import actions
from ..forms.cycles import ClipForm, FilmingForm, SharedReviewForm, StartCycleForm, show_time
from ..models import Cycle
from ..sections import cycle_sections


def _load_cycle(request: HttpRequest, pk: int, perm: Perm, *, people: bool = False) -> Cycle:
    """The cycle if the user may see its family (a logged 404 otherwise), then `perm` on the family (403)."""
    cycle = load_visible(with_work(visible_cycles(request.user), people=people), request, pk)
    check_permission(request.user, perm, obj=cycle.referral)
    return cycle


def _posted(request: HttpRequest):
    """The posted data, even when empty (a form with no required fields must still be bound on POST)."""
    return request.POST if request.method == "POST" else None


def _cycle_url(cycle: Cycle) -> str:
    return reverse("cycles:cycle_detail", kwargs={"pk": cycle.pk})


def start_cycle(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the family's next cycle; past the service's maximum, with a reason."""
    referral = load_visible(
        Referral.objects.visible_to(request.user).with_record_details(), request, pk, Perm.CASEWORK_RECORD
    )
    glance = summary(referral, list(cycles_of(referral)), timezone.localdate())
    return form_action_page(
        request,
        form=StartCycleForm(_posted(request), beyond_maximum=glance["beyond_maximum"]),
        template="cycles/start_cycle.html",
        context={"referral": referral, "glance": glance},
        perform=lambda data: actions.start_cycle(referral=referral, by=request.user, request=request, **data),
        success_message=f"Cycle {glance['next_number']} started.",
        success_url=_cycle_url,  # the new cycle's page
    )


def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One cycle: its filming, the clips chosen, the shared review, and what is next."""
    cycle = _load_cycle(request, pk, Perm.REFERRAL_VIEW, people=True)
    log_access(action=AccessAction.VIEW, request=request, obj=cycle)
    step = step_of(cycle, timezone.localdate())
    watched = {clip.pk for clip in step.review.clips_watched.all()} if step.review else set()
    clips = [
        {
            "clip": clip,
            "start": show_time(clip.start_seconds),
            "end": show_time(clip.end_seconds),
            "watched": clip.pk in watched,
        }
        for clip in step.clips
    ]
    context = {
        "cycle": cycle,
        "referral": cycle.referral,
        "step": step,
        "clips": clips,
        "film_length": show_time(step.filming.length_seconds) if step.filming else "",
        "can_record": may_record_casework(request.user, cycle.referral),
        "training_lapsed": training_consent_lapsed(cycle.referral, step.filming, step.clips),
        "entered_in_error": entered_in_error_of_cycle(cycle),
        "sections": cycle_sections(request, cycle, step),
    }
    return render(request, "cycles/cycle_detail.html", context)


def _cycle_form_page(request, cycle: Cycle, *, form, perform, heading: str, button: str, success: str):
    return form_action_page(
        request,
        form=form,
        template="cycles/cycle_form.html",
        context={"cycle": cycle, "referral": cycle.referral, "heading": heading, "button": button},
        perform=perform,
        success_message=success,
        success_url=_cycle_url(cycle),
    )


def record_filming(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the cycle's filming: refused, with why, unless everyone filmed has current consent."""
    cycle = _load_cycle(request, pk, Perm.CASEWORK_RECORD)
    return _cycle_form_page(
        request,
        cycle,
        form=FilmingForm(_posted(request), referral=cycle.referral),
        perform=lambda data: actions.record_filming(cycle=cycle, by=request.user, request=request, **data),
        heading=f"Record cycle {cycle.number}'s filming",
        button="Record the filming",
        success="Filming recorded.",
    )


def add_clip(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a clip chosen in micro-analysis."""
    cycle = _load_cycle(request, pk, Perm.CASEWORK_RECORD)
    filming = filming_of(cycle)
    if filming is None:
        messages.error(request, f"Record cycle {cycle.number}'s filming before choosing its clips.")
        return redirect(_cycle_url(cycle))
    return _cycle_form_page(
        request,
        cycle,
        form=ClipForm(
            _posted(request),
            referral=cycle.referral,
            # Times marked on the film vault's player arrive in the address (vault/film.html).
            initial={k: request.GET[k][:8] for k in ("start_seconds", "end_seconds") if k in request.GET},
        ),
        perform=lambda data: actions.add_clip(filming=filming, by=request.user, request=request, **data),
        heading=f"Add a clip to cycle {cycle.number}",
        button="Add the clip",
        success="Clip added.",
    )


def record_shared_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the shared review: refused, with why, before its filming or before the previous cycle's review."""
    cycle = _load_cycle(request, pk, Perm.CASEWORK_RECORD)
    return _cycle_form_page(
        request,
        cycle,
        form=SharedReviewForm(_posted(request), referral=cycle.referral, filming=filming_of(cycle)),
        perform=lambda data: actions.record_shared_review(cycle=cycle, by=request.user, request=request, **data),
        heading=f"Record cycle {cycle.number}'s shared review",
        button="Record the shared review",
        success="Shared review recorded.",
    )
