"""Referrals in and triage: what arrived in the period, from where, and how triage decided it (from the families'
summaries, ADR 0022)."""

from collections import Counter
from datetime import date

from django.db.models import Count, DateField, Exists, Func, OuterRef, Q, Sum

from accounts.models import ReferralSource
from core.lookups import among
from core.prepared import DATE, IDS, prepared, prepared_by_shape
from dashboards.models import FamilySummary, ItemKind
from dashboards.reads.scope import Scope, percent, summary_items, summary_medians
from referrals.models import TriageDecision, TriageDecisionKind


def decided(kind: str):
    """A referral (the outer row) has a triage decision of this kind: shared by the lists and the quarter's return,
    so "accepted" means the same family everywhere."""
    return TriageDecision.objects.filter(referral_id=OuterRef("pk"), decision=kind)


def months_of(scope: Scope) -> list[date]:
    """The first day of every month the period touches, in order: a month with no referrals is still a month."""
    months, month = [], scope.start.replace(day=1)
    while month <= scope.end:
        months.append(month)
        month = month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)
    return months


class FirstOfMonth(Func):
    """The first day of a date's month, as a date: date arithmetic alone, where `TruncMonth` of a date goes through
    a timestamp with time zone (the session's zone, and a third of the statement's time)."""

    template = "(DATE_TRUNC('month', %(expressions)s::timestamp))::date"
    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="date(%(expressions)s, 'start of month')", **extra_context)


def referrals_in(scope: Scope) -> dict:
    """Referrals received in the period by month (every month of the period, none as 0: a month with no
    referrals is news, not a gap to close up) and by source. Two queries: the families' summaries grouped by month
    and source id, read from their index alone (`date_received` is a date: its month needs no time zone), then the
    few sources' names, rather than joining a name to each of a year's families. Grouped by day, a year came back
    as a thousand rows for Python to fold, a millisecond of every look."""
    on = scope.on()
    rows = _received_by_month_and_source((on,), on, scope.start, scope.end)
    by_month: dict = {}
    by_source_id: dict = {}
    for month, source_id, n in rows:
        by_month[month] = by_month.get(month, 0) + n
        by_source_id[source_id] = by_source_id.get(source_id, 0) + n
    names = dict(_source_names(sorted(pk for pk in by_source_id if pk)))
    by_source: dict = {}
    for source_id, n in by_source_id.items():
        name = names.get(source_id)
        by_source[name] = by_source.get(name, 0) + n
    return {
        "total": sum(by_month.values()),
        "by_month": [(m.strftime("%b %Y"), by_month.get(m, 0)) for m in months_of(scope)],
        "by_source": sorted(by_source.items(), key=lambda item: (-item[1], item[0])),
    }


# Compiled once per shape of the scope's rule, the period's days as values (ADR 0032): every look at the dashboard
# reads them.
@prepared_by_shape(DATE, DATE)
def _received_by_month_and_source(on: Q, start: date, end: date):
    return (
        FamilySummary.objects.filter(on, date_received__range=(start, end))
        .values_list(FirstOfMonth("date_received"), "referral_source_id")
        .annotate(n=Count("*"))
        .order_by()
    )


@prepared(IDS)
def _source_names(ids):
    """Referral sources' names by id."""
    return ReferralSource.objects.filter(among("pk", ids)).values_list("pk", "name")


@prepared_by_shape(DATE, DATE)
def _declines_by_reason(on: Q, start: date, end: date):
    return (
        summary_items(on, ItemKind.DECLINE, start, end)
        .order_by()
        .values("key")
        .annotate(n=Sum("n"))
        .values_list("key", "n")
    )


def triage(scope: Scope) -> dict:
    """Of the referrals received in the period that were decided (accepted or declined), how many were accepted,
    the median days from receipt to the first decision, and the declines' reasons: two queries on the families'
    summaries (the decided families counted, with the median, in the database; their declines by reason).

    The denominator is decided referrals: one still in triage or withdrawn before a decision is neither.
    """
    found = summary_medians(
        "triage",
        scope,
        "date_received",
        {"to_decision": ("first_decided_on", "date_received")},
        extra=Q(first_decided_on__isnull=False),
        decided=Count("pk"),
        accepted=Count("pk", filter=Q(accepted=True)),
    )
    reason_counts: Counter = Counter()
    on = scope.on()
    for reason, n in _declines_by_reason((on,), on, scope.start, scope.end):
        reason_counts[reason] += n
    decided_count, accepted = found["decided"], found["accepted"]
    reasons = sorted(reason_counts.items(), key=lambda item: (-item[1], item[0]))[:10]
    return {
        "decided": decided_count,
        "accepted": accepted,
        "declined": decided_count - accepted,
        "acceptance_rate": percent(accepted, decided_count),
        "decline_reasons": reasons,
        "median_days_to_decision": found["to_decision"],
    }


def intake_lists(scope: Scope) -> dict:
    """The families behind the referrals-in and triage figures, as lazy querysets keyed by figure."""
    return {
        "received": ("Referrals received in the period", lambda: scope.received),
        "accepted": (
            "Referrals received in the period and accepted",
            lambda: scope.received.filter(Exists(decided(TriageDecisionKind.ACCEPT))),
        ),
        "declined": (
            "Referrals received in the period and declined",
            lambda: scope.received.filter(Exists(decided(TriageDecisionKind.DECLINE))),
        ),
    }
