"""Working hours: Monday to Friday, within the working day a service sets, in UK time (`settings.TIME_ZONE`).

"Four working hours" after a notice raised on Friday at 15:00 (working day 09:00 to 17:00) is Monday at 11:00: two
hours on Friday, two on Monday. Bank holidays are not known here and count as working days (hazard N-02 says so).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

SATURDAY = 5


def _local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone)


def _next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= SATURDAY:
        day += timedelta(days=1)
    return day


def add_working_hours(start: datetime, hours: int, *, day_starts: time, day_ends: time) -> datetime:
    """The moment `hours` working hours after `start` (an aware datetime), counting only the working day on
    Monday to Friday. Time before the day starts, after it ends and at weekends does not count."""
    if day_starts >= day_ends:
        raise ValueError("The working day must start before it ends")
    zone = _local_zone()
    current = start.astimezone(zone)
    day = current.date()
    if day.weekday() >= SATURDAY or current.time() >= day_ends:
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
