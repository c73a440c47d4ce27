"""Caseloads: each practitioner's open families against capacity, their protected days in use, and the allocated
families nothing has been recorded for lately."""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from core.prepared import INSTANT, prepared_by_shape
from dashboards.models import FamilySummary
from dashboards.reads.scope import WEEKDAYS, Scope, percent
from dashboards.reads.summary import counted
from dashboards.summaries import catch_up
from referrals.reads.caseloads import practitioner_loads
from referrals.states import ReferralStatus


def _quiet(scope: Scope, now: datetime | None = None):
    """The summaries of the allocated families with no history entry since the cutoff (the old end of one index)."""
    return scope.summaries.filter(_quiet_since(_cutoff(scope, now)))


def _cutoff(scope: Scope, now: datetime | None) -> datetime:
    return (now or timezone.now()) - timedelta(weeks=scope.quiet_weeks)


def _quiet_since(cutoff: datetime) -> Q:
    return Q(status=ReferralStatus.ALLOCATED, last_recorded_at__lt=cutoff)


def quiet_families(scope: Scope, now: datetime | None = None):
    """Allocated families whose record has had nothing written to it (no visit, consent, cycle, measure, note or
    reallocation: every change writes the family's history) for `scope.quiet_weeks` weeks. A family drifting out
    of contact shows here before anyone notices the silence. Read from the families' summaries
    (`FamilySummary.last_recorded_at`, the newest history entry, ADR 0022), never a look-up in the history per
    allocated family."""
    return scope.referrals.filter(pk__in=_quiet(scope, now).values("referral_id"))


def quiet_count(scope: Scope, now: datetime | None = None) -> int:
    """How many families `quiet_families` lists, counted on the summaries alone, with SQL compiled once per shape
    of the scope's rule (ADR 0032)."""
    on = scope.on()
    return _quiet_summaries.count((on,), on, _cutoff(scope, now))


@prepared_by_shape(INSTANT)
def _quiet_summaries(on, cutoff):
    """`_quiet`'s rows' ids, for counting."""
    return FamilySummary.objects.filter(on, _quiet_since(cutoff)).values("pk")


def protected_days_in_use(scope: Scope, memberships: list) -> dict:
    """For each practitioner shown (`referrals.reads.caseloads.PractitionerLoad`): their protected VIG weekdays,
    and of their visits to this service's families planned in the period (not cancelled by the service), how many
    fell on a protected day (`scope.visits_in_period`).

    Protected days only help if the VIG work lands on them: a low share says the days are being lost to other
    work (or the wrong days are protected)."""
    shown = {m.user_id for m in memberships}
    counts: dict[int, dict[int, int]] = {}
    for (practitioner_id, weekday), n in scope.visits_in_period.by_weekday.items():
        if practitioner_id in shown:
            by_day = counts.setdefault(practitioner_id, {})
            by_day[weekday - 1] = by_day.get(weekday - 1, 0) + n
    per_practitioner = {}
    for membership in memberships:
        days = sorted(membership.protected_days or [])
        visits = counts.get(membership.user_id, {})
        per_practitioner[membership.pk] = {
            "days": ", ".join(WEEKDAYS[d] for d in days if 0 <= d < 7) or "None",
            "visits": sum(visits.values()),
            "on_protected": sum(n for d, n in visits.items() if d in days),
        }
    with_days = [membership for membership in memberships if membership.protected_days]
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
    """Practitioner × open families against capacity (the caseload page's count, `practitioner_loads`), at the
    scope's sites; their protected days in use; and how many allocated families have had nothing recorded for N
    weeks."""
    site_ids = scope.site_ids()
    memberships = []
    for membership in practitioner_loads([scope.service.pk]) if site_ids != set() else []:
        sites = membership.site_ids
        if site_ids is not None and sites and not sites & site_ids:
            continue
        memberships.append(membership)
    protected = protected_days_in_use(scope, memberships)
    rows = [
        {
            "membership": m,
            "open": m.open_cases,
            "capacity": m.capacity,
            "protected": protected["per_practitioner"][m.pk],
        }
        for m in memberships
    ]
    return {
        "practitioners": rows,
        "over_capacity": sum(1 for r in rows if r["open"] > r["capacity"]),
        "protected_days": protected,
        "quiet_weeks": scope.quiet_weeks,
        "quiet": quiet_count(scope),
    }


def _quiet_list(scope: Scope):
    """The quiet families' list (its page, CSV and export), after working off the service's changes not yet in the
    summaries, as the dashboard does before it counts: the list reads the summaries too, and must not show a family
    whose visit was recorded a moment ago (nor miss one the count includes)."""
    catch_up(scope.service.pk)
    return quiet_families(scope)


def caseload_lists(scope: Scope) -> dict:
    """The families behind the caseload figures (the quiet ones)."""
    return {
        "quiet": (
            f"Allocated families with nothing recorded for {counted(scope.quiet_weeks, 'week', 'weeks')}",
            lambda: _quiet_list(scope),
        )
    }
