"""The quarterly commissioner return: counts only, no family named, worked out from dates so a past quarter's return
stays what it was.

Quarters are NHS financial quarters (the year runs April to March: Q1 is April to June, Q4 January to March),
named as commissioners name them: "2026/27 Q3". A quarter still in progress is counted "to date" and stops at today;
a quarter that has not started has no return."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, Sum

from dashboards.models import ItemKind, SummaryItem
from dashboards.reads.scope import Scope
from dashboards.reads.waits import band_filters
from dashboards.summaries import catch_up
from discharge.models import DischargeReason
from outcomes.reads import figures_from_pairs


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of NHS financial quarter `quarter` (1–4) of the financial year starting in April of
    `year`: Q1 is April to June of `year`, Q4 January to March of `year + 1`."""
    first_month = 4 + 3 * (quarter - 1)
    start = date(year + (first_month > 12), (first_month - 1) % 12 + 1, 1)
    after = 4 + 3 * quarter
    end = date(year + (after > 12), (after - 1) % 12 + 1, 1) - timedelta(days=1)
    return start, end


@dataclass(frozen=True)
class Quarter:
    """One NHS financial quarter: `year` is the financial year's first (April) year, so 2026, 3 is "2026/27 Q3"."""

    year: int
    quarter: int

    @classmethod
    def of(cls, day: date) -> "Quarter":
        """The financial quarter a day falls in (31 March is 2025/26 Q4, 1 April 2026/27 Q1)."""
        year = day.year if day.month >= 4 else day.year - 1
        return cls(year, (day.month - 4) % 12 // 3 + 1)

    @classmethod
    def parse(cls, value: str) -> "Quarter | None":
        """A quarter as the page's list names it ("2026-Q3"); None for anything else (never an exception)."""
        match = re.fullmatch(r"(\d{4})-Q([1-4])", value or "")
        if not match or not 2000 <= int(match[1]) <= 2999:
            return None
        return cls(int(match[1]), int(match[2]))

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d} Q{self.quarter}"

    @property
    def bounds(self) -> tuple[date, date]:
        return quarter_bounds(self.year, self.quarter)

    def previous(self) -> "Quarter":
        return Quarter(self.year, self.quarter - 1) if self.quarter > 1 else Quarter(self.year - 1, 4)

    def counted(self, today: date) -> tuple[date, date, bool]:
        """(first day, last day counted, whether the quarter is still in progress): a quarter in progress stops at
        today, so the return never holds figures for dates still to come. Call only for a quarter that has begun."""
        start, end = self.bounds
        return start, min(end, today), end > today

    def has_begun(self, today: date) -> bool:
        return self.bounds[0] <= today


def recent_quarters(today: date, count: int = 8) -> list[Quarter]:
    """The quarter in progress and the `count - 1` before it, newest first: what the page offers to choose from."""
    quarters = [Quarter.of(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters


def waiting_at_end(scope: Scope):
    """The summaries of families who were on the waiting list at the end of the period: accepted by then, neither
    allocated nor closed by then. Worked out from dates, not today's status, so a past quarter's return stays what
    it was (ADR 0022: each family's first acceptance and first allocation are on its summary)."""
    _, end = scope.moments
    return (
        scope.summaries.filter(date_received__lte=scope.end, first_accepted_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        .filter(Q(first_allocated_at__isnull=True) | Q(first_allocated_at__gte=end))
    )


def commissioner_return(
    scope: Scope, quarter: Quarter | None = None, *, to_date: bool = False
) -> list[tuple[str, object]]:
    """The quarter's return: referrals received and accepted, the waiting list at the quarter's end (or today, for
    a quarter in progress) in bands, families discharged (standing discharges dated in the quarter) by reason, and
    their outcome pairs with the mean change. Counts only: no family is named. The caller sets the scope's period
    to the quarter as counted (`Quarter.counted`), never past today. Read from the families' summaries (ADR 0022),
    after working off any change not yet in them."""
    catch_up(scope.service.pk)
    counts = scope.summaries.filter(date_received__range=(scope.start, scope.end)).aggregate(
        received=Count("pk"), accepted=Count("pk", filter=Q(accepted=True))
    )
    end = scope.end
    bands = waiting_at_end(scope).aggregate(
        **{f"b{i}": Count("pk", filter=q) for i, (_, q) in enumerate(band_filters(end))}
    )
    discharged = scope.items(ItemKind.DISCHARGE)
    by_reason = dict(discharged.order_by().values("key").annotate(n=Sum("n")).values_list("key", "n"))
    rows: list[tuple[str, object]] = [("Quarter", f"{quarter.label}{' to date' if to_date else ''}")] if quarter else []
    rows += [
        ("Service", scope.service.name),
        ("Site", scope.site.name if scope.site else "All sites"),
        ("Period start", scope.start.isoformat()),
        ("Period end", end.isoformat()),
        ("Referrals received", counts["received"]),
        ("Referrals accepted", counts["accepted"]),
    ]
    rows += [(f"Waiting at period end: {label}", bands[f"b{i}"]) for i, (label, _) in enumerate(band_filters(end))]
    rows.append(("Discharged", sum(by_reason.values())))
    rows += [(f"Discharged: {label}", by_reason.get(value, 0)) for value, label in DischargeReason.choices]
    pairs = (
        SummaryItem.objects.filter(
            kind__in=[ItemKind.PAIR, ItemKind.GOAL], referral_id__in=discharged.values("referral_id")
        )
        .values_list("kind", "key", "first", "last")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for figure in figures_from_pairs(service=scope.service, pairs=pairs, closed=0, both=0)["measures"]:
        rows.append((f"{figure['name']} {figure['scale_label']}: baseline/end pairs", figure["pairs"]))
        rows.append((f"{figure['name']} {figure['scale_label']}: mean change", figure["mean_change"]))
    return rows
