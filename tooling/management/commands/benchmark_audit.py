"""Time the audit viewer's queries over a large synthetic access log, in a throw-away database.

It bulk-inserts synthetic access-log rows (COPY on PostgreSQL, executemany in batches elsewhere), bypassing
`log_access` on purpose, so it refuses to run unless the database is throw-away (its name ends in `_scale`, or
--i-know-this-is-throwaway) and the app is in demo mode. Then it times one page of the audit viewer (all its
queries, as the page runs them) by family, by person and by date range, and prints p50/p95.
"""

import io
import json
import random
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction, AccessEvent, Membership, Role, User
from audit.reads import Filters, audit_referrals, timeline
from referrals.models import Referral
from tooling import demo
from tooling.benchmark import percentile

COLUMNS = ["at", "user_id", "username", "action", "object_type", "object_id", "ip_address", "path", "detail"]
INSERT_SQL = (  # constant text: the column names above, no outside input
    "INSERT INTO accounts_accessevent (at, user_id, username, action, object_type, object_id, ip_address, path, "
    "detail) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
SYNTHETIC_STAFF = 2_000  # user ids that no demo user has: the rest of a big organisation's staff
SYNTHETIC_FAMILIES = 100_000


class Command(BaseCommand):
    help = "Bulk-insert synthetic access-log rows and time the audit viewer. Throw-away databases in demo mode only."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=1_000_000)
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--i-know-this-is-throwaway", action="store_true", dest="throwaway")
        parser.add_argument(
            "--write-cost",
            type=int,
            default=0,
            metavar="N",
            help="Only measure writing N access-log rows through log_access (and one INSERT's buffers); no rows "
            "are bulk-inserted and no pages timed.",
        )

    def handle(self, *args, **options):
        self.refuse_unless_throwaway(options["throwaway"])
        if options["write_cost"]:
            cost = write_cost(options["write_cost"])
            self.stdout.write(
                f"Access log of about {self.table_rows():,} rows: writing one row through log_access p50 "
                f"{cost['p50_ms']:.2f} ms, p95 {cost['p95_ms']:.2f} ms over {options['write_cost']:,} rows; one "
                f"INSERT touches {cost['buffers']} buffers ({cost['plan_ms']:.2f} ms in PostgreSQL), "
                f"{cost['full_month_buffers']} into last month's partition"
            )
            return
        rng = random.Random(options["seed"])
        if not Referral.objects.exists():
            demo.configure_seed_services()
            demo.create_demo_staff()
            demo.create_demo_referrals()
        started = time.monotonic()
        self.insert(options["events"], rng)
        self.stdout.write(f"Inserted {options['events']:,} rows in {time.monotonic() - started:.0f}s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE accounts_accessevent")
        self.stdout.write(f"Access log now holds about {self.table_rows():,} rows")
        for name, filters, viewer in self.cases():
            timings, rows = [], 0
            for _ in range(options["repeat"]):
                viewer.__dict__.pop("_vig_memberships", None)
                begin = time.perf_counter()
                page, _cursor = timeline(viewer, filters)
                timings.append((time.perf_counter() - begin) * 1000)
                rows = len(page)
            self.stdout.write(
                f"{name:<28} p50 {percentile(timings, 50):7.1f} ms   p95 {percentile(timings, 95):7.1f} ms   "
                f"rows on page {rows}"
            )

    def refuse_unless_throwaway(self, throwaway: bool) -> None:
        """Synthetic rows must never land in a real access log."""
        if not settings.DEMO_MODE:
            raise CommandError("benchmark_audit runs only in demo mode (DEMO_MODE=1): it writes synthetic rows.")
        name = str(connection.settings_dict["NAME"])
        if not name.endswith("_scale") and not throwaway:
            raise CommandError(
                f"The database {name!r} does not look throw-away: use one whose name ends in _scale, "
                "or pass --i-know-this-is-throwaway."
            )

    def table_rows(self) -> int:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # a partitioned parent's own reltuples is -1: sum its months
                cursor.execute(
                    "SELECT COALESCE(sum(GREATEST(c.reltuples, 0)), 0)::bigint FROM pg_class c WHERE c.oid = "
                    "'accounts_accessevent'::regclass AND c.relkind = 'r' OR c.oid IN (SELECT inhrelid FROM "
                    "pg_inherits WHERE inhparent = 'accounts_accessevent'::regclass)"
                )
                return cursor.fetchone()[0]
        return AccessEvent.objects.count()

    def insert(self, total: int, rng: random.Random) -> None:
        staff = list(User.objects.values_list("pk", "username"))
        families = list(Referral.objects.values_list("pk", flat=True))
        now = timezone.now()
        batch = 50_000
        for first in range(0, total, batch):
            rows = [self.row(rng, now, staff, families) for _ in range(min(batch, total - first))]
            self.write(rows)
            self.stdout.write(f"\r{first + len(rows):,}/{total:,}", ending="")
            self.stdout.flush()
        self.stdout.write("")

    def row(self, rng, now, staff, families) -> tuple:
        """One synthetic row: 5% by demo staff, views of one family in 100,000, lists of 20, log-ins, visits."""
        at = now - timedelta(seconds=rng.randrange(2 * 365 * 24 * 3600))
        if rng.random() < 0.05:
            user_id, username = rng.choice(staff)
        else:
            user_id = 1_000_000 + rng.randrange(SYNTHETIC_STAFF)
            username = f"staff{user_id}"

        def family_id():
            return rng.choice(families) if rng.random() < 0.001 else 1_000_000 + rng.randrange(SYNTHETIC_FAMILIES)

        kind = rng.random()
        detail, object_id = {}, ""
        if kind < 0.6:
            action, object_type, object_id = "view", "referrals.referral", str(family_id())
        elif kind < 0.75:
            action, object_type = "list", "referrals.referral"
            detail = {"list": "waiting", "ids_shown": [family_id() for _ in range(20)]}
        elif kind < 0.9:
            action, object_type, object_id = "view", "cycles.visit", str(rng.randrange(1, 300_000))
        else:
            action, object_type = "login", ""
        path = f"/referrals/{object_id}/" if object_id else "/"
        return (at, user_id, username, action, object_type, object_id, "10.0.0.1", path, json.dumps(detail))

    def write(self, rows: list[tuple]) -> None:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join(_copy_text(value) for value in row) + "\n")
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(f"COPY accounts_accessevent ({', '.join(COLUMNS)}) FROM STDIN", buffer)
            return
        with connection.cursor() as cursor:
            cursor.executemany(INSERT_SQL, rows)

    def cases(self):
        """The audit page's three questions, asked by a manager of the first seed service."""
        manager = User.objects.filter(memberships__role=Role.MANAGER).first()
        busiest = (
            User.objects.filter(memberships__service__in=Membership.objects.filter(user=manager).values("service"))
            .exclude(pk=manager.pk)
            .first()
        )
        target = audit_referrals(manager).order_by("pk").first()
        today = timezone.localdate()
        return [
            ("by family (reference)", Filters(referral=target), manager),
            ("by person", Filters(person=busiest), manager),
            ("by person, one month", Filters(person=busiest, start=today - timedelta(days=30), end=today), manager),
            ("by date range (one week)", Filters(start=today - timedelta(days=7), end=today), manager),
            ("everything, newest first", Filters(), manager),
        ]


def _copy_text(value) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def write_cost(count: int) -> dict:
    """The cost of the log's write path, to show it does not grow with the log (ADR 0023): `count` rows written one
    at a time through `log_access`, each its own transaction as in a request, and one INSERT under EXPLAIN (ANALYZE,
    BUFFERS) in a rolled-back transaction: the buffers it touches are the month's index pages, not the log's."""
    timings = []
    for number in range(count):
        begin = time.perf_counter()
        log_access(action=AccessAction.VIEW, object_type="referrals.referral", object_id=number + 1, detail={})
        timings.append((time.perf_counter() - begin) * 1000)
    buffers, plan_ms, full_month = 0, 0.0, 0
    if connection.vendor == "postgresql":
        buffers, plan_ms = _insert_buffers(timezone.now())
        full_month = _insert_buffers(timezone.now() - timedelta(days=31))[0]  # into a whole month's partition
    return {
        "p50_ms": percentile(timings, 50),
        "p95_ms": percentile(timings, 95),
        "buffers": buffers,
        "plan_ms": plan_ms,
        "full_month_buffers": full_month,
    }


def _insert_buffers(at) -> tuple[int, float]:
    """Buffers one INSERT at `at` touches (heap and every index) and its time in PostgreSQL; rolled back."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + INSERT_SQL,
            [at, 1, "bench", "view", "referrals.referral", "1", "10.0.0.1", "/", "{}"],
        )
        plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        transaction.set_rollback(True)
    top = plan[0]["Plan"]
    return sum(top.get(key, 0) for key in ("Shared Hit Blocks", "Shared Read Blocks")), plan[0]["Execution Time"]
