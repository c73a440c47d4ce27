"""Working hours: Monday to Friday inside the service's working day, UK time, across weekends, bank holidays and
clock changes."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notices.working_hours import add_working_hours, bank_holidays, is_working_day

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
    assert is_working_day(due.date())
    assert NINE < due.time() <= FIVE
    assert due - raised >= timedelta(hours=hours)
    # The working time between them, counted day by day, is exactly the hours asked for.
    counted, day = timedelta(0), raised.date()
    while day <= due.date():
        if is_working_day(day):
            start = max(raised, datetime.combine(day, NINE, tzinfo=LONDON))
            end = min(due, datetime.combine(day, FIVE, tzinfo=LONDON))
            counted += max(end - start, timedelta(0))
        day += timedelta(days=1)
    assert counted == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("raised", "hours", "due"),
    [
        (at(2026, 12, 24, 15, 0), 4, at(2026, 12, 29, 11, 0)),  # Christmas Eve: Christmas, weekend, Boxing Day moved
        (at(2026, 12, 28, 10, 0), 4, at(2026, 12, 29, 13, 0)),  # raised on the bank holiday itself
        (at(2027, 12, 24, 15, 0), 4, at(2027, 12, 29, 11, 0)),  # Christmas and Boxing Day both on a weekend
        (at(2027, 3, 25, 15, 0), 4, at(2027, 3, 30, 11, 0)),  # before Good Friday and Easter Monday
        (at(2026, 4, 2, 16, 0), 2, at(2026, 4, 7, 10, 0)),  # Easter 2026
        (at(2026, 5, 22, 15, 0), 4, at(2026, 5, 26, 11, 0)),  # before the spring bank holiday
        (at(2026, 12, 31, 15, 0), 4, at(2027, 1, 4, 11, 0)),  # New Year's Day on a Friday
    ],
)
def test_bank_holidays_do_not_count(raised, hours, due):
    assert add_working_hours(raised, hours, day_starts=NINE, day_ends=FIVE) == due


@pytest.mark.parametrize(
    ("year", "published"),
    [
        # gov.uk's published England and Wales bank holidays
        (2022, ["01-03", "04-15", "04-18", "05-02", "06-02", "06-03", "08-29", "09-19", "12-26", "12-27"]),
        (2023, ["01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"]),
        (2026, ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"]),
        (2027, ["01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"]),
    ],
)
def test_bank_holidays_match_the_published_lists(year, published):
    expected = {datetime.strptime(f"{year}-{d}", "%Y-%m-%d").date() for d in published}
    assert bank_holidays(year) == expected
