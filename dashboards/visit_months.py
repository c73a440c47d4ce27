"""Visits rolled up by month (`VisitMonth`, ADR 0022 item 8): kept beside the families' visit items, read for the
whole months of a dashboard period.

- `fold(rows)`: visit items as month rows' counts, {(service, month, site, practitioner): Counter of columns};
- `apply(before, after)`: the difference between a batch of families' old and new visit items, added to the
  month rows with one upsert (the caller's transaction: `summaries.refresh`);
- `rebuild(service_id)`: a service's month rows from its visit items (`summaries.rebuild`);
- `counts(filter, start, end)`: the period's visits as `VisitCounts`, whole months from here, part-months from
  the items, in one query.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Q, Sum

from core.prepared import DATE, PreparedByShape, prepared_by_shape
from cycles.models import VisitOutcome
from dashboards.models import (
    VISIT_OUTCOME_COLUMNS,
    VISIT_WEEKDAY_COLUMNS,
    ItemKind,
    SummaryItem,
    VisitMonth,
)

CANCELLED_BY_SERVICE = VisitOutcome.CANCELLED_BY_SERVICE
COLUMNS = VISIT_WEEKDAY_COLUMNS + VISIT_OUTCOME_COLUMNS
# `apply`'s rows per statement: 15 parameters a row, well within SQLite's and PostgreSQL's limits.
UPSERT_ROWS = 500
# The first key of the services' advisory locks (`_lock`); the second is the service's id.
LOCK_NAMESPACE = 22081
ITEM_FIELDS = ("service_id", "site_id", "practitioner_id", "day", "weekday", "key", "n")


@dataclass
class VisitCounts:
    """The period's visits (in force) of the families in scope: per (practitioner id, ISO weekday), those not
    cancelled by the service (protected days in use); per recorded outcome, all of them (delivery)."""

    by_weekday: Counter = field(default_factory=Counter)
    by_outcome: Counter = field(default_factory=Counter)

    def add(self, practitioner_id: int, weekday: int, outcome: str, n: int) -> None:
        if outcome != CANCELLED_BY_SERVICE:
            self.by_weekday[(practitioner_id, weekday)] += n
        if outcome:
            self.by_outcome[outcome] += n


def fold(rows) -> dict[tuple, Counter]:
    """Visit items (tuples of `ITEM_FIELDS`) as the month rows' counts they make."""
    months: dict[tuple, Counter] = {}
    for service_id, site_id, practitioner_id, day, weekday, outcome, n in rows:
        key = (service_id, day.replace(day=1), site_id or 0, practitioner_id or 0)
        counts = months.setdefault(key, Counter())
        if outcome != CANCELLED_BY_SERVICE:
            counts[VISIT_WEEKDAY_COLUMNS[weekday - 1]] += n
        if outcome in VISIT_OUTCOME_COLUMNS:
            counts[outcome] += n
    return months


def item_rows(items) -> list[tuple]:
    """Unsaved visit `SummaryItem`s as tuples of `ITEM_FIELDS`."""
    return [tuple(getattr(item, name) for name in ITEM_FIELDS) for item in items if item.kind == ItemKind.VISIT]


def _lock(service_ids, *, shared: bool) -> None:
    """PostgreSQL: hold each service's month-rows lock until the transaction ends. Refreshes share it (they only
    add differences, which commute); a rebuild holds it alone, so no refresh commits between the rebuild's read
    of the items and its replacing the rows. SQLite writes one transaction at a time anyway."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        for service_id in sorted(set(service_ids)):
            cursor.execute(f"SELECT {function}(%s, %s)", [LOCK_NAMESPACE, service_id])  # noqa: S608


def apply(before: dict[tuple, Counter], after: dict[tuple, Counter], *, locked: bool = False) -> int:
    """Add (after − before) to the month rows, creating those not there yet (an upsert, a statement per
    `UPSERT_ROWS` rows); returns the rows changed. Runs in the caller's transaction. Keys go in sorted order, so
    two refreshes of one service's families take their row locks in the same order and never deadlock; each adds
    its own difference, so neither loses the other's."""
    changes = []
    for key in sorted(set(before) | set(after)):
        delta = [after.get(key, Counter())[c] - before.get(key, Counter())[c] for c in COLUMNS]
        if any(delta):
            changes.append((*key, *delta))
    if not changes:
        return 0
    if not locked:
        _lock({change[0] for change in changes}, shared=True)
    quote = connection.ops.quote_name
    table = quote(VisitMonth._meta.db_table)
    names = ["service_id", "month", "site_id", "practitioner_id", *COLUMNS]
    row = "(" + ", ".join(["%s"] * len(names)) + ")"
    columns = ", ".join(quote(n) for n in names)
    key = ", ".join(quote(n) for n in names[:4])
    updates = ", ".join(f"{quote(c)} = {table}.{quote(c)} + EXCLUDED.{quote(c)}" for c in COLUMNS)
    with connection.cursor() as cursor:
        for start in range(0, len(changes), UPSERT_ROWS):
            chunk = changes[start : start + UPSERT_ROWS]
            # Only quoted names and placeholders go into the text: every value is a parameter.
            values = ", ".join([row] * len(chunk))
            sql = f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT ({key}) DO UPDATE SET {updates}"  # noqa: S608
            cursor.execute(sql, [value for change in chunk for value in change])
    return len(changes)


def rebuild(service_id: int) -> int:
    """The service's month rows from its visit items (one transaction, holding the service's lock alone: the old
    rows go, the new ones come; a refresh of one of its families meanwhile waits, then adds its difference)."""
    with transaction.atomic():
        _lock([service_id], shared=False)
        rows = (
            SummaryItem.objects.filter(service_id=service_id, kind=ItemKind.VISIT)
            .order_by()
            .values_list(*ITEM_FIELDS[:-1])
            .annotate(total=Sum("n"))
        )
        months = fold(rows.iterator(chunk_size=5000))
        VisitMonth.objects.filter(service_id=service_id).delete()
        return apply({}, months, locked=True)


def _part_months(on: Q, *days: date):
    """The visit items of the families matching `on` on the days in each (first, last) pair of `days`, grouped by
    practitioner, weekday and outcome, the pairs' rows one after another (UNION ALL)."""
    items = SummaryItem.objects.filter(on, kind=ItemKind.VISIT).order_by()
    edges = [
        items.filter(day__range=pair).values_list("practitioner_id", "weekday", "key").annotate(n=Sum("n"))
        for pair in zip(days[::2], days[1::2], strict=True)
    ]
    return edges[0].union(*edges[1:], all=True)


_part_months_one = PreparedByShape(_part_months, (DATE, DATE))
_part_months_two = PreparedByShape(_part_months, (DATE,) * 4)


@prepared_by_shape(DATE, DATE)
def _whole_month_sums(on: Q, first: date, last: date):
    return (
        VisitMonth.objects.filter(on, month__range=(first, last))
        .order_by()
        .values_list("practitioner_id")
        .annotate(**{column: Sum(column) for column in COLUMNS})
    )


def _whole_months(start: date, end: date) -> tuple[date, date] | None:
    """The first days of the first and last calendar months lying wholly in [start, end] (None: no such month)."""
    first = start if start.day == 1 else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    after_end = end + timedelta(days=1)
    last = after_end.replace(day=1) - timedelta(days=1)  # the last day of the last whole month
    last = last.replace(day=1)
    return (first, last) if first <= last else None


def counts(on: Q, start: date, end: date) -> VisitCounts:
    """The visits planned from `start` to `end` (inclusive) of the families matching `on` (the scope's rule, on
    `service_id` and `site_id`): the whole months summed from `VisitMonth` (one query), the days outside them from
    the visit items (one query, the part-months at either end as a union, each grouped in the database). Both are
    compiled once per shape of `on` (its ids are the shape; the dates are the values, ADR 0032): every look at the
    dashboard asks."""
    found = VisitCounts()
    months = _whole_months(start, end)
    if months is None:
        edges = _part_months_one((on,), on, start, end)
    else:
        first, last = months
        edges = _part_months_two(
            (on,), on, start, first - timedelta(days=1), (last.replace(day=28) + timedelta(days=4)).replace(day=1), end
        )
    by_weekday, by_outcome = found.by_weekday, found.by_outcome
    for practitioner_id, weekday, outcome, n in edges:  # `found.add`, without a call for each of ~500 rows
        if outcome != CANCELLED_BY_SERVICE:
            by_weekday[(practitioner_id, weekday)] += n
        if outcome:
            by_outcome[outcome] += n
    if months is None:
        return found
    rows = _whole_month_sums((on,), on, *months)
    for practitioner_id, *values in rows:
        sums = dict(zip(COLUMNS, values, strict=True))
        for weekday, column in enumerate(VISIT_WEEKDAY_COLUMNS, start=1):
            if sums[column]:
                found.by_weekday[(practitioner_id or None, weekday)] += sums[column]
        for column in VISIT_OUTCOME_COLUMNS:
            if sums[column]:
                found.by_outcome[column] += sums[column]
    return found
