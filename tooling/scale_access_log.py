"""An access log of national size for `seed_scale --access-log-rows N` (issue 21): about a year of views, by COPY.

Bypasses `log_access` on purpose (minutes, not days), so it runs only where `seed_scale` does: throw-away
databases in demo mode. The rows are the seeded data's own people and records: staff of the seeded services open
referrals (55%), their visits, consents and cycles (12%), lists and searches that show 20 families (15%: the
`ids_shown` the audit viewer's GIN index answers), create and update (8%), sign in and out (10%). Users are skewed
(a few busy coordinators, many occasional readers); rows come in time order, spread over the `months` before now.

On PostgreSQL each month is built the way a bulk load should be (ADR 0023): COPY into a plain table without
indexes, the month's existing rows copied in too, the parent's indexes and primary key built once, then the table
swapped in for the month's partition (DETACH + DROP of the old one, ATTACH of the new, which takes the parent's
trigger and matches its indexes) in one short transaction. Ids come from the log's own sequence, reserved a month
at a time, so they keep rising with time. Elsewhere (SQLite, small sizes in tests) rows are inserted in batches.
"""

# ruff: noqa: S608 - table and index names are built from the catalogue and constants; values are parameters

import json
import random
from bisect import bisect_left
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from accounts import partitions
from accounts.models import User
from referrals.models import Referral

TABLE = partitions.TABLE
COLUMNS = ("id", "at", "user_id", "username", "ip_address", "action", "object_type", "object_id", "path", "detail")
CHUNK = 50_000  # rows per piece of the COPY stream (and per progress report)
LIST_POOL = 20_000  # distinct list rows' ids_shown, reused: each family is shown by about as many rows as if not
RECORD_TYPES = ("cycles.visit", "cycles.consent", "cycles.cycle")

Progress = Callable[[str, int, int], None]


def _hms() -> list[str]:
    """'HH:MM:SS' for every second of a day: formatting a timestamp is most of a line's cost otherwise."""
    return [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]


class Mix:
    """The seeded data's people and records, as pre-formatted COPY text, and how often each kind of row happens."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        staff = list(User.objects.filter(is_active=True).order_by("pk").values_list("pk", "username"))
        if not staff:
            raise ValueError("No staff to write the access log as: seed referrals first.")
        rng.shuffle(staff)
        ips = [f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(500)]
        # user_id, username, ip_address: one string per person (each works from one address)
        self.staff = [f"{pk}\t{name}\t{ips[pk % len(ips)]}\t" for pk, name in staff]
        # Zipf-like: the first in the shuffled order are busy, the rest occasional.
        self.staff_weights = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(staff))))
        referrals = list(Referral.objects.order_by().values_list("pk", flat=True)) or [1]
        # action, object_type, object_id, path, detail: the rest of the line, by kind
        self.views = [f"view\treferrals.referral\t{pk}\t/referrals/{pk}/\t{{}}\n" for pk in referrals]
        self.changes = [f"update\treferrals.referral\t{pk}\t/referrals/{pk}/edit/\t{{}}\n" for pk in referrals]
        self.records = []
        for label in RECORD_TYPES:
            ids = apps.get_model(label).objects.order_by().values_list("pk", flat=True)[:200_000]
            path = label.replace(".", "/")
            self.records += [f"view\t{label}\t{pk}\t/{path}/{pk}/\t{{}}\n" for pk in ids]
        self.records = self.records or self.views
        self.lists = [
            "list\treferrals.referral\t\t/referrals/waiting/\t"
            + json.dumps({"list": rng.choice(["waiting", "triage", "search", "caseloads"]), "ids_shown": ids})
            + "\n"
            for ids in (rng.sample(referrals, min(20, len(referrals))) for _ in range(LIST_POOL))
        ]
        self.sign_ins = ["login\t\t\t/accounts/login/\t{}\n", "logout\t\t\t/accounts/logout/\t{}\n"]

    def line(self, row_id: int, at: str) -> str:
        """One COPY text line (tab-separated; nothing needs escaping: ids, names of our making, JSON of ints).

        Views of a referral 55%, of its records 12%, lists 15%, updates 8%, sign-in and out 10%.
        """
        rng = self.rng
        who = self.staff[bisect_left(self.staff_weights, rng.random() * self.staff_weights[-1])]
        kind = rng.random()
        if kind < 0.55:
            rest = rng.choice(self.views)
        elif kind < 0.67:
            rest = rng.choice(self.records)
        elif kind < 0.82:
            rest = rng.choice(self.lists)
        elif kind < 0.90:
            rest = rng.choice(self.changes)
        else:
            rest = self.sign_ins[kind > 0.96]
        return f"{row_id}\t{at}\t{who}{rest}"


def months_plan(rows: int, months: int, now: datetime) -> list[tuple[datetime, datetime, int]]:
    """(from, to, rows) per calendar month over the `months` before now, rows in proportion to each month's span."""
    start = now - timedelta(days=round(months * 365 / 12))
    bounds, cursor = [], start
    while cursor < now:
        month = partitions.month_start(cursor.date())
        end = min(datetime(*partitions.month_start(month, 1).timetuple()[:3], tzinfo=UTC), now)
        bounds.append((cursor, end))
        cursor = end
    span = (now - start).total_seconds()
    plan, given = [], 0
    for number, (begin, end) in enumerate(bounds):
        share = rows - given if number == len(bounds) - 1 else round(rows * (end - begin).total_seconds() / span)
        plan.append((begin, end, share))
        given += share
    return plan


def _lines(mix: Mix, begin: datetime, end: datetime, count: int, first_id: int) -> Iterator[str]:
    """`count` rows in time order between begin and end, CHUNK rows per string."""
    hms, step = _hms(), (end - begin).total_seconds() / max(count, 1)
    origin = begin.timestamp()
    days: dict[int, str] = {}
    done = 0
    while done < count:
        out = []
        for n in range(done, min(count, done + CHUNK)):
            moment = origin + n * step + mix.rng.random() * step
            whole = int(moment)
            day = whole // 86400
            if day not in days:
                days[day] = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d")
            stamp = f"{days[day]} {hms[whole % 86400]}.{int((moment - whole) * 1e6):06d}+00"
            out.append(mix.line(first_id + n, stamp))
        done += len(out)
        yield "".join(out)


class _Stream:
    """A file-like object over the row generator, for psycopg2's copy_expert; reports progress as it is read."""

    def __init__(self, chunks: Iterator[str], on_chunk: Callable[[int], None]):
        self.chunks, self.buffer, self.on_chunk = chunks, b"", on_chunk

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            try:
                chunk = next(self.chunks)
            except StopIteration:
                break
            self.buffer += chunk.encode()
            self.on_chunk(chunk.count("\n"))
        if size < 0:
            out, self.buffer = self.buffer, b""
        else:
            out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out


def _reserve_ids(count: int) -> int:
    """The first of `count` ids taken from the log's own sequence, so later real rows never collide."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_get_serial_sequence('{TABLE}', 'id')")
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s)", [sequence])
        (first,) = cursor.fetchone()
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count])
    return first


def _parent_indexes() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x WHERE x.indrelid = %s::regclass AND NOT "
            "x.indisprimary ORDER BY x.indexrelid",
            [TABLE],
        )
        return [row[0] for row in cursor.fetchall()]


def _load_month(mix: Mix, begin: datetime, end: datetime, count: int, on_chunk) -> None:
    """COPY one month into a fresh table, add the month's existing rows, index it, swap it in as the partition."""
    month = partitions.month_start(begin.date())
    name = partitions.partition_name(month)
    loading = f"{name}_load"
    month_from = datetime(month.year, month.month, 1, tzinfo=UTC)
    month_to = datetime(*partitions.month_start(month, 1).timetuple()[:3], tzinfo=UTC)
    first_id = _reserve_ids(count)
    existing = {p.name for p in partitions.partitions()}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {partitions.DEFAULT_PARTITION} WHERE at >= %s AND at < %s)",
            [month_from, month_to],
        )
        if cursor.fetchone()[0]:
            raise ValueError(f"The default partition holds rows of {month:%B %Y}: that month cannot be loaded.")
        cursor.execute(f"DROP TABLE IF EXISTS {loading}")
        cursor.execute(f"CREATE TABLE {loading} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        stream = _Stream(_lines(mix, begin, end, count, first_id), on_chunk)
        cursor.cursor.copy_expert(f"COPY {loading} ({', '.join(COLUMNS)}) FROM STDIN", stream, size=1 << 20)
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute(f"ALTER TABLE {loading} ADD PRIMARY KEY (id, at)")
        for number, definition in enumerate(_parent_indexes()):
            body = definition.split(" USING ", 1)[1]
            cursor.execute(f"CREATE INDEX {loading}_{number} ON {loading} USING {body}")
        cursor.execute(
            f"ALTER TABLE {loading} ADD CONSTRAINT {loading}_month CHECK (at >= %s AND at < %s)",
            [month_from, month_to],
        )
        with transaction.atomic():
            if name in existing:
                # Writers to this month wait from here to the swap, so no row written meanwhile is left behind.
                cursor.execute(f"LOCK TABLE {name} IN EXCLUSIVE MODE")
                cursor.execute(f"INSERT INTO {loading} SELECT * FROM {name}")
                partitions.detach_and_drop(name)  # its rows are in the new table now
            cursor.execute(f"ALTER TABLE {loading} RENAME TO {name}")
            cursor.execute(
                f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [month_from, month_to]
            )
            cursor.execute(f"ALTER TABLE {name} DROP CONSTRAINT {loading}_month")


def _insert_plainly(mix: Mix, plan, on_chunk) -> None:
    """SQLite: batched INSERTs (small sizes only)."""
    placeholders = ", ".join(["%s"] * (len(COLUMNS) - 1))
    sql = f"INSERT INTO {TABLE} ({', '.join(COLUMNS[1:])}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for begin, end, count in plan:
            for chunk in _lines(mix, begin, end, count, 0):
                rows = [line.rstrip("\n").split("\t")[1:] for line in chunk.splitlines(keepends=True)]
                for row in rows:
                    row[1] = row[1] or None
                    row[0] = row[0].removesuffix("+00")  # Django's SQLite form: naive UTC
                cursor.executemany(sql, rows)
                on_chunk(len(rows))


def seed(rows: int, *, months: int = 12, seed: int = 2026, progress: Progress | None = None) -> dict[str, int]:
    """Write `rows` synthetic access-log rows over the `months` before now. Returns what it made, for the summary."""
    progress = progress or (lambda stage, done, total: None)
    stage = "Access log (COPY, a month at a time)"
    mix = Mix(random.Random(seed))
    plan = [part for part in months_plan(rows, months, timezone.now()) if part[2] > 0]
    done = 0
    progress(stage, 0, rows)

    def on_chunk(count: int) -> None:
        nonlocal done
        done += count
        if done < rows:
            progress(stage, done, rows)

    if partitions.is_partitioned():
        partitions.ensure_partitions()
        for begin, end, count in plan:
            _load_month(mix, begin, end, count, on_chunk)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")
    elif connection.vendor == "postgresql":  # before migration 0007: one COPY into the plain table
        with connection.cursor() as cursor:
            for begin, end, count in plan:
                chunks = _lines(mix, begin, end, count, _reserve_ids(count))
                cursor.cursor.copy_expert(
                    f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN", _Stream(chunks, on_chunk), size=1 << 20
                )
            cursor.execute(f"ANALYZE {TABLE}")
    else:
        _insert_plainly(mix, plan, on_chunk)
    progress(stage, rows, rows)
    return {"access-log rows": rows, "MB of access log on disk with its indexes": log_size_bytes() // 2**20}


def log_size_bytes() -> int:
    """The access log's size on disk with its indexes: every partition's pg_total_relation_size, summed."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits WHERE inhparent = %s::regclass",
            [TABLE],
        )
        partitioned = cursor.fetchone()[0]
        cursor.execute("SELECT pg_total_relation_size(%s::regclass)", [TABLE])
        return int(partitioned) + int(cursor.fetchone()[0])
