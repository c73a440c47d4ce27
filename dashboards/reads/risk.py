"""Risk alerts: risk answers raised in the period and how fast someone acted on them."""

from datetime import datetime

from django.db.models import Exists, Min, OuterRef, Q

from core.prepared import INSTANT, prepared_by_shape
from dashboards.reads.scope import Scope, median
from notices.models import Notice, NoticeKind


def risk_alert_notices(scope: Scope):
    """Risk-answer notices raised in the period for families in scope (one per recipient per measure)."""
    start, end = scope.moments
    return _risk_answers(scope.on("referral"), start, end)


def _risk_answers(on_family: Q, start: datetime, end: datetime):
    return Notice.objects.filter(on_family, created_at__gte=start, created_at__lt=end, kind=NoticeKind.RISK_ANSWER)


@prepared_by_shape(INSTANT, INSTANT)
def _alerts(on_family: Q, start: datetime, end: datetime):
    """Each alert with when its first notice was raised and first acted on, compiled once per shape of the scope's
    rule, the period's moments as values (ADR 0032)."""
    return (
        _risk_answers(on_family, start, end)
        .order_by()
        .values("object_type", "object_id")
        .annotate(raised=Min("created_at"), acknowledged=Min("acknowledged_at"))
    )


def risk_alerts(scope: Scope) -> dict:
    """Risk answers raised in the period and how fast someone acted on them (one query). An alert goes to several
    people; it counts once, raised when its first notice was and acknowledged when the first of them acted."""
    on_family = scope.on("referral")
    alerts = _alerts((on_family,), on_family, *scope.moments)
    hours, still_open = [], 0
    for alert in alerts:
        if alert["acknowledged"] is None:
            still_open += 1
        else:
            hours.append((alert["acknowledged"] - alert["raised"]).total_seconds() / 3600)
    return {
        "raised": len(hours) + still_open,
        "acknowledged": len(hours),
        "open": still_open,
        "median_hours_to_acknowledge": median(hours),
        "longest_hours_to_acknowledge": round(max(hours), 1) if hours else None,
    }


def risk_lists(scope: Scope) -> dict:
    """The families behind the risk figures: every alert raised, and those nobody has acted on yet."""
    acted_on = Notice.objects.filter(
        kind=NoticeKind.RISK_ANSWER,
        object_type=OuterRef("object_type"),
        object_id=OuterRef("object_id"),
        acknowledged_at__isnull=False,
    )
    return {
        "risk_alerts": (
            "Families with a risk answer raised in the period",
            lambda: scope.referrals.filter(pk__in=risk_alert_notices(scope).values("referral_id")),
        ),
        "risk_open": (
            "Families with a risk answer raised in the period that nobody has acted on yet",
            lambda: scope.referrals.filter(
                pk__in=risk_alert_notices(scope).exclude(Exists(acted_on)).values("referral_id")
            ),
        ),
    }
