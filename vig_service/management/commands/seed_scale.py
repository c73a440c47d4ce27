"""Fill a throw-away database with ten years of synthetic referrals, for measuring pages at production scale.

It bypasses `referrals.actions` on purpose (bulk inserts, minutes not hours; see `vig_service.scale`), so it
refuses to run unless the database is throw-away (its name ends in `_scale`, or --i-know-this-is-throwaway) and
the app is in demo mode.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from vig_service import scale


class Command(BaseCommand):
    help = "Bulk-load synthetic scale data (bypassing the actions). Throw-away databases in demo mode only."

    def add_arguments(self, parser):
        parser.add_argument("--referrals", type=int, default=100_000)
        parser.add_argument("--practitioners", type=int, default=200)
        parser.add_argument("--years", type=int, default=scale.YEARS)
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable data.")
        parser.add_argument(
            "--i-know-this-is-throwaway",
            action="store_true",
            dest="throwaway",
            help="The database may be filled with synthetic rows even though its name does not end in _scale.",
        )

    def handle(self, *args, **options):
        self.refuse_unless_throwaway(options["throwaway"])
        plan = scale.Plan(
            referrals=options["referrals"],
            practitioners=options["practitioners"],
            years=options["years"],
            seed=options["seed"],
        )
        started = time.monotonic()
        made = scale.seed(plan, self.progress)
        if connection.vendor == "postgresql":
            # Bulk inserts leave the planner's statistics empty: without them it guesses a service holds a few
            # rows and sorts whole tables, and the benchmark measures the guess, not the code.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write("")
        summary = ", ".join(f"{count:,} {what}" for what, count in made.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded {summary} in {time.monotonic() - started:.0f}s."))

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
        if scale.already_seeded():
            raise CommandError("This database already holds scale data: drop and recreate it to seed again.")

    def progress(self, stage: str, done: int, total: int) -> None:
        self.stdout.write(f"\r{stage}: {done:,}/{total:,} referrals", ending="\n" if done == total else "")
        self.stdout.flush()
