# ruff: noqa: S608 - table and partition names are constants here or checked against PARTITION_NAME; values are parameters
"""The access log's monthly partitions on PostgreSQL (ADR 0023): list them, create the coming months, drop one.

Migration 0007 made `accounts_accessevent` a table partitioned by range on `at`: one partition per UTC calendar month
(`accounts_accessevent_pYYYY_MM`) and a DEFAULT partition that takes any row whose month has none, so a write never
fails for want of a partition. `ensure_partitions` (a daily beat task and `manage.py ensure_access_log_partitions`)
keeps the next months created ahead, so the default stays empty: PostgreSQL refuses to create a month's partition
while the default holds rows of that month, and the default cannot be dropped by month.

Retention (`governance.actions.drop_expired_access_log_partitions`) removes whole months with `detach_and_drop`;
nothing here deletes a row. On SQLite (the demo database) the log is a plain table and every function here is a
no-op.
"""

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import connection, transaction
from django.utils import timezone

TABLE = "accounts_accessevent"
DEFAULT_PARTITION = f"{TABLE}_default"
MONTHS_AHEAD = 3
PARTITION_NAME = re.compile(rf"{TABLE}_(p[0-9]{{4}}_[0-9]{{2}}|default)")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Partition:
    name: str
    start: datetime | None  # None for the default partition
    end: datetime | None


def month_start(day: date, shift: int = 0) -> date:
    """The first day of the month `shift` months after `day`'s."""
    months = day.year * 12 + day.month - 1 + shift
    return date(months // 12, months % 12 + 1, 1)


def partition_name(month: date) -> str:
    """The one naming scheme (`accounts_accessevent_pYYYY_MM`), shared by the migration, the task and retention."""
    return f"{TABLE}_p{month:%Y_%m}"


def _utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def is_partitioned() -> bool:
    """True on PostgreSQL once migration 0007 has run."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        found = cursor.fetchone()
    return bool(found) and found[0] == "p"


def partitions() -> list[Partition]:
    """The access log's partitions, oldest month first, the default last."""
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits h JOIN pg_class c ON "
            "c.oid = h.inhrelid WHERE h.inhparent = %s::regclass",
            [TABLE],
        )
        found = cursor.fetchall()
    months, default = [], []
    for name, bound in found:
        if bound == "DEFAULT":
            default.append(Partition(name, None, None))
            continue
        # FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00')
        start, end = (datetime.fromisoformat(part.split("'")[1] + ":00") for part in bound.split(" TO "))
        months.append(Partition(name, start, end))
    return sorted(months, key=lambda p: p.start) + default


def _default_holds(cursor, start: datetime, end: datetime) -> bool:
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} WHERE at >= %s AND at < %s)", [start, end])
    return cursor.fetchone()[0]


def ensure_partitions(*, months_ahead: int = MONTHS_AHEAD, today: date | None = None) -> list[str]:
    """Create this month's partition and the next `months_ahead` months' that are missing; return the names made.

    Idempotent. A month whose rows already sit in the default partition (the task did not run for months) is left
    there and logged as an error: the rows are safe and readable, but that month cannot be dropped by retention.
    """
    if not is_partitioned():
        return []
    first = month_start(today or timezone.now().astimezone(UTC).date())
    existing = {p.name for p in partitions()}
    made = []
    for shift in range(months_ahead + 1):
        month = month_start(first, shift)
        name = partition_name(month)
        if name in existing:
            continue
        start, end = _utc(month), _utc(month_start(month, 1))
        with transaction.atomic(), connection.cursor() as cursor:
            if _default_holds(cursor, start, end):
                logger.error("access log: rows of %s are in the default partition; not partitioning it", month)
                continue
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {TABLE} FOR VALUES FROM (%s) TO (%s)", [start, end]
            )
        made.append(name)
    return made


def default_rows() -> int:
    """Rows in the default partition: 0 when the months are created ahead, as they should be."""
    if not is_partitioned():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {DEFAULT_PARTITION}")
        return cursor.fetchone()[0]


def partition_rows(name: str) -> int:
    """Rows in one partition, counted before it is dropped so the record says what went."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {_known(name)}")
        return cursor.fetchone()[0]


def detach_and_drop(name: str) -> None:
    """Remove one month's partition whole: DETACH from the log, then DROP. Never the default partition.

    Runs inside the caller's transaction, so the record of the drop commits with it or not at all.
    """
    if name == DEFAULT_PARTITION:
        raise ValueError("The default partition is never dropped.")
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {_known(name)}")
        cursor.execute(f"DROP TABLE {_known(name)}")


def _known(name: str) -> str:
    """A partition name checked against the naming scheme before it goes into SQL (it never comes from a user)."""
    if not PARTITION_NAME.fullmatch(name):
        raise ValueError(f"Not an access-log partition: {name}")
    return name
