"""Trainees' progress towards their stage targets, and the cycles waiting for a supervisor's sign-off.

Progress counts from the day the trainee's current stage was recorded as reached (from the start if it never was):
- cycles completed: cycles with a shared review the trainee recorded in that service (only the family's allocated
  practitioner can record one, so these are the reviews held while the trainee was the practitioner);
- supervised hours: the sum of their supervision sessions' durations in that service.
The targets are the service's `TrainingStageTarget` for the trainee's current stage. Everything is counted in the
database: `trainee_progress` costs two queries however many trainees it is given.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    DateField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.models import Membership, Role, TrainingStageTarget, TrainingStatus
from accounts.permissions import Perm
from core.lookups import among
from core.prepared import IDS, prepared
from cycles.models import Cycle, SharedReview, StageReached, SupervisionSession
from cycles.reads.timeline import in_force_work
from cycles.rules import supervised_trainees_q, trainees_in_reach_q
from referrals.models import Allocation, Referral

FROM_THE_START = date(1900, 1, 1)


@dataclass(frozen=True)
class Progress:
    membership: Membership
    stage: int
    counting_from: date | None
    cycles_done: int
    cycles_signed_off: int
    supervised_minutes: int
    cycles_required: int | None
    hours_required: int | None

    @property
    def supervised_hours(self) -> float:
        return round(self.supervised_minutes / 60, 1)

    @property
    def cycles_met(self) -> bool:
        return self.cycles_required is not None and self.cycles_done >= self.cycles_required

    @property
    def hours_met(self) -> bool:
        return self.hours_required is not None and self.supervised_minutes >= self.hours_required * 60

    @property
    def cycles_awaiting_sign_off(self) -> int:
        return self.cycles_done - self.cycles_signed_off


def trainees():
    """Active trainee practitioner memberships, with what a progress row shows."""
    return (
        Membership.objects.active()
        .filter(role=Role.PRACTITIONER, training_status=TrainingStatus.TRAINEE)
        .select_related("user", "service", "practitioner_details", "practitioner_details__supervisor")
    )


def _reviews_counted(*, signed_off: bool = False):
    """Count of the trainee's cycles reviewed since `counting_from` (a subquery).

    A shared review is recorded by the family's allocated practitioner (only they hold casework.record on it), so
    the reviews a trainee recorded in the service are exactly those held while they were the practitioner.
    """
    reviews = SharedReview.objects.in_force().filter(
        recorded_by=OuterRef("user"),
        cycle__referral__service=OuterRef("service"),
        reviewed_on__gte=OuterRef("counting_from"),
    )
    if signed_off:
        reviews = reviews.filter(cycle__signed_off_at__isnull=False)
    return Coalesce(_summed(reviews, Func(F("pk"), function="COUNT")), 0)


def _supervised_minutes():
    sessions = SupervisionSession.objects.in_force().filter(
        trainee=OuterRef("user"), service=OuterRef("service"), held_on__gte=OuterRef("counting_from")
    )
    return Coalesce(_summed(sessions, Func(F("duration_minutes"), function="SUM")), 0)


def _summed(rows, total: Func) -> Subquery:
    """`total` over the rows as a scalar subquery, with no GROUP BY: the outer row already fixes the trainee, and a
    grouped subquery let PostgreSQL pick an index by the grouping (the service's whole history) rather than by the
    trainee's own rows since their stage began. `Func` rather than an aggregate, so the ORM adds no grouping."""
    return Subquery(rows.order_by().annotate(total=total).values("total")[:1], output_field=IntegerField())


def progress_rows(memberships, *, count_reviews: bool = True):
    """The trainee memberships with what their progress is worked out from (`counting_from`, `supervised_minutes`
    and, with `count_reviews`, `cycles_done` and `cycles_signed_off`), in order: one query."""
    stage_start = StageReached.objects.filter(
        membership=OuterRef("pk"), stage=OuterRef("practitioner_details__training_stage")
    ).values("reached_on")[:1]
    found = (
        memberships.select_related("user", "service", "practitioner_details")
        .annotate(stage_start=Subquery(stage_start, output_field=DateField()))
        .annotate(counting_from=Coalesce(F("stage_start"), Value(FROM_THE_START), output_field=DateField()))
        .annotate(supervised_minutes=_supervised_minutes())
    )
    if count_reviews:
        found = found.annotate(cycles_done=_reviews_counted(), cycles_signed_off=_reviews_counted(signed_off=True))
    return found.order_by("user__last_name", "user__first_name", "pk")


def trainee_progress(memberships, *, reviews_counted=None, rows: list | None = None) -> list[Progress]:
    """Progress of each trainee membership in `memberships` (a queryset), in two queries.

    `reviews_counted`, when given, counts the cycles instead of the correlated counts here: called with the trainee
    rows (each with `counting_from`), it returns {membership id: (cycles done, signed off)} and may add one query
    (the dashboard reads them from its summaries, ADR 0022 item 9, tested to agree with these counts). `rows`, when
    given, are `progress_rows(memberships, count_reviews=False)` already read (the dashboard compiles that once)."""
    if rows is None:
        rows = list(progress_rows(memberships, count_reviews=reviews_counted is None))
    if reviews_counted is None:
        counted = {m.pk: (m.cycles_done, m.cycles_signed_off) for m in rows}
    else:
        counted = reviews_counted(rows) if rows else {}
    targets = {(t.service_id, t.stage): t for t in _stage_targets(sorted({m.service_id for m in rows}))} if rows else {}
    progress = []
    for membership in rows:
        details = membership.details_or_none
        stage = (details.training_stage if details else None) or 1
        target = targets.get((membership.service_id, stage))
        progress.append(
            Progress(
                membership=membership,
                stage=stage,
                counting_from=membership.stage_start,
                cycles_done=counted[membership.pk][0],
                cycles_signed_off=counted[membership.pk][1],
                supervised_minutes=membership.supervised_minutes,
                cycles_required=target.cycles_required if target else None,
                hours_required=target.supervision_hours_required if target else None,
            )
        )
    return progress


@prepared(IDS)
def _stage_targets(service_ids):
    """The services' stage targets: compiled once per process, as the dashboard asks on every look."""
    return TrainingStageTarget.objects.filter(among("service_id", service_ids))


def supervisors_trainees(user):
    """The trainees whose named supervisor is `user`, in the services where `user` is a supervisor."""
    return trainees().filter(supervised_trainees_q(user))


_review_in_force = SharedReview.objects.in_force().filter(cycle=OuterRef("pk"))


def awaiting_sign_off(user):
    """Cycles of the supervisor's trainees' families reviewed with the family and not yet signed off, oldest first."""
    families = Referral.objects.visible_to(user, Perm.SUPERVISION_RECORD)
    return (
        Cycle.objects.filter(referral__in=families, signed_off_at__isnull=True)
        .annotate(reviewed_on=Subquery(_review_in_force.values("reviewed_on")[:1]))
        .filter(reviewed_on__isnull=False)
        .select_related("referral")
        .prefetch_related(
            *in_force_work(),
            Prefetch(
                "referral__allocations",
                queryset=Allocation.objects.active().select_related("practitioner"),
                to_attr="active_allocations",
            ),
        )
        .order_by("reviewed_on", "pk")
    )


def stages_reached(membership: Membership) -> list[StageReached]:
    return list(StageReached.objects.filter(membership=membership).select_related("recorded_by"))


def sessions_of(membership: Membership):
    """A trainee's supervision sessions in the membership's service, newest first, with the cycles discussed."""
    return (
        SupervisionSession.objects.filter(trainee_id=membership.user_id, service_id=membership.service_id)
        .select_related("supervisor", "entered_in_error_by")
        .prefetch_related("supervised_cycles__cycle__referral")
    )


def visible_trainees(user, perm: Perm):
    """Trainee memberships in services where `user` holds `perm`: what a page or the API may load by id (404
    otherwise) before checking `perm` on the membership itself (403)."""
    return trainees().filter(trainees_in_reach_q(user, perm))
