"""Working hours: Monday to Friday inside the service's working day, UK time, across weekends and clock changes."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notices.working_hours import add_working_hours

LONDON = ZoneInfo("Europe/London")
NINE, FIVE = time(9), time(17)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("raised", "hours", "due"),
    [
        (at(2026, 12, 4, 15, 0), 4, at(2026, 12, 7, 11, 0)),  # Friday afternoon → Monday 11:00
        (at(2026, 12, 4, 13, 0), 4, at(2026, 12, 4, 17, 0)),  # fits in Friday exactly
        (at(2026, 12, 4, 13, 1), 4, at(2026, 12, 7, 9, 1)),  # one minute over the weekend
        (at(2026, 12, 5, 10, 0), 4, at(2026, 12, 7, 13, 0)),  # raised on Saturday: Monday's hours count
        (at(2026, 12, 6, 23, 30), 4, at(2026, 12, 7, 13, 0)),  # Sunday night
        (at(2026, 12, 7, 7, 45), 4, at(2026, 12, 7, 13, 0)),  # before the day starts
        (at(2026, 12, 7, 18, 0), 4, at(2026, 12, 8, 13, 0)),  # after it ends
        (at(2026, 12, 7, 17, 0), 1, at(2026, 12, 8, 10, 0)),  # at the very end
        (at(2026, 12, 7, 10, 0), 16, at(2026, 12, 9, 10, 0)),  # two whole days
        (at(2026, 12, 4, 16, 0), 40, at(2026, 12, 11, 16, 0)),  # a working week, over a weekend
        (at(2026, 10, 23, 15, 0), 4, at(2026, 10, 26, 11, 0)),  # over the clocks going back (BST → GMT)
        (at(2026, 3, 27, 15, 0), 4, at(2026, 3, 30, 11, 0)),  # over the clocks going forward (GMT → BST)
    ],
)
def test_working_hours_skip_nights_and_weekends(raised, hours, due):
    assert add_working_hours(raised, hours, day_starts=NINE, day_ends=FIVE) == due


def test_a_utc_time_is_read_in_uk_time():
    raised = datetime(2026, 7, 3, 14, 0, tzinfo=ZoneInfo("UTC"))  # 15:00 BST on a Friday
    assert add_working_hours(raised, 4, day_starts=NINE, day_ends=FIVE) == at(2026, 7, 6, 11, 0)


def test_the_service_sets_its_own_working_day():
    due = add_working_hours(at(2026, 12, 4, 15, 0), 4, day_starts=time(8), day_ends=time(16))
    assert due == at(2026, 12, 7, 11, 0)  # Friday 15–16, then Monday 08–11


def test_a_day_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        add_working_hours(at(2026, 12, 4, 15), 4, day_starts=FIVE, day_ends=NINE)


@given(
    raised=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(LONDON)),
    hours=st.integers(min_value=1, max_value=40),
)
def test_the_deadline_is_inside_a_working_day_and_never_sooner_than_the_hours(raised, hours):
    due = add_working_hours(raised, hours, day_starts=NINE, day_ends=FIVE).astimezone(LONDON)
    assert due.weekday() < 5
    assert NINE < due.time() <= FIVE
    assert due - raised >= timedelta(hours=hours)
    # The working time between them, counted day by day, is exactly the hours asked for.
    counted, day = timedelta(0), raised.date()
    while day <= due.date():
        if day.weekday() < 5:
            start = max(raised, datetime.combine(day, NINE, tzinfo=LONDON))
            end = min(due, datetime.combine(day, FIVE, tzinfo=LONDON))
            counted += max(end - start, timedelta(0))
        day += timedelta(days=1)
    assert counted == timedelta(hours=hours)
