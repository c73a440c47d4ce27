"""Visits rolled up by month (ADR 0022 item 8): whole months read from `VisitMonth`, the rest of a period from the
visit items, always giving what the items alone give; the roll-up kept by each refresh as a rebuild makes it."""

import threading
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from cycles.models import Visit, VisitOutcome
from dashboards import summaries, visit_months
from dashboards.models import VISIT_OUTCOME_COLUMNS, VISIT_WEEKDAY_COLUMNS, ItemKind, VisitMonth
from dashboards.reads import Scope
from referrals.models import Referral
from tests.dashboards.helpers_dashboards import summarised
from tests.referrals.allocation_helpers import allocated_referral, set_details
from tests.referrals.helpers import parent
from tests.services import require_postgres

OUTCOMES = ["", VisitOutcome.ATTENDED, VisitOutcome.DID_NOT_ATTEND, VisitOutcome.CANCELLED_BY_FAMILY]
OUTCOMES.append(VisitOutcome.CANCELLED_BY_SERVICE)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 30), tzinfo=timezone.get_current_timezone())


def _visits(referral, practitioner, days, by) -> None:
    """Visits (set-up only: the actions need consent and a horizon) on each of `days`, the outcomes in turn."""
    for i, day in enumerate(days):
        outcome = OUTCOMES[i % len(OUTCOMES)]
        Visit.objects.create(
            referral=referral,
            practitioner=practitioner,
            planned_at=_at(day),
            outcome=outcome,
            recorded_at=timezone.now() if outcome else None,
            created_by=by,
        )


def _from_items(scope: Scope) -> visit_months.VisitCounts:
    """The period's visits from the visit items alone: what the roll-up must agree with."""
    found = visit_months.VisitCounts()
    rows = scope.items(ItemKind.VISIT).order_by().values_list("practitioner_id", "weekday", "key").annotate(n=Sum("n"))
    for practitioner_id, weekday, outcome, n in rows:
        found.add(practitioner_id, weekday, outcome, n)
    return found


def _month_rows(service) -> list[tuple]:
    """The service's month rows that count something (a row whose visits all moved away is left at zero)."""
    columns = VISIT_WEEKDAY_COLUMNS + VISIT_OUTCOME_COLUMNS
    rows = VisitMonth.objects.filter(service=service).values_list("month", "site_id", "practitioner_id", *columns)
    return sorted(row for row in rows if any(row[3:]))


@pytest.fixture
def spread(service, coordinator, practitioner, other_practitioner, peterborough, cambridgeshire):
    """Two families at two sites with two practitioners, a visit every few days over fourteen months."""
    for someone in (practitioner, other_practitioner):
        set_details(someone, service, coordinator, capacity=20)
    today = timezone.localdate()
    first = allocated_referral(service, coordinator, practitioner, site=peterborough)
    second = allocated_referral(
        service, coordinator, other_practitioner, site=cambridgeshire, parents=[parent(postcode="CB1 1AA")]
    )
    _visits(first, practitioner, [today - timedelta(days=d) for d in range(0, 430, 3)], coordinator)
    _visits(second, other_practitioner, [today - timedelta(days=d) for d in range(1, 430, 4)], coordinator)
    summarised(service)
    return {"first": first, "second": second}


@pytest.mark.parametrize(
    "start_back, end_back",
    [
        (365, 0),  # the default period: part-months at both ends
        (400, 40),
        (10, 2),  # inside one month, or across the turn of one: no whole month
        (428, 0),
        (0, 0),
    ],
)
def test_the_month_roll_up_and_the_part_months_give_what_the_items_give(
    spread, service, manager, peterborough, start_back, end_back
):
    today = timezone.localdate()
    start, end = today - timedelta(days=start_back), today - timedelta(days=end_back)
    for site in (None, peterborough):
        scope = Scope(user=manager, service=service, site=site, start=start, end=end)
        assert visit_months.counts(scope.on(), start, end) == _from_items(scope)
    whole = Scope(user=manager, service=service, site=None, start=start, end=end)
    assert sum(_from_items(whole).by_weekday.values()) > 0 or start_back < 3


def test_the_counts_follow_each_period_and_site_asked_in_turn(spread, service, manager, peterborough, cambridgeshire):
    """`counts` is compiled once per shape of the scope's rule, with the period's days as its values (ADR 0032):
    periods with and without whole months, for the whole service and each site, asked one after another and
    again, each give what the items give."""
    today = timezone.localdate()
    periods = [(365, 0), (10, 2), (400, 40), (0, 0), (428, 0), (45, 15)]
    for _ in range(2):
        for start_back, end_back in periods:
            start, end = today - timedelta(days=start_back), today - timedelta(days=end_back)
            for site in (None, peterborough, cambridgeshire):
                scope = Scope(user=manager, service=service, site=site, start=start, end=end)
                assert visit_months.counts(scope.on(), start, end) == _from_items(scope), (start, end, site)


@pytest.mark.parametrize(
    "start, end",
    [
        (date(2026, 1, 1), date(2026, 12, 31)),  # whole months only
        (date(2026, 2, 1), date(2026, 2, 28)),  # one whole month
        (date(2026, 1, 31), date(2026, 3, 1)),  # one whole month between two single days
        (date(2025, 12, 15), date(2026, 1, 14)),  # no whole month
    ],
)
def test_whole_months_are_found_at_the_edges_of_a_period(start, end):
    months = visit_months._whole_months(start, end)
    expected = {
        (date(2026, 1, 1), date(2026, 12, 31)): (date(2026, 1, 1), date(2026, 12, 1)),
        (date(2026, 2, 1), date(2026, 2, 28)): (date(2026, 2, 1), date(2026, 2, 1)),
        (date(2026, 1, 31), date(2026, 3, 1)): (date(2026, 2, 1), date(2026, 2, 1)),
        (date(2025, 12, 15), date(2026, 1, 14)): None,
    }
    assert months == expected[(start, end)]


def test_each_refresh_moves_the_months_as_a_rebuild_makes_them(spread, service, coordinator, peterborough):
    first = spread["first"]
    kept = _month_rows(service)
    assert kept, "the rebuild summed the visits by month"
    # A visit entered in error, one moved to another month and outcome, and a family moved to another site.
    visits = list(Visit.objects.filter(referral=first).order_by("planned_at"))
    visits[0].entered_in_error_at = timezone.now()
    visits[0].entered_in_error_by = coordinator
    visits[0].entered_in_error_reason = "Recorded for the wrong family"
    visits[0].save()
    visits[5].planned_at -= timedelta(days=40)
    visits[5].outcome = VisitOutcome.DID_NOT_ATTEND
    visits[5].recorded_at = timezone.now()
    visits[5].save()
    Referral.objects.filter(pk=spread["second"].pk).update(site=peterborough)
    summaries.refresh([first.pk, spread["second"].pk])
    moved = _month_rows(service)
    assert moved != kept
    visit_months.rebuild(service.pk)
    assert _month_rows(service) == moved
    # A family's summary refreshed twice with nothing new changes nothing.
    summaries.refresh([first.pk])
    assert _month_rows(service) == moved


def test_a_rebuild_of_one_service_leaves_another_services_months(spread, service, other_service):
    other = VisitMonth.objects.create(service=other_service, month=date(2026, 1, 1), attended=3)
    visit_months.rebuild(service.pk)
    other.refresh_from_db()
    assert other.attended == 3


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_refreshes_and_a_rebuild_at_once_lose_no_visit(service, coordinator, practitioner, peterborough):
    """Three workers at once on one service's months (real PostgreSQL): two refreshing different families whose
    visits share month rows, one rebuilding. Each refresh adds its own difference under a shared lock, the rebuild
    holds it alone, so the months end as a rebuild from the items makes them, and nobody deadlocks."""
    require_postgres()
    set_details(practitioner, service, coordinator, capacity=20)
    families = [allocated_referral(service, coordinator, practitioner, site=peterborough) for _ in range(2)]
    summarised(service)
    today = timezone.localdate()
    errors: list[BaseException] = []
    for round_ in range(4):
        for family in families:
            _visits(family, practitioner, [today - timedelta(days=d) for d in range(round_, 90, 7)], coordinator)
        barrier = threading.Barrier(3)

        def work(job, barrier):
            try:
                barrier.wait(timeout=10)
                job()
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
            finally:
                connection.close()

        jobs = [
            lambda: summaries.refresh([families[0].pk]),
            lambda: summaries.refresh([families[1].pk]),
            lambda: visit_months.rebuild(service.pk),
        ]
        threads = [threading.Thread(target=work, args=(job, barrier)) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not errors, errors
        kept = _month_rows(service)
        visit_months.rebuild(service.pk)
        assert _month_rows(service) == kept, f"round {round_}"
    assert sum(row[3 + 7] for row in kept) > 0  # attended visits were counted


def test_every_visit_outcome_has_its_column():
    """The month rows keep a column per outcome, named by its value: an outcome added to visits without a column
    would drop out of the dashboard's visit rates silently."""
    assert set(VISIT_OUTCOME_COLUMNS) == set(VisitOutcome.values)
