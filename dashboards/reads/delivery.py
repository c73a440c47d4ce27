"""Delivery and outcomes for the families first allocated in the period: cycles per family, visits not attended or
cancelled, and the outcome measures' figures."""

from collections import Counter
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q

from core.prepared import DATE, prepared_by_shape
from cycles.models import Visit, VisitOutcome
from dashboards.models import ItemKind, SummaryItem
from dashboards.reads.scope import Scope, during, first_allocated_figures, first_allocated_summaries, percent
from outcomes.reads import figures_from_pairs


def cycles_per_family(scope: Scope) -> list[tuple[str, int]]:
    """(number of cycles, families) for the families first allocated in the period, none counted as 0 (one query
    on the families' summaries)."""
    on = scope.on()
    counted = Counter(dict(_families_by_cycles((on,), on, scope.start, scope.end)))
    return [(str(n), counted[n]) for n in sorted(counted) if counted[n]]


@prepared_by_shape(DATE, DATE)
def _families_by_cycles(on: Q, start: date, end: date):
    """(cycles, families) of the families first allocated in the period (`Scope.first_allocated`), compiled once
    per shape of the scope's rule (ADR 0032)."""
    return (
        first_allocated_summaries(on, start, end)
        .order_by()
        .values("cycles")
        .annotate(n=Count("pk"))
        .values_list("cycles", "n")
    )


def delivery(scope: Scope) -> dict:
    """Cycles per family first allocated in the period, and of the visits planned in the period whose outcome is
    recorded, the share not attended and cancelled (`scope.visits_in_period`)."""
    distribution = cycles_per_family(scope)
    outcomes = scope.visits_in_period.by_outcome
    v = {
        "recorded": sum(outcomes.values()),
        "dna": outcomes[VisitOutcome.DID_NOT_ATTEND],
        "by_family": outcomes[VisitOutcome.CANCELLED_BY_FAMILY],
        "by_service": outcomes[VisitOutcome.CANCELLED_BY_SERVICE],
    }
    return {
        "cycles_per_family": distribution,
        "families": sum(n for _, n in distribution),
        "visits_recorded": v["recorded"],
        "did_not_attend": v["dna"],
        "cancelled_by_family": v["by_family"],
        "cancelled_by_service": v["by_service"],
        "dna_rate": percent(v["dna"], v["recorded"]),
        "cancellation_rate": percent(v["by_family"] + v["by_service"], v["recorded"]),
    }


def outcomes(scope: Scope) -> dict:
    """The outcomes selector's figures for families first allocated in the period: their baseline/end pairs and
    helping-question ratings from the summaries, dated by the first allocation (one query), and the closed ones with
    both measures (`first_allocated_figures`, shared with the waits)."""
    closed = first_allocated_figures(scope)
    on = scope.on()
    pairs = _pairs((on,), on, scope.start, scope.end)
    return figures_from_pairs(service=scope.service, pairs=pairs, closed=closed["closed"], both=closed["both"])


@prepared_by_shape(DATE, DATE)
def _pairs(on: Q, start: date, end: date):
    """(kind, instrument, baseline, end, families) of the measure pairs and helping-question ratings of the
    families first allocated in the period, compiled once per shape of the scope's rule (ADR 0032)."""
    return (
        SummaryItem.objects.filter(on, kind__in=[ItemKind.PAIR, ItemKind.GOAL])
        .filter(day__range=(start, end))
        .values_list("kind", "key", "first", "last")
        .annotate(n=Count("pk"))
        .order_by()
    )


def with_visits(scope: Scope, q: Q):
    """Families in scope with a visit planned in the period that matches `q`."""
    visits = Visit.objects.in_force().filter(q, during(scope, "planned_at"), referral_id=OuterRef("pk"))
    return scope.referrals.filter(Exists(visits))


def delivery_lists(scope: Scope) -> dict:
    """The families behind the visit figures (not attended, cancelled)."""
    return {
        "did_not_attend": (
            "Families with a visit not attended in the period",
            lambda: with_visits(scope, Q(outcome=VisitOutcome.DID_NOT_ATTEND)),
        ),
        "cancelled": (
            "Families with a visit cancelled in the period",
            lambda: with_visits(
                scope, Q(outcome__in=[VisitOutcome.CANCELLED_BY_FAMILY, VisitOutcome.CANCELLED_BY_SERVICE])
            ),
        ),
    }
