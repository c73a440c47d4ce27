"""The quarterly commissioner return: counts only, no family named, worked out from dates so a past quarter's return
stays what it was."""

from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q

from dashboards.reads.discharges import standing_discharges
from dashboards.reads.intake import decided
from dashboards.reads.scope import Scope
from dashboards.reads.waits import band_filters
from discharge.models import DischargeReason
from outcomes.reads import service_figures
from referrals.models import Allocation, TriageDecision, TriageDecisionKind


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of a calendar quarter (1–4)."""
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def waiting_at_end(scope: Scope):
    """Families who were on the waiting list at the end of the period: accepted by then, neither allocated nor
    closed by then. Worked out from dates, not today's status, so a past quarter's return stays what it was."""
    _, end = scope.moments
    accepted = TriageDecision.objects.filter(
        referral_id=OuterRef("pk"), decision=TriageDecisionKind.ACCEPT, decided_at__lt=end
    )
    allocated = Allocation.objects.filter(referral_id=OuterRef("pk"), allocated_at__lt=end)
    return (
        scope.referrals.filter(date_received__lte=scope.end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        .filter(Exists(accepted))
        .exclude(Exists(allocated))
    )


def commissioner_return(scope: Scope) -> list[tuple[str, object]]:
    """The quarter's return: referrals received and accepted, the waiting list at the quarter's end in bands,
    families discharged (standing discharges dated in the quarter) by reason, and their outcome pairs with the
    mean change. Counts only: no family is named."""
    received = scope.received.count()
    accepted = scope.received.filter(Exists(decided(TriageDecisionKind.ACCEPT))).count()
    end = scope.end
    bands = waiting_at_end(scope).aggregate(
        **{f"b{i}": Count("pk", filter=q) for i, (_, q) in enumerate(band_filters(end))}
    )
    by_reason = dict(
        standing_discharges(scope).order_by().values("reason").annotate(n=Count("pk")).values_list("reason", "n")
    )
    rows: list[tuple[str, object]] = [
        ("Service", scope.service.name),
        ("Site", scope.site.name if scope.site else "All sites"),
        ("Period start", scope.start.isoformat()),
        ("Period end", end.isoformat()),
        ("Referrals received", received),
        ("Referrals accepted", accepted),
    ]
    rows += [(f"Waiting at period end: {label}", bands[f"b{i}"]) for i, (label, _) in enumerate(band_filters(end))]
    rows.append(("Discharged", sum(by_reason.values())))
    rows += [(f"Discharged: {label}", by_reason.get(value, 0)) for value, label in DischargeReason.choices]
    discharged = scope.referrals.filter(pk__in=standing_discharges(scope).values("referral_id"))
    for figure in service_figures(service=scope.service, referrals=discharged)["measures"]:
        rows.append((f"{figure['name']} {figure['scale_label']}: baseline/end pairs", figure["pairs"]))
        rows.append((f"{figure['name']} {figure['scale_label']}: mean change", figure["mean_change"]))
    return rows
