"""The dashboard's figures, spanning apps, each counted in the database in a fixed number of queries.

Every figure starts from `scope.referrals`: the referrals of one service (and optionally one site) that the user
may see with dashboard.view, so a site-limited manager's figures never count another site's families. Medians are
taken in Python over one `values_list` of the period's durations (not PostgreSQL's `percentile_cont`, which
SQLite lacks): the list is bounded by the period, and it is still one query.
"""

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from accounts.models import Membership, Service, Site
from cycles.models import ConsentDecision, Cycle, Filming, Footage, Visit, VisitOutcome
from cycles.progress import trainee_progress, trainees
from letters.models import Letter
from letters.states import IN_PIPELINE, LetterStatus
from outcomes.selectors import service_figures
from referrals.caseloads import WAIT_BANDS, practitioners_in
from referrals.models import Allocation, Referral, TriageDecision, TriageDecisionKind
from referrals.states import OPEN_STATUSES, ReferralStatus
from vig_service.permissions import Perm


@dataclass(frozen=True)
class Scope:
    """What the figures cover: a service, optionally a site, a period (inclusive dates), and who is asking."""

    user: object
    service: Service
    site: Site | None
    start: date
    end: date

    @property
    def referrals(self):
        found = Referral.objects.visible_to(self.user, Perm.DASHBOARD_VIEW).filter(service_id=self.service.pk)
        if self.site is not None:
            found = found.filter(site_id=self.site.pk)
        return found

    @property
    def received(self):
        return self.referrals.filter(date_received__range=(self.start, self.end))

    def site_ids(self) -> set[int] | None:
        """The sites the figures may show staff of: the chosen one, or the user's sites in the service (None: all)."""
        if self.site is not None:
            return {self.site.pk}
        from vig_service.permissions import memberships_with

        limited = [
            m.site_ids for m in memberships_with(self.user, Perm.DASHBOARD_VIEW) if m.service_id == self.service.pk
        ]
        if not limited or any(not ids for ids in limited):
            return None
        return set().union(*limited)


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
    """Of the referrals received in the period that were decided (accepted or declined), how many were accepted;
    the declines' reasons; and the median days from receipt to the first decision. Three queries.

    The denominator is decided referrals: one still in triage or withdrawn before a decision is neither.
    """
    decided = scope.received.annotate(
        was_accepted=Exists(_decided(TriageDecisionKind.ACCEPT)),
        was_declined=Exists(_decided(TriageDecisionKind.DECLINE)),
    ).filter(Q(was_accepted=True) | Q(was_declined=True))
    counts = decided.aggregate(decided=Count("pk"), accepted=Count("pk", filter=Q(was_accepted=True)))
    reasons = list(
        TriageDecision.objects.filter(decision=TriageDecisionKind.DECLINE, referral__in=scope.received.values("pk"))
        .values("reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "reason")[:10]
    )
    first = (
        TriageDecision.objects.filter(
            referral_id=OuterRef("pk"), decision__in=[TriageDecisionKind.ACCEPT, TriageDecisionKind.DECLINE]
        )
        .order_by("decided_at")
        .values("decided_at")[:1]
    )
    durations = [
        (timezone.localtime(at).date() - received).days
        for received, at in scope.received.annotate(first_decision=Subquery(first))
        .filter(first_decision__isnull=False)
        .values_list("date_received", "first_decision")
    ]
    return {
        "decided": counts["decided"],
        "accepted": counts["accepted"],
        "declined": counts["decided"] - counts["accepted"],
        "acceptance_rate": percent(counts["accepted"], counts["decided"]),
        "decline_reasons": [(r["reason"], r["n"]) for r in reasons],
        "median_days_to_decision": median(durations),
    }


# --- Waiting ---------------------------------------------------------------------------------------------------------


def band_filters(today: date) -> list[tuple[str, Q]]:
    """Each NHS wait band as a filter on date_received: the same edges as `referrals.caseloads.wait_band` (a band
    includes its lower edge: exactly 7 days is '1–2 weeks', exactly 52 weeks is '52+ weeks')."""
    filters = []
    for low, high, label in WAIT_BANDS:
        q = Q(date_received__lte=today - timedelta(days=low * 7))
        if high is not None:
            q &= Q(date_received__gt=today - timedelta(days=high * 7))
        filters.append((label, q))
    return filters


def _first_allocation():
    return Allocation.objects.filter(referral_id=OuterRef("pk")).order_by("allocated_at").values("allocated_at")[:1]


def _first_filming():
    return Filming.objects.filter(cycle__referral_id=OuterRef("pk")).order_by("filmed_on").values("filmed_on")[:1]


def waiting(scope: Scope, today: date | None = None) -> dict:
    """The waiting list now (accepted, not yet allocated) in the NHS bands with the longest wait (one query), and
    the median waits referral → allocation and allocation → first filming for families first allocated in the
    period (one query)."""
    today = today or timezone.localdate()
    bands = band_filters(today)
    counts = scope.referrals.filter(status=ReferralStatus.ACCEPTED).aggregate(
        total=Count("pk"),
        oldest=Min("date_received"),
        **{f"band{i}": Count("pk", filter=q) for i, (_, q) in enumerate(bands)},
    )
    rows = (
        scope.referrals.annotate(first_allocated=Subquery(_first_allocation()), first_filmed=Subquery(_first_filming()))
        .filter(first_allocated__date__range=(scope.start, scope.end))
        .values_list("date_received", "first_allocated", "first_filmed")
    )
    to_allocation, to_filming = [], []
    for received, allocated, filmed in rows:
        allocated_on = timezone.localtime(allocated).date()
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
    at = Membership.objects.filter(Q(sites__in=sorted(site_ids)) | Q(sites=None)).values("pk")
    return memberships.filter(pk__in=at)


def caseloads(scope: Scope) -> dict:
    """Practitioner × open families against capacity (the caseload page's own read), at the scope's sites."""
    site_ids = scope.site_ids()
    rows = []
    for membership in practitioners_in([scope.service.pk]):
        sites = {s.pk for s in membership.sites.all()}
        if site_ids is not None and sites and not sites & site_ids:
            continue
        details = membership.details_or_default
        rows.append({"membership": membership, "open": membership.open_cases, "capacity": details.capacity})
    return {"practitioners": rows, "over_capacity": sum(1 for r in rows if r["open"] > r["capacity"])}


def allocated_in_period(scope: Scope):
    """Families whose first allocation falls in the period: the denominator of delivery and outcome figures."""
    return scope.referrals.annotate(first_allocated=Subquery(_first_allocation())).filter(
        first_allocated__date__range=(scope.start, scope.end)
    )


def delivery(scope: Scope) -> dict:
    """Cycles per family first allocated in the period (one query), and of the visits planned in the period whose
    outcome is recorded, the share not attended and cancelled (one query)."""
    cycles = Cycle.objects.filter(referral_id=OuterRef("pk")).order_by().values("referral_id")
    per_family = (
        allocated_in_period(scope)
        .annotate(n=Coalesce(Subquery(cycles.annotate(c=Count("pk")).values("c"), output_field=IntegerField()), 0))
        .values("n")
        .annotate(families=Count("pk"))
        .order_by("n")
    )
    distribution = [(str(row["n"]), row["families"]) for row in per_family]
    visits = Visit.objects.filter(
        referral__in=scope.referrals.values("pk"), planned_at__date__range=(scope.start, scope.end)
    ).exclude(outcome="")
    v = visits.aggregate(
        recorded=Count("pk"),
        dna=Count("pk", filter=Q(outcome=VisitOutcome.DID_NOT_ATTEND)),
        by_family=Count("pk", filter=Q(outcome=VisitOutcome.CANCELLED_BY_FAMILY)),
        by_service=Count("pk", filter=Q(outcome=VisitOutcome.CANCELLED_BY_SERVICE)),
    )
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
    return service_figures(service=scope.service, referrals=allocated_in_period(scope))


def trainees_progress(scope: Scope) -> list:
    """Each trainee of the service (at the scope's sites) against their stage targets (two queries)."""
    return trainee_progress(_at_sites(trainees().filter(service_id=scope.service.pk), scope.site_ids()))


def data_protection(scope: Scope, today: date | None = None) -> dict:
    """Footage past its destruction date (now), consents withdrawn in the period, letters failed or waiting (now).
    Three queries."""
    ids = scope.referrals.values("pk")
    footage = Footage.objects.past_destruction_date(today).filter(filming__cycle__referral__in=ids).count()
    withdrawn = ConsentDecision.objects.filter(
        giver__consent__referral__in=ids, withdrawn_on__range=(scope.start, scope.end)
    ).count()
    letters = (
        Letter.objects.current()
        .filter(referral__in=ids)
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
        "trainees": trainees_progress(scope),
        "data_protection": data_protection(scope),
    }


# --- The lists behind the figures -------------------------------------------------------------------------------------


def _with_visits(scope: Scope, q: Q):
    visits = Visit.objects.filter(q, referral_id=OuterRef("pk"), planned_at__date__range=(scope.start, scope.end))
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


def commissioner_return(scope: Scope) -> list[tuple[str, object]]:
    """The quarter's return: referrals received and accepted, the waiting list at the quarter's end in bands,
    families discharged (closed after an allocation: there is no discharge record yet), and outcome pairs with
    their mean change. No family is named."""
    received = scope.received.count()
    accepted = scope.received.filter(Exists(_decided(TriageDecisionKind.ACCEPT))).count()
    end = scope.end
    accepted_at_end = scope.referrals.filter(
        date_received__lte=end,
        status__in=[ReferralStatus.ACCEPTED, ReferralStatus.ALLOCATED],
    ).annotate(first_allocated=Subquery(_first_allocation()))
    waiting_at_end = accepted_at_end.filter(Q(first_allocated__isnull=True) | Q(first_allocated__date__gt=end))
    bands = waiting_at_end.aggregate(**{f"b{i}": Count("pk", filter=q) for i, (_, q) in enumerate(band_filters(end))})
    discharged = (
        scope.referrals.exclude(status__in=OPEN_STATUSES)
        .filter(closed_at__date__range=(scope.start, end), pk__in=Allocation.objects.values("referral_id"))
        .count()
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
    rows.append(("Discharged (closed after allocation)", discharged))
    closed = scope.referrals.filter(closed_at__date__range=(scope.start, end))
    for figure in service_figures(service=scope.service, referrals=closed)["measures"]:
        rows.append((f"{figure['name']} {figure['scale_label']}: baseline/end pairs", figure["pairs"]))
        rows.append((f"{figure['name']} {figure['scale_label']}: mean change", figure["mean_change"]))
    return rows
