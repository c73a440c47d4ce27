"""What the dashboard's figures cover (`Scope`: a service, optionally a site, a period, who is asking) and the
small sums every figure group shares.

Every figure starts from `scope.referrals`: the referrals of one service (and optionally one site) that the user
may see with dashboard.view, so a site-limited manager's figures never count another site's families. Medians of days
(`median_days`) are PostgreSQL's `percentile_cont` there, and taken in Python over the period's rows on SQLite,
which lacks it.
"""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.db import connections
from django.db.models import Aggregate, Count, Exists, F, FloatField, Func, IntegerField, OuterRef, Q
from django.utils import timezone

from accounts.models import Service, Site
from accounts.permissions import Perm, memberships_with, service_scope_q
from core.lookups import among
from core.prepared import DATE, IDS, INT, PreparedByShape, prepared
from dashboards import visit_months
from dashboards.models import FamilySummary, SummaryItem
from dashboards.visit_months import VisitCounts
from referrals.models import Allocation, Referral
from referrals.states import OPEN_STATUSES

QUIET_WEEKS = 6  # "nothing recorded for N weeks": the default N, changeable on the page
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Scope:
    """What the figures cover: a service, optionally a site, a period (inclusive dates), and who is asking."""

    user: object
    service: Service
    site: Site | None
    start: date
    end: date
    quiet_weeks: int = QUIET_WEEKS

    @property
    def moments(self) -> tuple[datetime, datetime]:
        """The period as [start, end) aware datetimes: a range an index on a timestamp can serve, where
        `__date__range` would convert every row's timestamp first."""
        zone = timezone.get_current_timezone()
        start = datetime.combine(self.start, time.min, tzinfo=zone)
        return start, datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)

    def on(self, path: str = "") -> Q:
        """The referrals in scope as a condition, reached through `path` from another model ("referral",
        "filming__cycle__referral"): a join the planner can drive from the smaller side, rather than
        `IN (SELECT …)` over every referral of the service. The rule is `permissions.service_scope_q`: the same
        families `Referral.objects.visible_to(user, dashboard.view)` gives for this service (tested), failing closed."""
        q = service_scope_q(self.user, Perm.DASHBOARD_VIEW, self.service.pk, path=path)
        if self.site is not None:
            q &= Q(**{f"{path}__site_id" if path else "site_id": self.site.pk})
        return q

    def received_on(self, path: str = "") -> Q:
        """Referrals in scope received in the period, reached through `path`."""
        field = f"{path}__date_received" if path else "date_received"
        return self.on(path) & Q(**{f"{field}__range": (self.start, self.end)})

    @property
    def referrals(self):
        return Referral.objects.filter(self.on())

    @property
    def first_allocated(self):
        """The summaries of the families in scope first allocated in the period (ADR 0022): the waits, delivery
        and outcome figures all count these families. Bounded by the period."""
        return first_allocated_summaries(self.on(), self.start, self.end)

    @property
    def summaries(self):
        """The families' summaries in scope (`dashboards.models.FamilySummary`): the same families as
        `referrals`, with the facts every period figure counts."""
        return FamilySummary.objects.filter(self.on())

    def items(self, kind: str, *, dated: bool = True):
        """The families' summary items of one kind in scope, those dated in the period unless `dated` is False."""
        if dated:
            return summary_items(self.on(), kind, self.start, self.end)
        return SummaryItem.objects.filter(self.on(), kind=kind)

    @cached_property
    def visits_in_period(self) -> VisitCounts:
        """The visits (in force) to families in scope planned in the period, by practitioner and weekday and by
        outcome (`dashboards.visit_months.counts`: whole months from the month roll-up, the rest from the visit
        items), read by both the visit rates and protected days in use."""
        return visit_months.counts(self.on(), self.start, self.end)

    @property
    def received(self):
        return Referral.objects.filter(self.received_on())

    def site_ids(self) -> set[int] | None:
        """The sites the figures may show staff of: the chosen one, or the user's sites in the service (None: all).
        Someone with no dashboard role in the service covers no site (an empty set, never None)."""
        limited = [
            m.site_ids for m in memberships_with(self.user, Perm.DASHBOARD_VIEW) if m.service_id == self.service.pk
        ]
        if not limited:
            return set()
        if self.site is not None:
            return {self.site.pk} if any(not ids or self.site.pk in ids for ids in limited) else set()
        if any(not ids for ids in limited):
            return None
        return set().union(*limited)


def first_allocated_summaries(on: Q, start: date, end: date):
    """`Scope.first_allocated` from its parts, for the reads compiled once per shape of the scope's rule (the
    period's days are their values, ADR 0032)."""
    return FamilySummary.objects.filter(on, first_allocated_on__range=(start, end))


def summary_items(on: Q, kind: str, start: date, end: date):
    """`Scope.items(kind)` from its parts, as `first_allocated_summaries`."""
    return SummaryItem.objects.filter(on, kind=kind, day__range=(start, end))


def during(scope: Scope, field: str) -> Q:
    """A timestamp field within the scope's period (local days, both inclusive), as an index-friendly range."""
    start, end = scope.moments
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last 12 months, ending today."""
    today = today or timezone.localdate()
    return today - timedelta(days=365), today


class _Median(Aggregate):
    """PostgreSQL's median: percentile_cont(0.5), the mean of the two middle values, as `statistics.median`."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class _DaysBetween(Func):
    """later − earlier, two date columns, in whole days (PostgreSQL: date − date is an integer)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()


def _medians(spans: dict[str, tuple[str, str]], leave_out: Q | None) -> dict:
    """PostgreSQL's median of each span's days, leaving out rows where either day is unknown or `leave_out` holds."""
    kept = ~leave_out if leave_out is not None else Q()
    return {
        name: _Median(
            _DaysBetween(F(later), F(earlier)),
            filter=Q(**{f"{later}__isnull": False, f"{earlier}__isnull": False}) & kept,
        )
        for name, (later, earlier) in spans.items()
    }


def _rounded(found: dict, spans) -> dict:
    return {name: round(value, 1) if name in spans and value is not None else value for name, value in found.items()}


_summary_medians: dict[str, PreparedByShape] = {}


def summary_medians(
    name: str,
    scope: "Scope",
    field: str,
    spans: dict[str, tuple[str, str]],
    *,
    extra: Q | None = None,
    leave_out: Q | None = None,
    **totals,
) -> dict:
    """`median_days` over the scope's families' summaries with `field` (a day) in the period and matching `extra`.
    On PostgreSQL it is read grouped by the scope's one service with SQL compiled once per shape of the scope's
    rule, the period's days as values (ADR 0032), under `name`: one name, one fixed set of spans and totals (the
    dashboard's triage and first-allocation figures)."""
    if connections[FamilySummary.objects.db].vendor != "postgresql":
        rows = scope.summaries.filter(**{f"{field}__range": (scope.start, scope.end)})
        return median_days(rows.filter(extra) if extra is not None else rows, spans, leave_out=leave_out, **totals)
    read = _summary_medians.get(name)
    if read is None:

        def build(on: Q, start: date, end: date):
            rows = FamilySummary.objects.filter(on, **{f"{field}__range": (start, end)})
            if extra is not None:
                rows = rows.filter(extra)
            return rows.order_by().values("service_id").annotate(**totals, **_medians(spans, leave_out))

        read = _summary_medians.setdefault(name, PreparedByShape(build, (DATE, DATE)))
    on = scope.on()
    empty = {total: aggregate.empty_result_set_value for total, aggregate in totals.items()} | dict.fromkeys(spans)
    return _rounded(first_row(read((on,), on, scope.start, scope.end), **empty), spans)


def median_days(rows, spans: dict[str, tuple[str, str]], *, leave_out: Q | None = None, **totals) -> dict:
    """Over `rows` (a queryset): the median days of each span {name: (later field, earlier field)}, leaving out
    rows where either day is unknown and rows matching `leave_out`, to one decimal place (None when no row has
    both), and `totals` (aggregates, such as counts, over every row). PostgreSQL works it all out in one statement;
    elsewhere (SQLite) the medians are taken in Python over the rows' days (a second query when there are totals).
    A backlogged service's year is thousands of families: sending their days to the app to take a median cost the
    dashboard more than the database's own work."""
    if connections[rows.db].vendor == "postgresql":
        return _rounded(rows.aggregate(**totals, **_medians(spans, leave_out)), spans)
    found = rows.aggregate(**totals) if totals else {}
    fields = sorted({field for pair in spans.values() for field in pair})
    kept_rows = rows.exclude(leave_out) if leave_out is not None else rows
    days = list(kept_rows.order_by().values_list(*fields))
    for name, (later, earlier) in spans.items():
        i, j = fields.index(later), fields.index(earlier)
        found[name] = median((row[i] - row[j]).days for row in days if row[i] is not None and row[j] is not None)
    return found


def first_row(rows: list, **empty) -> dict:
    """What `aggregate(...)` answers, from a read grouped by the scope's one service (so one row, or none where no
    row matched): the row's figures, or each figure's empty value (`empty`: a count's 0, a sum's or a date's None).
    A grouped read can be compiled once (`core.prepared`); `aggregate()` compiles as it runs."""
    return {name: rows[0][name] for name in empty} if rows else dict(empty)


def contradictory_q() -> Q:
    """A family summary whose dates contradict each other: first allocated before the referral was received, or
    first filmed before the first allocation."""
    return Q(first_allocated_on__lt=F("date_received")) | Q(first_filmed_on__lt=F("first_allocated_on"))


def first_allocated_figures(scope: Scope) -> dict:
    """Of the families first allocated in the period (`scope.first_allocated`): how many (`allocated`), how many are
    closed and how many of those have a baseline and an end measure (`closed`, `both`), and the median waits
    referral → allocation and allocation → first filming, leaving out families whose dates contradict each other
    (`to_allocation`, `to_filming`). One statement on PostgreSQL, once a page: the waits and the outcomes both
    read it."""
    found = scope.__dict__.get("_first_allocated_figures")
    if found is None:
        found = summary_medians(
            "first_allocated",
            scope,
            "first_allocated_on",
            {
                "to_allocation": ("first_allocated_on", "date_received"),
                "to_filming": ("first_filmed_on", "first_allocated_on"),
            },
            leave_out=contradictory_q(),
            allocated=Count("pk"),
            closed=Count("pk", filter=~Q(status__in=OPEN_STATUSES)),
            both=Count("pk", filter=~Q(status__in=OPEN_STATUSES) & Q(baseline_and_end=True)),
        )
        scope.__dict__["_first_allocated_figures"] = found
    return found


def median(values) -> float | None:
    """The median of the values that are known, to one decimal place (None when none are)."""
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 1) if values else None


def percent(part: int, whole: int) -> float | None:
    """`part` as a percentage of `whole`, to one decimal place (None for an empty whole, never a division error)."""
    return round(100 * part / whole, 1) if whole else None


def first_allocations(scope: Scope):
    """Allocation rows that were their family's first, made in the period, for families in scope.

    Read from the allocations made in the period (an index on `allocated_at`), not by working out every family's
    first allocation across ten years of referrals and then filtering: the cost follows the period.
    """
    earlier = Allocation.objects.filter(referral_id=OuterRef("referral_id")).filter(
        Q(allocated_at__lt=OuterRef("allocated_at")) | Q(allocated_at=OuterRef("allocated_at"), pk__lt=OuterRef("pk"))
    )
    return (
        Allocation.objects.filter(during(scope, "allocated_at")).filter(scope.on("referral")).exclude(Exists(earlier))
    )


# The filter's choices, read on every look at a dashboard page: compiled once per process (ADR 0032).


@prepared(IDS)
def services_among(service_ids):
    """These services, by name: those a manager may choose from."""
    return Service.objects.filter(among("pk", service_ids)).order_by("name", "pk")


@prepared(INT)
def sites_of(service_id):
    """Every site of the service, by name: the choices of someone whose membership covers them all."""
    return Site.objects.filter(service_id=service_id).order_by("name", "pk")


@prepared(INT, IDS)
def sites_among(service_id, site_ids):
    """The service's sites among these, by name: the choices of someone limited to them."""
    return Site.objects.filter(among("pk", site_ids), service_id=service_id).order_by("name", "pk")
