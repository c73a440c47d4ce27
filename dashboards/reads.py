"""The dashboard's figures, spanning apps, each counted in the database in a fixed number of queries.

Every figure starts from `scope.referrals`: the referrals of one service (and optionally one site) that the user
may see with dashboard.view, so a site-limited manager's figures never count another site's families. Medians are
taken in Python over one `values_list` of the period's durations (not PostgreSQL's `percentile_cont`, which
SQLite lacks): the list is bounded by the period, and it is still one query.
"""

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractIsoWeekDay, TruncDate, TruncMonth
from django.utils import timezone

from accounts.models import Membership, Service, Site
from accounts.permissions import Perm, memberships_with, service_scope_q
from core.lookups import among
from cycles.models import (
    ConsentDecision,
    Cycle,
    Filming,
    Footage,
    SharedReview,
    SupervisionSession,
    Visit,
    VisitOutcome,
)
from cycles.reads.progress import trainee_progress, trainees
from discharge.models import Discharge, DischargeReason
from letters.models import Letter
from letters.states import IN_PIPELINE, LetterStatus
from notices.models import Notice, NoticeKind
from outcomes.reads import service_figures
from referrals.models import Allocation, Referral, ReferralEvent, TriageDecision, TriageDecisionKind
from referrals.reads.caseloads import WAIT_BANDS, practitioners_in
from referrals.states import OPEN_STATUSES, ReferralStatus

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

    @cached_property
    def first_allocated(self) -> list[tuple[int, date, date, date | None, str]]:
        """(referral id, received, first allocated on, first filmed on, status now) for each family in scope first
        allocated in the period: one query, read once per page and shared by the waits, delivery and outcome
        figures (which would otherwise each work out the same first allocations again). Bounded by the period."""
        return list(
            first_allocations(self)
            .annotate(allocated_on=TruncDate("allocated_at"), first_filmed=Subquery(_first_filming()))
            .order_by()
            .values_list("referral_id", "referral__date_received", "allocated_on", "first_filmed", "referral__status")
        )

    @cached_property
    def visits_in_period(self) -> list[tuple[int, int, str, int]]:
        """(practitioner id, ISO weekday, outcome, number) of visits to families in scope planned in the period:
        one grouped query, read by both the visit rates and protected days in use."""
        return list(
            Visit.objects.in_force()
            .filter(during(self, "planned_at"), self.on("referral"))
            .annotate(weekday=ExtractIsoWeekDay("planned_at"))
            .order_by()
            .values_list("practitioner_id", "weekday", "outcome")
            .annotate(n=Count("pk"))
        )

    @property
    def first_allocated_ids(self) -> list[int]:
        return sorted({row[0] for row in self.first_allocated})

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


def during(scope: Scope, field: str) -> Q:
    """A timestamp field within the scope's period (local days, both inclusive), as an index-friendly range."""
    start, end = scope.moments
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last 12 months, ending today."""
    today = today or timezone.localdate()
    return today - timedelta(days=365), today


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 1) if values else None


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- Referrals in and triage ---------------------------------------------------------------------------------------


def _decided(kind: str):
    return TriageDecision.objects.filter(referral_id=OuterRef("pk"), decision=kind)


def referrals_in(scope: Scope) -> dict:
    """Referrals received in the period by month and by source (one query)."""
    rows = (
        scope.received.annotate(month=TruncMonth("date_received"))
        .values("month", "referral_source__name")
        .annotate(n=Count("pk"))
        .order_by("month", "referral_source__name")
    )
    by_month: dict = {}
    by_source: dict = {}
    for row in rows:
        month = row["month"]
        month = month.date() if hasattr(month, "date") and not isinstance(month, date) else month
        by_month[month] = by_month.get(month, 0) + row["n"]
        by_source[row["referral_source__name"]] = by_source.get(row["referral_source__name"], 0) + row["n"]
    return {
        "total": sum(by_month.values()),
        "by_month": [(m.strftime("%b %Y"), n) for m, n in sorted(by_month.items())],
        "by_source": sorted(by_source.items(), key=lambda item: (-item[1], item[0])),
    }


def triage(scope: Scope) -> dict:
    """Of the referrals received in the period that were decided (accepted or declined), how many were accepted,
    the median days from receipt to the first decision, and the declines' reasons: one query over the period's
    decisions, counted in Python (a few thousand rows a year).

    The denominator is decided referrals: one still in triage or withdrawn before a decision is neither.
    """
    rows = (
        TriageDecision.objects.filter(
            scope.received_on("referral"), decision__in=[TriageDecisionKind.ACCEPT, TriageDecisionKind.DECLINE]
        )
        .annotate(decided_on=TruncDate("decided_at"))
        .order_by()
        .values_list("referral_id", "referral__date_received", "decision", "decided_on", "reason")
    )
    first: dict[int, tuple[date, date]] = {}
    accepted_ids: set[int] = set()
    reason_counts: Counter = Counter()
    for referral_id, received, decision, decided_on, reason in rows:
        if referral_id not in first or decided_on < first[referral_id][1]:
            first[referral_id] = (received, decided_on)
        if decision == TriageDecisionKind.ACCEPT:
            accepted_ids.add(referral_id)
        else:
            reason_counts[reason] += 1
    counts = {"decided": len(first), "accepted": len(accepted_ids)}
    durations = [(decided_on - received).days for received, decided_on in first.values()]
    reasons = sorted(reason_counts.items(), key=lambda item: (-item[1], item[0]))[:10]
    return {
        "decided": counts["decided"],
        "accepted": counts["accepted"],
        "declined": counts["decided"] - counts["accepted"],
        "acceptance_rate": percent(counts["accepted"], counts["decided"]),
        "decline_reasons": reasons,
        "median_days_to_decision": median(durations),
    }


# --- Waiting ---------------------------------------------------------------------------------------------------------


def band_filters(today: date) -> list[tuple[str, Q]]:
    """Each NHS wait band as a filter on date_received: the same edges as `referrals.reads.caseloads.wait_band` (a band
    includes its lower edge: exactly 7 days is '1–2 weeks', exactly 52 weeks is '52+ weeks')."""
    filters = []
    for low, high, label in WAIT_BANDS:
        q = Q(date_received__lte=today - timedelta(days=low * 7))
        if high is not None:
            q &= Q(date_received__gt=today - timedelta(days=high * 7))
        filters.append((label, q))
    return filters


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


def _first_filming():
    return (
        Filming.objects.in_force()
        .filter(cycle__referral_id=OuterRef("referral_id"))
        .order_by("filmed_on")
        .values("filmed_on")[:1]
    )


def waiting(scope: Scope, today: date | None = None) -> dict:
    """The waiting list now (accepted, not yet allocated) in the NHS bands with the longest wait (one query), and
    the median waits referral → allocation and allocation → first filming for families first allocated in the
    period (`scope.first_allocated`)."""
    today = today or timezone.localdate()
    bands = band_filters(today)
    counts = scope.referrals.filter(status=ReferralStatus.ACCEPTED).aggregate(
        total=Count("pk"),
        oldest=Min("date_received"),
        **{f"band{i}": Count("pk", filter=q) for i, (_, q) in enumerate(bands)},
    )
    to_allocation, to_filming = [], []
    for _referral_id, received, allocated_on, filmed, _status in scope.first_allocated:
        to_allocation.append((allocated_on - received).days)
        if filmed is not None:
            to_filming.append((filmed - allocated_on).days)
    return {
        "total": counts["total"],
        "bands": [(label, counts[f"band{i}"]) for i, (label, _) in enumerate(bands)],
        "longest_days": (today - counts["oldest"]).days if counts["oldest"] else None,
        "median_days_to_allocation": median(to_allocation),
        "median_days_allocation_to_filming": median(to_filming),
        "allocated_in_period": len(to_allocation),
    }


# --- Caseloads, delivery ---------------------------------------------------------------------------------------------


def _at_sites(memberships, site_ids: set[int] | None):
    if site_ids is None:
        return memberships
    if not site_ids:
        return memberships.none()
    at = Membership.objects.filter(Q(sites__in=sorted(site_ids)) | Q(sites=None)).values("pk")
    return memberships.filter(pk__in=at)


def allocated_in_period(scope: Scope):
    """Families whose first allocation falls in the period: the denominator of delivery and outcome figures."""
    return scope.referrals.filter(pk__in=first_allocations(scope).values("referral_id"))


def delivery(scope: Scope) -> dict:
    """Cycles per family first allocated in the period (one query over `scope.first_allocated`), and of the visits
    planned in the period whose outcome is recorded, the share not attended and cancelled (`scope.visits_in_period`)."""
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
    distribution = [(str(n), counted[n]) for n in sorted(counted)]
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


def _last_recorded():
    return ReferralEvent.objects.filter(referral_id=OuterRef("pk")).order_by("-at", "-id").values("at")[:1]


def quiet_families(scope: Scope, now: datetime | None = None):
    """Allocated families whose record has had nothing written to it (no visit, consent, cycle, measure, note or
    reallocation: every change writes the family's history) for `scope.quiet_weeks` weeks. A family drifting out
    of contact shows here before anyone notices the silence. Read through the history's (referral, -at) index,
    one look-up per allocated family, never across the whole history."""
    cutoff = (now or timezone.now()) - timedelta(weeks=scope.quiet_weeks)
    return (
        scope.referrals.filter(status=ReferralStatus.ALLOCATED)
        .annotate(last_recorded=Subquery(_last_recorded()))
        .filter(last_recorded__lt=cutoff)
    )


def protected_days_in_use(scope: Scope, memberships: list) -> dict:
    """For each practitioner shown: their protected VIG weekdays, and of their visits to this service's families
    planned in the period (not cancelled by the service), how many fell on a protected day
    (`scope.visits_in_period`).

    Protected days only help if the VIG work lands on them: a low share says the days are being lost to other
    work (or the wrong days are protected)."""
    shown = {m.user_id for m in memberships}
    counts: dict[int, dict[int, int]] = {}
    for practitioner_id, weekday, outcome, n in scope.visits_in_period:
        if practitioner_id in shown and outcome != VisitOutcome.CANCELLED_BY_SERVICE:
            by_day = counts.setdefault(practitioner_id, {})
            by_day[weekday - 1] = by_day.get(weekday - 1, 0) + n
    per_practitioner = {}
    for membership in memberships:
        days = sorted(membership.details_or_default.protected_days or [])
        visits = counts.get(membership.user_id, {})
        per_practitioner[membership.pk] = {
            "days": ", ".join(WEEKDAYS[d] for d in days if 0 <= d < 7) or "None",
            "visits": sum(visits.values()),
            "on_protected": sum(n for d, n in visits.items() if d in days),
        }
    with_days = [membership for membership in memberships if membership.details_or_default.protected_days]
    visits = sum(p["visits"] for p in per_practitioner.values())
    on_protected = sum(p["on_protected"] for p in per_practitioner.values())
    return {
        "per_practitioner": per_practitioner,
        "practitioners_with_days": len(with_days),
        "visits": visits,
        "on_protected": on_protected,
        "percent_on_protected": percent(on_protected, visits),
    }


def caseloads(scope: Scope) -> dict:
    """Practitioner × open families against capacity (the caseload page's own read), at the scope's sites; their
    protected days in use; and how many allocated families have had nothing recorded for N weeks."""
    site_ids = scope.site_ids()
    memberships = []
    for membership in practitioners_in([scope.service.pk]) if site_ids != set() else []:
        sites = {s.pk for s in membership.sites.all()}
        if site_ids is not None and sites and not sites & site_ids:
            continue
        memberships.append(membership)
    protected = protected_days_in_use(scope, memberships)
    rows = [
        {
            "membership": m,
            "open": m.open_cases,
            "capacity": m.details_or_default.capacity,
            "protected": protected["per_practitioner"][m.pk],
        }
        for m in memberships
    ]
    return {
        "practitioners": rows,
        "over_capacity": sum(1 for r in rows if r["open"] > r["capacity"]),
        "protected_days": protected,
        "quiet_weeks": scope.quiet_weeks,
        "quiet": quiet_families(scope).count(),
    }


def _discharges(scope: Scope):
    """Discharges in the period that stand (a reopened family's discharge is undone), of families in scope."""
    return Discharge.objects.current().filter(scope.on("referral"), discharged_on__range=(scope.start, scope.end))


def _reviewed_cycles():
    reviewed = (
        SharedReview.objects.in_force()
        .filter(cycle__referral_id=OuterRef("referral_id"))
        .order_by()
        .values("cycle__referral_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(reviewed, output_field=IntegerField()), 0)


PLAN_BUCKETS = (("fewer", "Fewer cycles than planned"), ("as_planned", "As planned"), ("more", "More than planned"))


def discharges(scope: Scope) -> dict:
    """Discharges in the period by reason, and cycles completed (with a shared review) against the service's
    planned cycles at discharge: one query grouped by both."""
    reasons = dict(DischargeReason.choices)
    rows = _discharges(scope).annotate(done=_reviewed_cycles()).order_by().values_list("reason", "done")
    by_reason: Counter = Counter()
    actual: Counter = Counter()
    for reason, done, n in rows.annotate(n=Count("pk")):
        by_reason[reason] += n
        actual[done] += n
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


def _risk_alerts(scope: Scope):
    """Risk-answer notices raised in the period for families in scope (one per recipient per measure)."""
    return Notice.objects.filter(during(scope, "created_at"), scope.on("referral"), kind=NoticeKind.RISK_ANSWER)


def risk_alerts(scope: Scope) -> dict:
    """Risk answers raised in the period and how fast someone acted on them (one query). An alert goes to several
    people; it counts once, raised when its first notice was and acknowledged when the first of them acted."""
    alerts = (
        _risk_alerts(scope)
        .order_by()
        .values("object_type", "object_id")
        .annotate(raised=Min("created_at"), acknowledged=Min("acknowledged_at"))
    )
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


def outcomes(scope: Scope) -> dict:
    """The outcomes selector's figures for families first allocated in the period (four queries)."""
    closed = sorted({row[0] for row in scope.first_allocated if row[4] not in OPEN_STATUSES})
    return service_figures(service=scope.service, referral_ids=scope.first_allocated_ids, closed_ids=closed)


def trainees_progress(scope: Scope) -> dict:
    """Each trainee of the service (at the scope's sites) against their stage targets (two queries), and the hours
    of supervision each had in the period (one query)."""
    rows = trainee_progress(_at_sites(trainees().filter(service_id=scope.service.pk), scope.site_ids()))
    minutes = dict(
        SupervisionSession.objects.in_force()
        .filter(
            service_id=scope.service.pk,
            trainee_id__in=[p.membership.user_id for p in rows],
            held_on__range=(scope.start, scope.end),
        )
        .order_by()
        .values("trainee_id")
        .annotate(m=Sum("duration_minutes"))
        .values_list("trainee_id", "m")
    )
    return {
        "rows": [
            {"progress": p, "period_hours": round((minutes.get(p.membership.user_id) or 0) / 60, 1)} for p in rows
        ],
        "total_period_hours": round(sum(minutes.values()) / 60, 1),
    }


def data_protection(scope: Scope, today: date | None = None) -> dict:
    """Footage past its destruction date (now), consents withdrawn in the period, letters failed or waiting (now).
    Three queries."""
    footage = Footage.objects.past_destruction_date(today).filter(scope.on("filming__cycle__referral")).count()
    withdrawn = ConsentDecision.objects.filter(
        scope.on("giver__consent__referral"), withdrawn_on__range=(scope.start, scope.end)
    ).count()
    letters = (
        Letter.objects.current()
        .filter(scope.on("referral"), status__in=[LetterStatus.FAILED, *IN_PIPELINE])
        .aggregate(
            failed=Count("pk", filter=Q(status=LetterStatus.FAILED)),
            waiting=Count("pk", filter=Q(status__in=IN_PIPELINE)),
        )
    )
    return {
        "footage_past_destruction": footage,
        "consents_withdrawn": withdrawn,
        "letters_failed": letters["failed"],
        "letters_waiting": letters["waiting"],
    }


def dashboard(scope: Scope) -> dict:
    """Every figure group, for the page and the benchmark."""
    return {
        "referrals_in": referrals_in(scope),
        "triage": triage(scope),
        "waiting": waiting(scope),
        "caseloads": caseloads(scope),
        "delivery": delivery(scope),
        "outcomes": outcomes(scope),
        "discharges": discharges(scope),
        "risk_alerts": risk_alerts(scope),
        "trainees": trainees_progress(scope),
        "data_protection": data_protection(scope),
    }


# --- The lists behind the figures -------------------------------------------------------------------------------------


def _with_visits(scope: Scope, q: Q):
    visits = Visit.objects.in_force().filter(q, during(scope, "planned_at"), referral_id=OuterRef("pk"))
    return scope.referrals.filter(Exists(visits))


def figure_lists(scope: Scope, today: date | None = None) -> dict:
    """Each figure's families as a queryset: the list page and its CSV share these, so a figure and its list agree."""
    today = today or timezone.localdate()
    lists = {
        "received": ("Referrals received in the period", lambda: scope.received),
        "accepted": (
            "Referrals received in the period and accepted",
            lambda: scope.received.filter(Exists(_decided(TriageDecisionKind.ACCEPT))),
        ),
        "declined": (
            "Referrals received in the period and declined",
            lambda: scope.received.filter(Exists(_decided(TriageDecisionKind.DECLINE))),
        ),
        "waiting": ("Waiting for allocation now", lambda: scope.referrals.filter(status=ReferralStatus.ACCEPTED)),
        "allocated": ("Families first allocated in the period", lambda: allocated_in_period(scope)),
        "did_not_attend": (
            "Families with a visit not attended in the period",
            lambda: _with_visits(scope, Q(outcome=VisitOutcome.DID_NOT_ATTEND)),
        ),
        "cancelled": (
            "Families with a visit cancelled in the period",
            lambda: _with_visits(
                scope, Q(outcome__in=[VisitOutcome.CANCELLED_BY_FAMILY, VisitOutcome.CANCELLED_BY_SERVICE])
            ),
        ),
        "footage_past_destruction": (
            "Families with footage past its destruction date",
            lambda: scope.referrals.filter(
                pk__in=Footage.objects.past_destruction_date(today).values("filming__cycle__referral_id")
            ),
        ),
        "consents_withdrawn": (
            "Families who withdrew a consent in the period",
            lambda: scope.referrals.filter(
                pk__in=ConsentDecision.objects.filter(withdrawn_on__range=(scope.start, scope.end)).values(
                    "giver__consent__referral_id"
                )
            ),
        ),
        "letters_failed": (
            "Families with a failed letter",
            lambda: scope.referrals.filter(
                pk__in=Letter.objects.current().filter(status=LetterStatus.FAILED).values("referral_id")
            ),
        ),
        "letters_waiting": (
            "Families with a letter waiting to be made",
            lambda: scope.referrals.filter(
                pk__in=Letter.objects.current().filter(status__in=IN_PIPELINE).values("referral_id")
            ),
        ),
    }
    lists["quiet"] = (
        f"Allocated families with nothing recorded for {scope.quiet_weeks} weeks",
        lambda: quiet_families(scope),
    )
    lists["discharged"] = (
        "Families discharged in the period",
        lambda: scope.referrals.filter(pk__in=_discharges(scope).values("referral_id")),
    )
    for value, label in DischargeReason.choices:
        lists[f"discharged:{value}"] = (
            f"Families discharged in the period: {label}",
            lambda value=value: scope.referrals.filter(
                pk__in=_discharges(scope).filter(reason=value).values("referral_id")
            ),
        )
    planned = scope.service.planned_cycles
    against = {"fewer": Q(done__lt=planned), "as_planned": Q(done=planned), "more": Q(done__gt=planned)}
    for key, label in PLAN_BUCKETS:
        lists[f"against_plan:{key}"] = (
            f"Families discharged in the period: {label.lower()} ({planned} planned)",
            lambda key=key: scope.referrals.filter(
                pk__in=_discharges(scope).annotate(done=_reviewed_cycles()).filter(against[key]).values("referral_id")
            ),
        )
    lists["risk_alerts"] = (
        "Families with a risk answer raised in the period",
        lambda: scope.referrals.filter(pk__in=_risk_alerts(scope).values("referral_id")),
    )
    acted_on = Notice.objects.filter(
        kind=NoticeKind.RISK_ANSWER,
        object_type=OuterRef("object_type"),
        object_id=OuterRef("object_id"),
        acknowledged_at__isnull=False,
    )
    lists["risk_open"] = (
        "Families with a risk answer raised in the period that nobody has acted on yet",
        lambda: scope.referrals.filter(pk__in=_risk_alerts(scope).exclude(Exists(acted_on)).values("referral_id")),
    )
    for label, q in band_filters(today):
        lists[f"band:{label}"] = (
            f"Waiting now, {label}",
            lambda q=q: scope.referrals.filter(q, status=ReferralStatus.ACCEPTED),
        )
    return lists


# --- The quarterly commissioner return --------------------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
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
    accepted = scope.received.filter(Exists(_decided(TriageDecisionKind.ACCEPT))).count()
    end = scope.end
    bands = waiting_at_end(scope).aggregate(
        **{f"b{i}": Count("pk", filter=q) for i, (_, q) in enumerate(band_filters(end))}
    )
    by_reason = dict(_discharges(scope).order_by().values("reason").annotate(n=Count("pk")).values_list("reason", "n"))
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
    discharged = scope.referrals.filter(pk__in=_discharges(scope).values("referral_id"))
    for figure in service_figures(service=scope.service, referrals=discharged)["measures"]:
        rows.append((f"{figure['name']} {figure['scale_label']}: baseline/end pairs", figure["pairs"]))
        rows.append((f"{figure['name']} {figure['scale_label']}: mean change", figure["mean_change"]))
    return rows
