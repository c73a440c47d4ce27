"""The dashboard's summaries (ADR 0022): each family's countable facts, worked out from its raw rows, kept as the
actions change the record, and rebuilt from raw rows on demand.

One function works a family's facts out (`compute`, for a batch of families in a fixed number of queries); every
way of keeping them goes through it, so the summaries kept as the actions change a record and those rebuilt from
raw rows cannot be worked out two ways:

- `refresh(ids)`: replace those families' summaries (one transaction: the old rows go, the new ones come);
- `catch_up(service_id)`: work off the service's `referrals.FamilyChange` outbox rows (under their row locks) —
  the dashboard calls it before it reads, so it counts every committed change even when no worker has run;
- `process(referral_id)`: the task sent after an action commits (ids only, idempotent);
- `sweep()`: what the task and the pages missed (beat);
- `rebuild(service_id)`: a service's summaries from raw rows (`manage.py rebuild_dashboard_summaries`).

The visits rolled up by month (`dashboards.visit_months`) move with the items, in the same transaction.

Records entered in error drop out here (visits, filmings, shared reviews, measures, helping questions and ratings
`in_force`), and a reopened family's discharge stops standing, exactly as the figures read from raw rows did.
"""

import logging
from collections import Counter, defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from core.lookups import among
from core.prepared import INT, prepared
from core.replica import note_write
from cycles.models import (
    ConsentDecision,
    Cycle,
    Filming,
    Footage,
    HelpingQuestionRating,
    RatingPoint,
    SharedReview,
    Visit,
)
from dashboards import visit_months
from dashboards.models import REVIEW_SIGNED_OFF, FamilySummary, ItemKind, SummaryItem
from discharge.models import Discharge
from outcomes.models import Measure, TimePoint
from referrals.models import Allocation, FamilyChange, Referral, ReferralEvent, TriageDecision, TriageDecisionKind

logger = logging.getLogger(__name__)
BATCH = 500


def _day(moment: datetime):
    return timezone.localtime(moment).date()


def _first_by_referral(rows) -> dict:
    """The first (referral id, value) per referral of rows already in order."""
    first: dict = {}
    for referral_id, value in rows:
        first.setdefault(referral_id, value)
    return first


def _per_family(rows, family: str, ids: list[int], figure) -> dict:
    """{referral id: figure} over `rows` of these families (reached through `family`), in one grouped query."""
    return dict(
        rows.filter(among(family, ids)).order_by().values(family).annotate(figure=figure).values_list(family, "figure")
    )


def compute(ids: list[int]) -> tuple[list[FamilySummary], list[SummaryItem]]:
    """The summaries of these families (those that still exist), from their raw rows: fifteen queries whatever
    the number of families. Why each fact is what it is: the figure it feeds, in `dashboards.reads`."""
    referrals = list(
        Referral.objects.filter(among("pk", ids)).values_list(
            "pk", "service_id", "site_id", "referral_source_id", "date_received", "status", "closed_at"
        )
    )
    ids = [row[0] for row in referrals]
    if not ids:
        return [], []
    decided: dict[int, dict] = defaultdict(
        lambda: {"first": None, "accept": None, "accepted": False, "declined": False}
    )
    declines: dict[int, Counter] = defaultdict(Counter)
    for referral_id, decision, decided_at, reason in (
        TriageDecision.objects.filter(
            among("referral_id", ids), decision__in=[TriageDecisionKind.ACCEPT, TriageDecisionKind.DECLINE]
        )
        .order_by("decided_at", "pk")
        .values_list("referral_id", "decision", "decided_at", "reason")
    ):
        d = decided[referral_id]
        day = _day(decided_at)
        d["first"] = day if d["first"] is None else min(d["first"], day)
        if decision == TriageDecisionKind.ACCEPT:
            d["accepted"] = True
            d["accept"] = d["accept"] or decided_at
        else:
            d["declined"] = True
            declines[referral_id][reason] += 1
    first_allocated = _first_by_referral(
        Allocation.objects.filter(among("referral_id", ids))
        .order_by("referral_id", "allocated_at", "pk")
        .values_list("referral_id", "allocated_at")
    )
    first_filmed = _per_family(Filming.objects.in_force(), "cycle__referral_id", ids, Min("filmed_on"))
    cycles = _per_family(Cycle.objects.all(), "referral_id", ids, Count("pk"))
    points: dict[int, set] = defaultdict(set)
    values: dict[tuple[int, str], dict] = defaultdict(dict)
    for referral_id, instrument, point, value in (
        Measure.objects.scored()
        .filter(among("referral_id", ids), time_point__in=[TimePoint.BASELINE, TimePoint.END])
        .order_by("pk")
        .values_list("referral_id", "instrument", "time_point", "primary_value")
    ):
        points[referral_id].add(point)
        if value is not None:
            values[(referral_id, instrument)][point] = value
    # Each question's first start rating and last end rating (as `outcomes.reads.service_figures` reads them).
    goals: dict[int, dict] = {}
    for referral_id, question_id, point, score in (
        HelpingQuestionRating.objects.in_force()
        .filter(among("question__referral_id", ids), question__entered_in_error_at__isnull=True)
        .filter(point__in=[RatingPoint.START, RatingPoint.END])
        .order_by("question_id", "point", "rated_on", "pk")
        .values_list("question__referral_id", "question_id", "point", "score")
    ):
        goal = goals.setdefault(question_id, {"referral": referral_id})
        if point == RatingPoint.START:
            goal.setdefault("start", score)
        else:
            goal["end"] = score
    visits: Counter = Counter()
    for referral_id, practitioner_id, planned_at, outcome in (
        Visit.objects.in_force()
        .filter(among("referral_id", ids))
        .order_by()
        .values_list("referral_id", "practitioner_id", "planned_at", "outcome")
    ):
        visits[(referral_id, practitioner_id, _day(planned_at), outcome)] += 1
    withdrawn = Counter(
        ConsentDecision.objects.filter(among("giver__consent__referral_id", ids), withdrawn_on__isnull=False)
        .order_by()
        .values_list("giver__consent__referral_id", "withdrawn_on")
    )
    footage = Counter(
        Footage.objects.filter(
            among("filming__cycle__referral_id", ids), destroyed_on__isnull=True, destroy_by__isnull=False
        )
        .order_by()
        .values_list("filming__cycle__referral_id", "destroy_by")
    )
    discharges = Counter(
        Discharge.objects.current()
        .filter(among("referral_id", ids))
        .order_by()
        .values_list("referral_id", "discharged_on", "reason")
    )

    last_recorded = _per_family(ReferralEvent.objects.all(), "referral_id", ids, Max("at"))
    # Shared reviews in force by who recorded them and when, signed off or not: a trainee's cycles completed.
    reviews = Counter(
        (referral_id, recorded_by_id, reviewed_on, signed_off_at is not None)
        for referral_id, recorded_by_id, reviewed_on, signed_off_at in SharedReview.objects.in_force()
        .filter(among("cycle__referral_id", ids))
        .order_by()
        .values_list("cycle__referral_id", "recorded_by_id", "reviewed_on", "cycle__signed_off_at")
    )
    reviewed: Counter = Counter()  # reviews in force per family: the cycles completed at a discharge
    for (referral_id, *_rest), n in reviews.items():
        reviewed[referral_id] += n

    summaries, items = [], []
    where = {}
    for pk, service_id, site_id, source_id, received, status, closed_at in referrals:
        where[pk] = {"referral_id": pk, "service_id": service_id, "site_id": site_id}
        d = decided.get(pk) or {"first": None, "accept": None, "accepted": False, "declined": False}
        allocated_at = first_allocated.get(pk)
        summaries.append(
            FamilySummary(
                **where[pk],
                referral_source_id=source_id,
                date_received=received,
                status=status,
                closed_at=closed_at,
                first_decided_on=d["first"],
                accepted=d["accepted"],
                declined=d["declined"],
                first_accepted_at=d["accept"],
                first_allocated_at=allocated_at,
                first_allocated_on=_day(allocated_at) if allocated_at else None,
                first_filmed_on=first_filmed.get(pk),
                cycles=cycles.get(pk, 0),
                baseline_and_end={TimePoint.BASELINE, TimePoint.END} <= points.get(pk, set()),
                last_recorded_at=last_recorded.get(pk),
            )
        )
        for reason, n in declines.get(pk, {}).items():
            items.append(SummaryItem(**where[pk], kind=ItemKind.DECLINE, day=received, key=reason, n=n))
    for (pk, practitioner_id, day, outcome), n in visits.items():
        items.append(
            SummaryItem(
                **where[pk],
                kind=ItemKind.VISIT,
                day=day,
                weekday=day.isoweekday(),
                practitioner_id=practitioner_id,
                key=outcome,
                n=n,
            )
        )
    for (pk, day), n in withdrawn.items():
        items.append(SummaryItem(**where[pk], kind=ItemKind.WITHDRAWN, day=day, n=n))
    for (pk, day), n in footage.items():
        items.append(SummaryItem(**where[pk], kind=ItemKind.FOOTAGE, day=day, n=n))
    for (pk, day, reason), n in discharges.items():
        items.append(
            SummaryItem(**where[pk], kind=ItemKind.DISCHARGE, day=day, key=reason, n=n, first=reviewed.get(pk, 0))
        )
    for (pk, recorded_by_id, day, signed_off), n in reviews.items():
        key = REVIEW_SIGNED_OFF if signed_off else ""
        items.append(
            SummaryItem(**where[pk], kind=ItemKind.REVIEW, day=day, practitioner_id=recorded_by_id, key=key, n=n)
        )
    # Measure pairs and helping-question ratings are counted for the families first allocated in a period: dated
    # by the family's first allocation, so the figure reads a range of days, not a join.
    allocated_on = {s.referral_id: s.first_allocated_on for s in summaries}
    for (pk, instrument), v in values.items():
        if TimePoint.BASELINE in v and TimePoint.END in v:
            first, last = v[TimePoint.BASELINE], v[TimePoint.END]
            items.append(
                SummaryItem(
                    **where[pk], kind=ItemKind.PAIR, day=allocated_on[pk], key=instrument, first=first, last=last
                )
            )
    for goal in goals.values():
        if "start" in goal and "end" in goal:
            pk = goal["referral"]
            items.append(
                SummaryItem(
                    **where[pk], kind=ItemKind.GOAL, day=allocated_on[pk], first=goal["start"], last=goal["end"]
                )
            )
    return summaries, items


def refresh(ids: list[int]) -> int:
    """Replace these families' summaries with ones worked out from their raw rows now (one transaction, which also
    moves the service's visit months by the difference between the families' old and new visits). Returns how many
    families were summarised (a family no longer there just loses its summary)."""
    ids = sorted(set(ids))
    done = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with transaction.atomic():
            summaries, items = compute(batch)
            old_visits = SummaryItem.objects.filter(among("referral_id", batch), kind=ItemKind.VISIT).order_by()
            before = visit_months.fold(old_visits.values_list(*visit_months.ITEM_FIELDS))
            SummaryItem.objects.filter(among("referral_id", batch)).delete()
            FamilySummary.objects.filter(among("referral_id", batch)).delete()
            FamilySummary.objects.bulk_create(summaries, batch_size=BATCH)
            SummaryItem.objects.bulk_create(items, batch_size=2000)
            visit_months.apply(before, visit_months.fold(visit_months.item_rows(items)))
        done += len(summaries)
    return done


def _work_off(changes) -> int:
    """Refresh the families of these outbox rows and delete the rows, a batch at a time, each batch in its own
    transaction under the rows' locks: a worker and a page working off the same row wait for each other, and
    whichever comes second finds it gone; a long backlog (an upgraded install) keeps what each batch did even if
    the request that started it is cut off."""
    done = 0
    while True:
        with transaction.atomic():
            rows = list(changes.select_for_update().order_by("pk").values_list("pk", "referral_id")[:BATCH])
            if not rows:
                return done
            refresh([referral_id for _pk, referral_id in rows])
            FamilyChange.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
        done += len(rows)


@prepared(INT)
def _waiting_change(service_id):
    """One outbox row of the service, if any: read on the primary (the replica may not have it yet), compiled once
    per process as every dashboard look asks."""
    return FamilyChange.objects.using("default").filter(service_id=service_id).order_by().values_list("pk")[:1]


def catch_up(service_id: int) -> int:
    """Work off the service's outbox before the dashboard reads its summaries, so a figure counts every change
    committed so far even if no worker has run (normally nothing is waiting: one query on the primary)."""
    if not _waiting_change(service_id):
        return 0
    note_write("dashboard summaries")  # the rest of this request reads the primary, where the refresh is
    return _work_off(FamilyChange.objects.filter(service_id=service_id))


def process(referral_id: int) -> int:
    """The task's body: work off this family's outbox rows (none left: nothing to do)."""
    return _work_off(FamilyChange.objects.filter(referral_id=referral_id))


def sweep(limit: int = 5000) -> int:
    """Work off outbox rows no task or page did (a lost message, a worker down), oldest first."""
    ids = list(FamilyChange.objects.order_by("pk").values_list("pk", flat=True)[:limit])
    return _work_off(FamilyChange.objects.filter(pk__in=ids)) if ids else 0


def rebuild(service_id: int) -> int:
    """Every summary of one service from raw rows: its families' summaries replaced (and any left behind by a
    family moved away removed), its visit months summed again from the new items, its outbox emptied. Safe to run
    while the service works: a change committed meanwhile leaves its outbox row, worked off next."""
    with transaction.atomic():
        pending = list(FamilyChange.objects.filter(service_id=service_id).values_list("pk", flat=True))
    ids = list(Referral.objects.filter(service_id=service_id).order_by("pk").values_list("pk", flat=True))
    stale = set(FamilySummary.objects.filter(service_id=service_id).values_list("referral_id", flat=True)) - set(ids)
    done = refresh(ids + sorted(stale))
    visit_months.rebuild(service_id)
    FamilyChange.objects.filter(pk__in=pending).delete()
    logger.info("Dashboard summaries of service %s rebuilt: %s families", service_id, done)
    return done
