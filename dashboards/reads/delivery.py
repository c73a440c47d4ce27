"""Delivery and outcomes for the families first allocated in the period: cycles per family, visits not attended or
cancelled, and the outcome measures' figures."""

from collections import Counter

from django.db.models import Count, Exists, OuterRef, Q

from core.lookups import among
from cycles.models import Cycle, Visit, VisitOutcome
from dashboards.reads.scope import Scope, during, percent
from outcomes.reads import service_figures
from referrals.states import OPEN_STATUSES


def cycles_per_family(scope: Scope) -> list[tuple[str, int]]:
    """(number of cycles, families) for the families first allocated in the period, none counted as 0 (one query
    over `scope.first_allocated`)."""
    ids = scope.first_allocated_ids
    counted = Counter(
        Cycle.objects.filter(among("referral_id", ids))
        .order_by()
        .values("referral_id")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    if len(ids) > sum(counted.values()):
        counted[0] = len(ids) - sum(counted.values())
    return [(str(n), counted[n]) for n in sorted(counted)]


def delivery(scope: Scope) -> dict:
    """Cycles per family first allocated in the period, and of the visits planned in the period whose outcome is
    recorded, the share not attended and cancelled (`scope.visits_in_period`)."""
    distribution = cycles_per_family(scope)
    outcomes = Counter()
    for _practitioner, _weekday, outcome, n in scope.visits_in_period:
        outcomes[outcome] += n
    v = {
        "recorded": sum(n for outcome, n in outcomes.items() if outcome),
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
    """The outcomes selector's figures for families first allocated in the period (four queries)."""
    closed = sorted({row[0] for row in scope.first_allocated if row[4] not in OPEN_STATUSES})
    return service_figures(service=scope.service, referral_ids=scope.first_allocated_ids, closed_ids=closed)


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
