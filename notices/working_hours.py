"""Working hours: Monday to Friday except England and Wales bank holidays, within the working day a service sets, in
UK time (`settings.TIME_ZONE`).

"Four working hours" after a notice raised on Friday at 15:00 (working day 09:00 to 17:00) is Monday at 11:00: two
hours on Friday, two on Monday; before a bank holiday Monday it is Tuesday at 11:00.

Bank holidays come from their rules (the Easter dates from `dateutil.easter`, already a dependency) and a table of
the one-off changes announced so far; a new one-off (a jubilee, a state funeral) is added to `ONE_OFF` when it is
announced. Scotland and Northern Ireland have other holidays: the services using this app are in England.
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.easter import easter
from dateutil.relativedelta import MO, relativedelta
from django.conf import settings

SATURDAY = 5

# One-off changes to England and Wales bank holidays (gov.uk): {year: (dates moved away, dates added)}.
ONE_OFF: dict[int, tuple[set[date], set[date]]] = {
    2011: (set(), {date(2011, 4, 29)}),  # royal wedding
    2012: ({date(2012, 5, 28)}, {date(2012, 6, 4), date(2012, 6, 5)}),  # Diamond Jubilee
    2020: ({date(2020, 5, 4)}, {date(2020, 5, 8)}),  # VE Day 75
    2022: ({date(2022, 5, 30)}, {date(2022, 6, 2), date(2022, 6, 3), date(2022, 9, 19)}),  # Jubilee, funeral
    2023: (set(), {date(2023, 5, 8)}),  # coronation
}


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays of `year`: the eight by rule, with weekend substitutes, and the one-offs."""
    days = {
        easter(year) - timedelta(days=2),  # Good Friday
        easter(year) + timedelta(days=1),  # Easter Monday
        date(year, 5, 1) + relativedelta(weekday=MO(1)),  # early May
        date(year, 5, 31) + relativedelta(weekday=MO(-1)),  # spring
        date(year, 8, 31) + relativedelta(weekday=MO(-1)),  # summer
    }
    for fixed in (date(year, 1, 1), date(year, 12, 25), date(year, 12, 26)):
        while fixed.weekday() >= SATURDAY or fixed in days:  # a weekend or taken day moves to the next free weekday
            fixed += timedelta(days=1)
        days.add(fixed)
    moved, added = ONE_OFF.get(year, (set(), set()))
    return frozenset((days - moved) | added)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return day.weekday() < SATURDAY and day not in bank_holidays(day.year)


def _local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone)


def _next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_hours(start: datetime, hours: int, *, day_starts: time, day_ends: time) -> datetime:
    """The moment `hours` working hours after `start` (an aware datetime), counting only the working day on
    working days. Time before the day starts, after it ends, at weekends and on bank holidays does not count."""
    if day_starts >= day_ends:
        raise ValueError("The working day must start before it ends")
    zone = _local_zone()
    current = start.astimezone(zone)
    day = current.date()
    if not is_working_day(day) or current.time() >= day_ends:
        day = _next_working_day(day)
        current = _at(day, day_starts, zone)
    elif current.time() < day_starts:
        current = _at(day, day_starts, zone)
    remaining = timedelta(hours=hours)
    while True:
        left_today = _at(current.date(), day_ends, zone) - current
        if remaining <= left_today:
            return current + remaining
        remaining -= left_today
        current = _at(_next_working_day(current.date()), day_starts, zone)
