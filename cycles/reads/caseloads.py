"""What the cycles app adds to every caseload row: last contact, next visit, liaison, what is overdue, and the
family's real stage in words ("Cycle 2: review due").

Registered with `referrals.reads.caseloads.caseload_row_enricher` (imported in `CyclesConfig.ready`), and called once
with all the rows: four queries over the rows' referral ids, whatever the number of families. The stage needs
only which cycles have a filming and a shared review in force, so it reads those facts (`_cycle_work`), not the
cycles' filmings, clips and reviews as objects: a practitioner holding 60 families has some 500 clips.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.utils import timezone

from core.lookups import among
from core.prepared import IDS, INSTANT, prepared
from cycles.models import Consent, Cycle, Filming, Liaison, SharedReview, Visit, VisitOutcome
from referrals.reads.caseloads import CaseloadRow, caseload_row_enricher

LIAISON_DUE_DAYS = 14
AWAITING_FIRST_CONTACT = "Allocated – awaiting first contact"


def stage_for(*, consented: bool, cycles: list, planned_cycles: int, contacted: bool = True) -> str:
    """Where the family is in their VIG work, in words, from their consent and cycles (filming, shared review).

    `cycles`: `Cycle`s with their work prefetched (`timeline.in_force_work`) or `CycleWork`s, in any order.
    """
    if not consented:
        return "Consent to record" if contacted else AWAITING_FIRST_CONTACT
    reviewed = 0
    for cycle in sorted(cycles, key=lambda c: c.number):
        if cycle.filming is None:
            return f"Cycle {cycle.number}: filming due"
        if cycle.shared_review is None:
            return f"Cycle {cycle.number}: review due"
        reviewed = cycle.number
    if reviewed and reviewed >= planned_cycles:
        return "All cycles done"
    return f"Cycle {reviewed + 1}: filming due"


@dataclass(frozen=True)
class CycleWork:
    """What `stage_for` reads of a cycle: its number and whether a filming and a shared review are in force
    (`filming` and `shared_review` are None when not, as on `Cycle`)."""

    number: int
    filming: bool | None
    shared_review: bool | None


@prepared(IDS)
def _cycle_work_rows(ids):
    filmed = Filming.objects.in_force().filter(cycle_id=OuterRef("pk"))
    reviewed = SharedReview.objects.in_force().filter(cycle_id=OuterRef("pk"))
    return (
        Cycle.objects.filter(among("referral_id", ids))
        .order_by()
        .annotate(filmed=Exists(filmed), reviewed=Exists(reviewed))
        .values_list("referral_id", "number", "filmed", "reviewed")
    )


def _cycle_work(ids: list[int]) -> dict[int, list[CycleWork]]:
    """Each family's cycles as `CycleWork`, in one query (two EXISTS per cycle on their cycle indexes). The four
    reads here are compiled once per process (`core.prepared`): every caseload page makes them."""
    found: dict[int, list[CycleWork]] = defaultdict(list)
    for referral_id, number, has_filming, has_review in _cycle_work_rows(ids):
        found[referral_id].append(CycleWork(number, has_filming or None, has_review or None))
    return found


@prepared(IDS, INSTANT)
def _visit_figure_rows(ids, now):
    return (
        Visit.objects.in_force()
        .filter(among("referral_id", ids))
        .order_by()
        .values("referral_id")
        .annotate(
            last_attended=Max("planned_at", filter=Q(outcome=VisitOutcome.ATTENDED)),
            next_planned=Min("planned_at", filter=Q(outcome="", planned_at__gte=now)),
            not_recorded=Count("pk", filter=Q(outcome="", planned_at__lt=now)),
        )
    )


def _visit_figures(ids: list[int], now) -> dict[int, dict]:
    return {f["referral_id"]: f for f in _visit_figure_rows(ids, now)}


@prepared(IDS)
def _last_liaisons(ids):
    return (
        Liaison.objects.filter(among("referral_id", ids))
        .order_by()
        .values("referral_id")
        .annotate(last=Max("contacted_on"))
        .values_list("referral_id", "last")
    )


@prepared(IDS)
def _consented(ids):
    return Consent.objects.filter(among("referral_id", ids)).order_by().values_list("referral_id", flat=True)


def _local_date(value) -> date | None:
    return timezone.localtime(value).date() if value else None


@caseload_row_enricher
def enrich_caseload_rows(rows: list[CaseloadRow], today: date) -> None:
    """Fill contact, visits, liaison, overdue and stage for every row in four queries."""
    ids = [row.referral.pk for row in rows]
    visits = _visit_figures(ids, timezone.now())
    liaisons = dict(_last_liaisons(ids))
    consented = set(_consented(ids))
    cycles = _cycle_work(ids)
    for row in rows:
        pk = row.referral.pk
        figures = visits.get(pk, {})
        contacts = [d for d in (_local_date(figures.get("last_attended")), liaisons.get(pk)) if d]
        row.last_contact = max(contacts) if contacts else None
        row.next_visit = _local_date(figures.get("next_planned"))
        row.liaison_done = pk in liaisons
        reasons = []
        if figures.get("not_recorded"):
            n = figures["not_recorded"]
            reasons.append(f"{n} visit{'s' if n > 1 else ''} not yet recorded")
        if not row.liaison_done and row.days_since_allocation > LIAISON_DUE_DAYS:
            reasons.append(f"Liaison with the referrer not done after {LIAISON_DUE_DAYS} days")
        row.overdue_reasons, row.overdue = reasons, bool(reasons)
        row.status = stage_for(
            consented=pk in consented,
            cycles=cycles.get(pk, []),
            planned_cycles=row.referral.service.planned_cycles,
            contacted=row.last_contact is not None,
        )
