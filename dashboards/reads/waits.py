"""Waiting: the waiting list now in the NHS wait bands, and the waits to allocation and to first filming."""

from datetime import date, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from core.prepared import DATE, prepared_by_shape
from dashboards.reads.scope import (
    Scope,
    contradictory_q,
    first_allocated_figures,
    first_allocated_summaries,
    first_allocations,
    first_row,
)
from referrals.models import Referral
from referrals.reads.caseloads import WAIT_BANDS
from referrals.states import ReferralStatus

# Every band's edges, in weeks before today.
EDGE_WEEKS = tuple(sorted({weeks for low, high, _ in WAIT_BANDS for weeks in (low, high) if weeks is not None}))


def band_filters(today: date) -> list[tuple[str, Q]]:
    """Each NHS wait band as a filter on date_received: the same edges as `referrals.reads.caseloads.wait_band` (a band
    includes its lower edge: exactly 7 days is '1–2 weeks', exactly 52 weeks is '52+ weeks')."""
    return _bands(_edges(today))


def _edges(today: date) -> tuple[date, ...]:
    """The day each of `EDGE_WEEKS` falls on, counted back from today."""
    return tuple(today - timedelta(days=weeks * 7) for weeks in EDGE_WEEKS)


def _bands(edges: tuple[date, ...]) -> list[tuple[str, Q]]:
    """`band_filters` from the edges' days (`_edges`), so a read compiled once can take them as values."""
    day = dict(zip(EDGE_WEEKS, edges, strict=True))
    filters = []
    for low, high, label in WAIT_BANDS:
        q = Q(date_received__lte=day[low])
        if high is not None:
            q &= Q(date_received__gt=day[high])
        filters.append((label, q))
    return filters


@prepared_by_shape(*(DATE,) * len(EDGE_WEEKS))
def _waiting_counts(on: Q, *edges: date):
    """The waiting list's count, oldest referral and bands, as one row for the scope's service (none: no one waits),
    compiled once per shape of the scope's rule (ADR 0032)."""
    return (
        Referral.objects.filter(on, status=ReferralStatus.ACCEPTED)
        .order_by()
        .values("service_id")
        .annotate(
            total=Count("pk"),
            oldest=Min("date_received"),
            **{f"band{i}": Count("pk", filter=q) for i, (_, q) in enumerate(_bands(edges))},
        )
    )


def waiting(scope: Scope, today: date | None = None) -> dict:
    """The waiting list now (accepted, not yet allocated) in the NHS bands with the longest wait (one query), and
    the median waits referral → allocation and allocation → first filming for families first allocated in the
    period, leaving out those whose dates contradict each other, with how many there were
    (`first_allocated_figures`, one statement shared with the outcomes)."""
    today = today or timezone.localdate()
    bands = band_filters(today)
    on = scope.on()
    counts = first_row(
        _waiting_counts((on,), on, *_edges(today)),
        total=0,
        oldest=None,
        **{f"band{i}": 0 for i in range(len(bands))},
    )
    contradictions = contradictory_records(scope)
    waits = first_allocated_figures(scope)
    return {
        "total": counts["total"],
        "bands": [(label, counts[f"band{i}"]) for i, (label, _) in enumerate(bands)],
        "longest_days": (today - counts["oldest"]).days if counts["oldest"] else None,
        "median_days_to_allocation": waits["to_allocation"],
        "median_days_allocation_to_filming": waits["to_filming"],
        "allocated_in_period": waits["allocated"],
        "contradictory": len(contradictions),
    }


@prepared_by_shape(DATE, DATE)
def _contradictory_rows(on: Q, start: date, end: date):
    """`contradictory_records`' rows (`Scope.first_allocated`), compiled once per shape of the scope's rule."""
    return (
        first_allocated_summaries(on, start, end)
        .filter(contradictory_q())
        .order_by()
        .values_list("referral_id", "date_received", "first_allocated_on", "first_filmed_on")
    )


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def contradictory_records(scope: Scope) -> dict[int, list[str]]:
    """The families first allocated in the period whose dates contradict each other, and what contradicts. A wait
    worked out from them would be negative (a "median of −31.5 days" shown as a fact), so the waits leave them out
    and the page lists them as a data-quality item for someone to correct. One query, once a page (the waits and
    the data-quality list both ask), reading only the contradictory families."""
    found = scope.__dict__.get("_contradictions")
    if found is not None:
        return found
    found = {}
    on = scope.on()
    rows = _contradictory_rows((on,), on, scope.start, scope.end)
    for referral_id, received, allocated_on, filmed in rows:
        problems = []
        if allocated_on < received:
            problems.append(f"allocated on {_day(allocated_on)}, before the referral was received ({_day(received)})")
        if filmed is not None and filmed < allocated_on:
            problems.append(f"first filmed on {_day(filmed)}, before the first allocation ({_day(allocated_on)})")
        found[referral_id] = problems
    scope.__dict__["_contradictions"] = found
    return found


def allocated_in_period(scope: Scope):
    """Families whose first allocation falls in the period: the denominator of delivery and outcome figures."""
    return scope.referrals.filter(pk__in=first_allocations(scope).values("referral_id"))


def waiting_lists(scope: Scope, today: date) -> dict:
    """The families behind the waiting figures: waiting now (in all and per band) and first allocated."""
    lists = {
        "waiting": ("Waiting for allocation now", lambda: scope.referrals.filter(status=ReferralStatus.ACCEPTED)),
        "allocated": ("Families first allocated in the period", lambda: allocated_in_period(scope)),
        "contradictory": (
            "Families first allocated in the period whose dates contradict each other",
            lambda: scope.referrals.filter(pk__in=list(contradictory_records(scope))),
        ),
    }
    for label, q in band_filters(today):
        lists[f"band:{label}"] = (
            f"Waiting now, {label}",
            lambda q=q: scope.referrals.filter(q, status=ReferralStatus.ACCEPTED),
        )
    return lists
