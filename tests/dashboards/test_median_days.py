"""`median_days`: the dashboard's medians of days, taken by PostgreSQL (`percentile_cont`) or in Python on SQLite,
must be the same figure either way: the mean of the two middle values for an even count, rows with a day unknown
left out, None when no row has both days. The suite runs on both databases (`make test` and `.ci/run`)."""

from datetime import date, timedelta

from django.db.models import Count, F, Q

from dashboards.models import FamilySummary
from dashboards.reads.scope import median_days
from tests.dashboards.helpers_dashboards import summarised
from tests.referrals.helpers import make_referral

RECEIVED = date(2026, 1, 5)


def _families(service, coordinator, waits: list[int | None]) -> list[int]:
    """One family per wait: received on RECEIVED, first allocated `wait` days later (None: not yet allocated)."""
    ids = [make_referral(service, coordinator).pk for _ in waits]
    summarised(service)
    for pk, wait in zip(ids, waits, strict=True):
        FamilySummary.objects.filter(referral_id=pk).update(
            date_received=RECEIVED,
            first_allocated_on=None if wait is None else RECEIVED + timedelta(days=wait),
            accepted=wait is not None,
        )
    return ids


def test_an_even_count_takes_the_mean_of_the_middle_two_and_leaves_out_unknown_days(service, coordinator):
    ids = _families(service, coordinator, [10, 1, None, 4, 2])
    found = median_days(
        FamilySummary.objects.filter(referral_id__in=ids),
        {"to_allocation": ("first_allocated_on", "date_received")},
        families=Count("pk"),
        allocated=Count("pk", filter=Q(accepted=True)),
    )
    assert found == {"to_allocation": 3.0, "families": 5, "allocated": 4}


def test_an_odd_count_takes_the_middle_and_none_known_is_none(service, coordinator):
    ids = _families(service, coordinator, [7, 0, 30, None])
    rows = FamilySummary.objects.filter(referral_id__in=ids)
    assert median_days(rows, {"wait": ("first_allocated_on", "date_received")}) == {"wait": 7.0}
    unknown = rows.filter(first_allocated_on__isnull=True)
    assert median_days(unknown, {"wait": ("first_allocated_on", "date_received")}) == {"wait": None}


def test_a_half_day_median_is_kept_to_one_decimal_place(service, coordinator):
    ids = _families(service, coordinator, [1, 2])
    rows = FamilySummary.objects.filter(referral_id__in=ids)
    assert median_days(rows, {"wait": ("first_allocated_on", "date_received")}) == {"wait": 1.5}


def test_rows_left_out_of_the_medians_still_count_in_the_totals(service, coordinator):
    ids = _families(service, coordinator, [10, 1, 4, -3])  # -3: allocated before it was received
    found = median_days(
        FamilySummary.objects.filter(referral_id__in=ids),
        {"to_allocation": ("first_allocated_on", "date_received")},
        leave_out=Q(first_allocated_on__lt=F("date_received")),
        families=Count("pk"),
    )
    assert found == {"to_allocation": 4.0, "families": 4}
