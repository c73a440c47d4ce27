"""Time key pages and API lists as real users through the whole stack: p50/p95 and SQL queries per target.

Demo mode only: it signs in as staff of the (scale) data without a second factor and its requests are written to
the access log like anyone's. The targets are listed in `vig_service.benchmark.TARGETS`.
"""

import json
from dataclasses import asdict

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from referrals.models import Referral
from vig_service import benchmark


class Command(BaseCommand):
    help = "Request key pages and API lists as their users; print p50/p95 and query counts (demo mode only)."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30, help="Timed requests per target (default 30).")
        parser.add_argument("--json", dest="json_path", help="Also write the results to this JSON file.")
        parser.add_argument("--only", help="Run only targets whose name contains this text.")

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("benchmark runs only in demo mode (DEMO_MODE=1): it signs in without a second factor.")
        targets = [t for t in benchmark.TARGETS if (options["only"] or "").lower() in t.name.lower()]
        hosts = [h for h in settings.ALLOWED_HOSTS if h != "*" and not h.startswith(".")]
        host = "testserver" if "testserver" in hosts or not hosts else hosts[0]
        try:
            results = benchmark.run(targets, options["repeat"], host=host)
        except LookupError as error:
            raise CommandError(str(error)) from error
        referrals = Referral.objects.count()
        self.stdout.write(f"{connection.vendor}, {referrals:,} referrals, {options['repeat']} requests per target")
        self.stdout.write(benchmark.table(results))
        if options["json_path"]:
            body = {
                "database": connection.vendor,
                "referrals": referrals,
                "repeat": options["repeat"],
                "results": [asdict(r) for r in results],
            }
            with open(options["json_path"], "w", encoding="utf-8") as out:
                json.dump(body, out, indent=2)
        if any(t.name.startswith("Dashboard") for t in targets):
            service_id = benchmark.find_context().practitioner_membership.service_id
            floor_rows = benchmark.floors(service_id, options["repeat"])
            self.stdout.write("\nDashboard floors (one hand-written SQL statement per figure group)")
            for name, p50, p95 in floor_rows:
                self.stdout.write(f"{name:<34}  {p50:>8.1f}  {p95:>8.1f}")
            self.stdout.write(
                f"{'Sum of floors':<34}  {sum(r[1] for r in floor_rows):>8.1f}  {sum(r[2] for r in floor_rows):>8.1f}"
            )
        failed = [r.name for r in results if r.status != 200]
        if failed:
            raise CommandError(f"Not 200: {', '.join(failed)}")
