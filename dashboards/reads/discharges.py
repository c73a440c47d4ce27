"""Discharges: the period's standing discharges by reason, and cycles completed against the service's plan."""

from collections import Counter
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from core.prepared import DATE, prepared_by_shape
from cycles.models import SharedReview
from dashboards.models import ItemKind
from dashboards.reads.scope import Scope, summary_items
from discharge.models import Discharge, DischargeReason

PLAN_BUCKETS = (("fewer", "Fewer cycles than planned"), ("as_planned", "As planned"), ("more", "More than planned"))


def standing_discharges(scope: Scope):
    """Discharges in the period that stand (a reopened family's discharge is undone), of families in scope."""
    return Discharge.objects.current().filter(scope.on("referral"), discharged_on__range=(scope.start, scope.end))


def reviewed_cycles():
    """The number of the outer discharge's family's cycles with a shared review: a cycle counts as completed once
    reviewed."""
    reviewed = (
        SharedReview.objects.in_force()
        .filter(cycle__referral_id=OuterRef("referral_id"))
        .order_by()
        .values("cycle__referral_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(reviewed, output_field=IntegerField()), 0)


@prepared_by_shape(DATE, DATE)
def _discharges_by_reason_and_cycles(on: Q, start: date, end: date):
    """The period's discharges (`Scope.items`) by reason and cycles completed, compiled once per shape of the
    scope's rule (ADR 0032)."""
    return (
        summary_items(on, ItemKind.DISCHARGE, start, end)
        .order_by()
        .values("key", "first")
        .annotate(n=Sum("n"))
        .values_list("key", "first", "n")
    )


def discharges(scope: Scope) -> dict:
    """Discharges in the period by reason, and cycles completed (with a shared review) against the service's
    planned cycles at discharge: one query on the families' summaries, grouped by both."""
    reasons = dict(DischargeReason.choices)
    on = scope.on()
    by_reason: Counter = Counter()
    actual: Counter = Counter()
    for reason, done, n in _discharges_by_reason_and_cycles((on,), on, scope.start, scope.end):
        by_reason[reason] += n
        actual[int(done or 0)] += n
    planned = scope.service.planned_cycles
    buckets = {"fewer": 0, "as_planned": 0, "more": 0}
    for cycles, n in actual.items():
        buckets["fewer" if cycles < planned else "as_planned" if cycles == planned else "more"] += n
    return {
        "total": sum(by_reason.values()),
        "by_reason": [
            (reason, reasons.get(reason, reason), n)
            for reason, n in sorted(by_reason.items(), key=lambda item: (-item[1], item[0]))
        ],
        "planned_cycles": planned,
        "cycles_at_discharge": [(str(cycles), actual[cycles]) for cycles in sorted(actual)],
        "against_plan": [(key, label, buckets[key]) for key, label in PLAN_BUCKETS],
    }


def discharge_lists(scope: Scope) -> dict:
    """The families behind the discharge figures: all, per reason, and per bucket against the plan."""
    lists = {
        "discharged": (
            "Families discharged in the period",
            lambda: scope.referrals.filter(pk__in=standing_discharges(scope).values("referral_id")),
        )
    }
    for value, label in DischargeReason.choices:
        lists[f"discharged:{value}"] = (
            f"Families discharged in the period: {label}",
            lambda value=value: scope.referrals.filter(
                pk__in=standing_discharges(scope).filter(reason=value).values("referral_id")
            ),
        )
    planned = scope.service.planned_cycles
    against = {"fewer": Q(done__lt=planned), "as_planned": Q(done=planned), "more": Q(done__gt=planned)}
    for key, label in PLAN_BUCKETS:
        lists[f"against_plan:{key}"] = (
            f"Families discharged in the period: {label.lower()} ({planned} planned)",
            lambda key=key: scope.referrals.filter(
                pk__in=standing_discharges(scope)
                .annotate(done=reviewed_cycles())
                .filter(against[key])
                .values("referral_id")
            ),
        )
    return lists
