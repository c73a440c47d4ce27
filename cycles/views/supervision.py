"""Trainees and supervision pages: your training progress, a trainee's progress, the supervisor's page, and
recording a supervision session or a stage reached."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.audit import get_visible_or_404, log_access, log_list
from accounts.models import AccessAction, Membership
from accounts.permissions import Perm, check_permission, has_permission, require_permission
from cycles.reads.progress import (
    awaiting_sign_off,
    sessions_of,
    stages_reached,
    supervisors_trainees,
    trainee_progress,
    trainees,
    visible_trainees,
)
from cycles.reads.timeline import in_force_work
from referrals.models import Referral
from web.pages import form_action_page

from .. import actions
from ..forms.supervision import StageReachedForm, SupervisionForm
from ..models import Cycle


def load_trainee(request: HttpRequest, membership_id: int, perm: Perm) -> Membership:
    """A trainee's membership in a service where the user holds `perm` (a logged 404 otherwise), then `perm` on it
    (a logged 403: the user's own supervisor, the trainee themself, or the service's coordinators and managers)."""
    membership = get_visible_or_404(visible_trainees(request.user, perm), request=request, pk=membership_id)
    check_permission(request.user, perm, obj=membership)
    return membership


def _log_sessions(request, sessions) -> None:
    log_list(request=request, object_type="cycles.supervisionsession", ids=[s.pk for s in sessions])


@require_permission(Perm.TRAINEE_PROGRESS_VIEW)
def my_training(request: HttpRequest) -> HttpResponse:
    """Your training progress: for each service you train in, your stage, targets and supervision."""
    rows = trainee_progress(trainees().filter(user=request.user))
    entries = []
    for progress in rows:
        sessions = list(sessions_of(progress.membership))
        _log_sessions(request, sessions)
        entries.append({"progress": progress, "sessions": sessions, "stages": stages_reached(progress.membership)})
    return render(request, "cycles/my_training.html", {"entries": entries})


def trainee_progress_page(request: HttpRequest, membership_id: int) -> HttpResponse:
    """One trainee's progress, stages and supervision sessions, for them, their supervisor and the coordinator."""
    membership = load_trainee(request, membership_id, Perm.TRAINEE_PROGRESS_VIEW)
    [progress] = trainee_progress(trainees().filter(pk=membership.pk))
    sessions = list(sessions_of(membership))
    _log_sessions(request, sessions)
    log_access(action=AccessAction.VIEW, request=request, obj=membership, detail={"page": "trainee progress"})
    can_supervise = has_permission(request.user, Perm.SUPERVISION_RECORD, obj=membership)
    return render(
        request,
        "cycles/trainee_progress.html",
        {
            "progress": progress,
            "membership": membership,
            "sessions": sessions,
            "stages": stages_reached(membership),
            "can_supervise": can_supervise,
        },
    )


@require_permission(Perm.SUPERVISION_RECORD)
def supervision(request: HttpRequest) -> HttpResponse:
    """The supervisor's page: their trainees with progress, and the cycles waiting for their sign-off."""
    rows = trainee_progress(supervisors_trainees(request.user))
    waiting = list(awaiting_sign_off(request.user))
    trainee_ids = {(p.membership.user_id, p.membership.service_id): p.membership.pk for p in rows}
    for cycle in waiting:
        allocation = cycle.referral.active_allocations[0] if cycle.referral.active_allocations else None
        cycle.practitioner = allocation.practitioner if allocation else None
        cycle.trainee_membership_id = (
            trainee_ids.get((allocation.practitioner_id, cycle.referral.service_id)) if allocation else None
        )
    log_list(request=request, object_type="cycles.cycle", ids=[c.pk for c in waiting], detail={"list": "sign-off"})
    return render(request, "cycles/supervision.html", {"rows": rows, "waiting": waiting})


def trainee_cycles(membership: Membership, user):
    """The cycles of the trainee's families that the supervisor may see, for the session form."""
    return (
        Cycle.objects.filter(
            referral__in=Referral.objects.visible_to(user, Perm.SUPERVISION_RECORD).filter(
                service_id=membership.service_id, allocations__practitioner_id=membership.user_id
            )
        )
        .select_related("referral")
        .prefetch_related(*in_force_work())
        .order_by("referral_id", "number")
    )


def record_supervision(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Record a supervision session with a trainee: date, duration, cycles discussed, sign-off and feedback."""
    membership = load_trainee(request, membership_id, Perm.SUPERVISION_RECORD)
    cycles = trainee_cycles(membership, request.user)
    initial = {}
    if request.GET.get("cycle", "").isdigit():
        initial = {"cycles": [int(request.GET["cycle"])], "signed_off": [int(request.GET["cycle"])]}
    form = SupervisionForm(request.POST or None, cycles=cycles, initial=initial)
    return form_action_page(
        request,
        form=form,
        template="cycles/record_supervision.html",
        context={"membership": membership},
        perform=lambda data: actions.record_supervision(
            trainee=membership,
            held_on=data["held_on"],
            duration_minutes=data["duration_minutes"],
            cycles=list(data["cycles"]),
            signed_off_cycle_ids=[c.pk for c in data["signed_off"]],
            feedback=data["feedback"],
            by=request.user,
            request=request,
        ),
        success_message="Supervision recorded.",
        success_url=reverse("cycles:supervision"),
        error_aliases={"signed_off_cycle_ids": "signed_off"},
    )


def record_stage(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Record that a trainee reached a stage; their progress then counts towards that stage's targets."""
    membership = load_trainee(request, membership_id, Perm.SUPERVISION_RECORD)
    return form_action_page(
        request,
        form=StageReachedForm(request.POST or None),
        template="cycles/record_stage.html",
        context={"membership": membership},
        perform=lambda data: actions.record_stage_reached(
            membership=membership, by=request.user, request=request, **data
        ),
        success_message="Stage reached recorded.",
        success_url=reverse("cycles:trainee_progress", kwargs={"membership_id": membership.pk}),
    )
