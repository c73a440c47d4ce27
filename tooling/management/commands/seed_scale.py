"""Fill a throw-away database with ten years of synthetic referrals and their VIG casework, for measuring pages
at production scale.

It bypasses the actions on purpose (bulk inserts, minutes not hours; see `tooling.scale` and
`tooling.scale_work`), so it refuses to run unless the database is throw-away (its name ends in `_scale`, or
--i-know-this-is-throwaway) and the app is in demo mode.
"""

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tooling import scale, scale_access_log

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Bulk-load synthetic scale data (bypassing the actions). Throw-away databases in demo mode only."

    def add_arguments(self, parser):
        parser.add_argument("--referrals", type=int, default=100_000)
        parser.add_argument(
            "--practitioners", type=int, default=None, help="Default: 200, or 15 a service beyond three services."
        )
        parser.add_argument("--services", type=int, default=len(scale.SCALE_SEEDS), help="Services (default 3).")
        parser.add_argument(
            "--shape",
            choices=("spread", "backlogged"),
            default="spread",
            help="backlogged: the first service overwhelmed (about 2,000 waiting, 1,800 to triage, 4,000 open "
            "allocations among 70 practitioners at 100,000 referrals).",
        )
        parser.add_argument("--backlogged", action="store_const", const="backlogged", dest="shape")
        parser.add_argument("--years", type=int, default=scale.YEARS)
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable data.")
        parser.add_argument(
            "--access-log-rows",
            type=int,
            default=0,
            help="Also write this many access-log rows over the last year by COPY (tooling/scale_access_log.py); "
            "on a database already seeded, only these.",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="Processes seeding services side by side (PostgreSQL only; default: 2 there, else 1).",
        )
        parser.add_argument(
            "--i-know-this-is-throwaway",
            action="store_true",
            dest="throwaway",
            help="The database may be filled with synthetic rows even though its name does not end in _scale.",
        )

    def handle(self, *args, **options):
        self.access_log_rows = options["access_log_rows"]
        self.refuse_unless_throwaway(options["throwaway"])
        services = max(1, options["services"])
        plan = scale.Plan(
            referrals=options["referrals"],
            practitioners=options["practitioners"] or max(200, scale.PRACTITIONERS_PER_SERVICE * services),
            services=services,
            backlogged=options["shape"] == "backlogged",
            years=options["years"],
            seed=options["seed"],
        )
        started = time.monotonic()
        self.stage_started = started
        scale.fast_writes()
        log_only = options["access_log_rows"] and scale.already_seeded()
        made = {} if log_only else scale.seed(plan, self.progress, jobs=self.jobs(options["jobs"]))
        if options["access_log_rows"]:
            made |= scale_access_log.seed(options["access_log_rows"], seed=options["seed"], progress=self.progress)
        # Bulk inserts leave the planner's statistics empty: without them it guesses a service holds a few rows and
        # sorts whole tables, and the benchmark measures the guess, not the code (again after the summaries).
        scale.planner_statistics(self.progress)
        summary = ", ".join(f"{count:,} {what}" for what, count in made.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded {summary} in {time.monotonic() - started:.0f}s."))

    def jobs(self, wanted: int | None) -> int:
        """Several processes only on PostgreSQL (SQLite takes one writer) and outside a transaction (a test's), which
        the other processes could not see into."""
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            if wanted and wanted > 1:
                self.stderr.write("Seeding in one process: --jobs needs PostgreSQL and no open transaction.")
            return 1
        return max(1, wanted or min(2, os.cpu_count() or 1))

    def refuse_unless_throwaway(self, throwaway: bool) -> None:
        """Synthetic rows must never land among real families' records."""
        if not settings.DEMO_MODE:
            raise CommandError("seed_scale runs only in demo mode (DEMO_MODE=1): it writes synthetic families.")
        name = str(connection.settings_dict["NAME"])
        if not name.endswith("_scale") and not throwaway:
            raise CommandError(
                f"The database {name!r} does not look throw-away: use one whose name ends in _scale, "
                "or pass --i-know-this-is-throwaway."
            )
        if scale.already_seeded() and not self.access_log_rows:
            raise CommandError("This database already holds scale data: drop and recreate it to seed again.")

    def progress(self, stage: str, done: int, total: int) -> None:
        """One line per stage, redrawn in place: a bar, the count and the stage's time so far."""
        if done == 0:
            self.stage_started = time.monotonic()
        filled = round(BAR_WIDTH * done / total) if total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        count = f"{done:,}/{total:,}" if total > 1 else ("done" if done else "")
        seconds = time.monotonic() - self.stage_started
        self.stdout.write(f"\r{stage:<58} [{bar}] {count} {seconds:.0f}s", ending="\n" if done == total else "")
        self.stdout.flush()
