"""Each figure against a small hand-made service whose answer is known."""

from datetime import date

from django.utils import timezone

from cycles.models import Visit, VisitOutcome
from dashboards.reads import Scope, band_filters, dashboard, default_period, figure_lists, quarter_bounds
from referrals.models import Referral
from referrals.reads.caseloads import WAIT_BANDS, wait_band
from tests.dashboards.helpers_dashboards import NOTHING_TO_PROTECT, days_ago, known_service


def scope_for(user, service, site=None):
    start, end = default_period()
    return Scope(user=user, service=service, site=site, start=start, end=end)


def test_figures_of_the_known_service(service, coordinator, manager, practitioner, peterborough, cambridgeshire):
    known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    figures = dashboard(scope_for(manager, service))

    assert figures["referrals_in"]["total"] == 6
    assert sum(n for _, n in figures["referrals_in"]["by_source"]) == 6
    triage = figures["triage"]
    assert (triage["decided"], triage["accepted"], triage["declined"]) == (5, 4, 1)
    assert triage["acceptance_rate"] == 80.0  # the one still in triage is not in the denominator
    assert triage["decline_reasons"] == [("Outside the age range", 1)]
    assert triage["median_days_to_decision"] == 10  # received 3, 7, 10, 20, 364 days ago, decided today
    waiting = figures["waiting"]
    assert waiting["total"] == 3
    assert dict(waiting["bands"]) == {
        "0–1 weeks": 1,
        "1–2 weeks": 1,
        "2–4 weeks": 0,
        "4–12 weeks": 0,
        "12–18 weeks": 0,
        "18–52 weeks": 0,
        "52+ weeks": 1,  # 364 days is exactly 52 weeks
    }
    assert waiting["longest_days"] == 364
    assert waiting["median_days_to_allocation"] == 20
    assert waiting["median_days_allocation_to_filming"] is None
    rows = figures["caseloads"]["practitioners"]
    assert [(r["membership"].user.id, r["open"], r["capacity"]) for r in rows] == [(practitioner.pk, 1, 4)]
    assert str(rows[0]["membership"].user) == practitioner.display_name
    assert figures["delivery"]["cycles_per_family"] == [("0", 1)]
    assert figures["data_protection"] == NOTHING_TO_PROTECT


def test_site_filter_counts_only_that_site(service, coordinator, manager, practitioner, peterborough, cambridgeshire):
    known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    figures = dashboard(scope_for(manager, service, site=cambridgeshire))
    assert figures["referrals_in"]["total"] == 1
    assert figures["waiting"]["total"] == 1
    assert figures["waiting"]["longest_days"] == 3


def test_visit_rates_use_recorded_visits_as_denominator(
    service, coordinator, manager, practitioner, peterborough, cambridgeshire
):
    made = known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    now = timezone.now()
    outcomes = [
        VisitOutcome.ATTENDED,
        VisitOutcome.ATTENDED,
        VisitOutcome.DID_NOT_ATTEND,
        VisitOutcome.CANCELLED_BY_FAMILY,
    ]
    for outcome in [*outcomes, ""]:  # a planned visit with no outcome yet is not in the denominator
        Visit.objects.create(  # test set-up only: the visit actions need consent first
            referral=made["allocated"],
            practitioner=practitioner,
            planned_at=now,
            outcome=outcome,
            recorded_at=now if outcome else None,
            created_by=practitioner,
        )
    delivery = dashboard(scope_for(manager, service))["delivery"]
    assert delivery["visits_recorded"] == 4
    assert delivery["dna_rate"] == 25.0
    assert delivery["cancellation_rate"] == 25.0


def test_wait_band_edges_agree_with_the_waiting_list():
    today = date(2026, 6, 1)
    for days in [0, 6, 7, 13, 14, 83, 84, 125, 126, 363, 364, 365, 1000]:
        received = date.fromordinal(today.toordinal() - days)
        matched = [label for label, q in band_filters(today) if _matches(q, received)]
        assert matched == [wait_band(days)], days
    assert wait_band(7) == "1–2 weeks"
    assert wait_band(52 * 7) == "52+ weeks"
    assert wait_band(52 * 7 - 1) == "18–52 weeks"
    assert len(band_filters(today)) == len(WAIT_BANDS)


def _matches(q, received) -> bool:
    """Evaluate a band's date_received filter in Python (each child is (lookup, value))."""
    for lookup, value in q.children:
        if lookup == "date_received__lte" and not received <= value:
            return False
        if lookup == "date_received__gt" and not received > value:
            return False
    return True


def test_band_edges_in_the_database(service, coordinator, manager, practitioner, peterborough, cambridgeshire):
    made = known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    Referral.objects.filter(pk=made["wait_364"].pk).update(date_received=days_ago(364))
    bands = dict(dashboard(scope_for(manager, service))["waiting"]["bands"])
    assert bands["52+ weeks"] == 1 and bands["1–2 weeks"] == 1  # exactly 52 weeks, exactly 7 days
    lists = figure_lists(scope_for(manager, service))
    assert list(lists["band:52+ weeks"][1]()) == [made["wait_364"]]
    assert list(lists["band:1–2 weeks"][1]()) == [made["wait_7"]]


def test_quarter_bounds():
    """NHS financial quarters: Q1 is April to June; Q4 is January to March of the next calendar year."""
    assert quarter_bounds(2026, 1) == (date(2026, 4, 1), date(2026, 6, 30))
    assert quarter_bounds(2026, 4) == (date(2027, 1, 1), date(2027, 3, 31))


def test_a_service_with_nothing_yet_shows_zeros_where_aggregates_did(service, manager):
    """The waiting list's and data protection's figures are read grouped by the scope's one service (compiled once,
    ADR 0032), so a service with no rows has no row: each figure is what `aggregate()` gave, 0 or none."""
    start, end = default_period()
    figures = dashboard(Scope(user=manager, service=service, site=None, start=start, end=end))
    waiting = figures["waiting"]
    assert (waiting["total"], waiting["longest_days"]) == (0, None)
    assert [n for _, n in waiting["bands"]] == [0] * len(WAIT_BANDS)
    assert figures["data_protection"] == NOTHING_TO_PROTECT
