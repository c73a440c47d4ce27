"""Trainees' supervision: a session with the cycles discussed and signed off, and a stage reached.

Only the trainee's own named supervisor (PractitionerDetails.supervisor) may record either: the permission check
on the trainee's membership (`Perm.SUPERVISION_RECORD`, scope "supervised cases") refuses anyone else. A cycle is
taken to supervision only when everyone filmed in it consents to the supervisor viewing the footage on the
session's date, and signed off only once its shared review is recorded.
"""

from collections import defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction, Membership, PractitionerDetails, User
from accounts.permissions import Perm, requires
from core.refusals import ActionRefused
from core.text import check_text_fields
from cycles.reads.consents import needs_own_consent, refusal_for_item
from cycles.reads.timeline import in_force_work
from referrals.history import record_change
from referrals.models import Allocation

from ..models import ConsentItem, Cycle, SharedReview, StageReached, SupervisedCycle, SupervisionSession

MAX_SUPERVISION_MINUTES = 480


def _check_trainee(trainee: Membership) -> None:
    """A refusal (409) unless the membership is a current trainee's. Who records (their named supervisor,
    supervision.record on the membership: a 403) is declared on each action with `@requires`."""
    if not trainee.is_trainee or not trainee.is_active:
        raise ActionRefused(f"{trainee.user} is not a current trainee in {trainee.service}.")


def filmed_people(cycle: Cycle) -> list:
    """Everyone whose consent covers the cycle's footage: the filmed parents, and filmed children aged 12 or over
    on the filming date (younger children's parents consent for them)."""
    filming = cycle.filming
    if filming is None:
        return []
    children = [c for c in filming.filmed_children.all() if needs_own_consent(c, filming.filmed_on)]
    return [*filming.filmed_parents.all(), *children]


def supervision_refusal(cycle: Cycle, day: date) -> str:
    """'' if the supervisor may view the cycle's footage on `day`; else why not (for the action and the pages)."""
    people = filmed_people(cycle)
    if not people:
        return ""
    why = refusal_for_item(
        cycle.referral,
        people=people,
        item=ConsentItem.SUPERVISOR_VIEWING,
        day=day,
        doing=f"take cycle {cycle.number} of {cycle.referral.reference} to supervision",
    )
    return why


def _check_cycles(*, trainee: Membership, cycles: list[Cycle], held_on: date) -> None:
    """Each cycle is from a family allocated to this trainee, in their service, and its footage may be viewed."""
    referral_ids = {c.referral_id for c in cycles}
    theirs = set(
        Allocation.objects.filter(
            referral_id__in=referral_ids, practitioner_id=trainee.user_id, referral__service_id=trainee.service_id
        ).values_list("referral_id", flat=True)
    )
    strangers = [f"cycle {c.number} of {c.referral.reference}" for c in cycles if c.referral_id not in theirs]
    if strangers:
        raise ValidationError({"cycles": f"Not from a family allocated to {trainee.user}: {', '.join(strangers)}."})
    for cycle in cycles:
        filming = cycle.filming
        if filming is not None and held_on < filming.filmed_on:
            raise ValidationError(
                {
                    "held_on": f"The session ({held_on:%-d %B %Y}) is before cycle {cycle.number} of "
                    f"{cycle.referral.reference} was filmed ({filming.filmed_on:%-d %B %Y}): its footage could not "
                    "have been discussed"
                }
            )
    for cycle in cycles:
        why = supervision_refusal(cycle, held_on)
        if why:
            raise ActionRefused(why)


def _check_session_values(*, held_on: date, duration_minutes: int) -> None:
    errors = {}
    if held_on > timezone.localdate():
        errors["held_on"] = "The date of the session cannot be in the future"
    if not 1 <= duration_minutes <= MAX_SUPERVISION_MINUTES:
        errors["duration_minutes"] = f"Duration must be between 1 and {MAX_SUPERVISION_MINUTES} minutes"
    if errors:
        raise ValidationError(errors)


def _check_sign_offs(cycles: list[Cycle], signed_off_ids: set[int]) -> list[Cycle]:
    """The cycles to sign off: discussed in this session, reviewed with the family, not signed off before."""
    unknown = signed_off_ids - {c.pk for c in cycles}
    if unknown:
        raise ValidationError({"signed_off_cycle_ids": "Sign off only cycles discussed in this session"})
    to_sign = [c for c in cycles if c.pk in signed_off_ids]
    reviewed = set(SharedReview.objects.in_force().filter(cycle__in=to_sign).values_list("cycle_id", flat=True))
    for cycle in to_sign:
        if cycle.pk not in reviewed:
            raise ActionRefused(
                f"Cycle {cycle.number} of {cycle.referral.reference} has no shared review recorded yet: "
                "its work cannot be signed off."
            )
        if cycle.signed_off_at is not None:
            raise ActionRefused(
                f"Cycle {cycle.number} of {cycle.referral.reference} was already signed off on "
                f"{timezone.localtime(cycle.signed_off_at):%-d %B %Y}."
            )
    return to_sign


@transaction.atomic
@requires(Perm.SUPERVISION_RECORD, on="trainee")
def record_supervision(
    *,
    trainee: Membership,
    held_on: date,
    duration_minutes: int,
    cycles,
    signed_off_cycle_ids,
    feedback: str,
    by: User,
    request=None,
) -> SupervisionSession:
    """Record a supervision session `by` the trainee's supervisor, and sign off the cycles whose work they passed.

    `trainee` is the trainee's practitioner membership. Refused: anyone but their named supervisor (403); a date in
    the future or a duration outside 1–480 minutes; a cycle of a family never allocated to the trainee; a cycle
    filmed after the session's date; a cycle whose filmed people have not (or no longer) consented to viewing by
    the supervisor; signing off a cycle without its shared review. Each family's history gets the session and any
    sign-off.
    """
    _check_trainee(trainee)
    _check_session_values(held_on=held_on, duration_minutes=duration_minutes)
    cycles = list(
        Cycle.objects.select_for_update(of=("self",))
        .filter(pk__in=[c.pk for c in cycles])
        .select_related("referral")
        .prefetch_related(*in_force_work(people=True))
        .order_by("referral_id", "number")
    )
    _check_cycles(trainee=trainee, cycles=cycles, held_on=held_on)
    to_sign = _check_sign_offs(cycles, {int(i) for i in signed_off_cycle_ids})
    session = SupervisionSession(
        service_id=trainee.service_id,
        supervisor=by,
        trainee_id=trainee.user_id,
        held_on=held_on,
        duration_minutes=duration_minutes,
        feedback=feedback,
        recorded_by=by,
    )
    check_text_fields(session)
    session.save()
    now = timezone.now()
    SupervisedCycle.objects.bulk_create(
        SupervisedCycle(session=session, cycle=c, signed_off=c in to_sign) for c in cycles
    )
    for cycle in to_sign:
        cycle.signed_off_at, cycle.signed_off_by = now, by
        cycle.save(update_fields=["signed_off_at", "signed_off_by"])
    _record_in_families(session=session, cycles=cycles, to_sign=to_sign, by=by, request=request)
    if not cycles:
        log_access(action=AccessAction.CREATE, request=request, user=by, obj=session)
    return session


def _record_in_families(*, session, cycles, to_sign, by, request) -> None:
    by_family = defaultdict(list)
    for cycle in cycles:
        by_family[cycle.referral].append(cycle)
    for referral, discussed in by_family.items():
        signed = [c for c in discussed if c in to_sign]
        numbers = ", ".join(str(c.number) for c in discussed)
        summary = f"Supervision recorded: cycle {numbers} discussed"
        if signed:
            summary += f"; cycle {', '.join(str(c.number) for c in signed)} signed off"
        record_change(
            referral=referral,
            by=by,
            kind="supervision_recorded",
            summary=summary,
            changes={
                "supervision date": [None, session.held_on.isoformat()],
                "cycles discussed": [None, [c.number for c in discussed]],
                "cycles signed off": [None, [c.number for c in signed]],
            },
            request=request,
            obj=session,
            access=AccessAction.CREATE,
        )


@transaction.atomic
@requires(Perm.SUPERVISION_RECORD, on="membership")
def record_stage_reached(
    *, membership: Membership, stage: int, reached_on: date, by: User, request=None
) -> StageReached:
    """The trainee's supervisor records that the trainee reached an AVIGuk stage; it becomes their current stage,
    so their progress counts towards that stage's targets from that date."""
    _check_trainee(membership)
    if stage not in (1, 2, 3):
        raise ValidationError({"stage": "Choose stage 1, 2 or 3"})
    if reached_on > timezone.localdate():
        raise ValidationError({"reached_on": "The date cannot be in the future"})
    details = PractitionerDetails.objects.select_for_update().get(membership=membership)
    earlier = StageReached.objects.filter(membership=membership)
    if earlier.filter(stage=stage).exists():
        raise ActionRefused(f"Stage {stage} was already recorded for {membership.user}.")
    if details.training_stage and stage < details.training_stage:
        raise ActionRefused(f"{membership.user} is already at stage {details.training_stage}.")
    if earlier.filter(stage__lt=stage, reached_on__gt=reached_on).exists():
        raise ValidationError({"reached_on": "The date is before an earlier stage was reached"})
    reached = StageReached.objects.create(membership=membership, stage=stage, reached_on=reached_on, recorded_by=by)
    details.training_stage = stage
    details.save(update_fields=["training_stage"])
    log_access(action=AccessAction.CREATE, request=request, user=by, obj=reached, detail={"stage": stage})
    return reached
