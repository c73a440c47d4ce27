"""Time key pages and API lists as real users through the whole stack: p50/p95 and SQL queries per target.

Demo mode only: it signs in as staff of the (scale) data without a second factor and its requests are written to
the access log like anyone's. The targets are listed in `tooling.benchmark.TARGETS`.
"""

import json
from dataclasses import asdict

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from referrals.models import Referral
from tooling import benchmark


class Command(BaseCommand):
    help = "Request key pages and API lists as their users; print p50/p95 and query counts (demo mode only)."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30, help="Timed requests per target (default 30).")
        parser.add_argument("--json", dest="json_path", help="Also write the results to this JSON file.")
        parser.add_argument("--only", help="Run only targets whose name contains this text.")
        parser.add_argument(
            "--profile", dest="profile_path", help="Profile the timed requests (cProfile) and write the stats here."
        )

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("benchmark runs only in demo mode (DEMO_MODE=1): it signs in without a second factor.")
        targets = [t for t in benchmark.TARGETS if (options["only"] or "").lower() in t.name.lower()]
        hosts = [h for h in settings.ALLOWED_HOSTS if h != "*" and not h.startswith(".")]
        host = "testserver" if "testserver" in hosts or not hosts else hosts[0]
        profiler = None
        if options["profile_path"]:
            import cProfile

            profiler = cProfile.Profile()
        try:
            results = benchmark.run(targets, options["repeat"], host=host, profiler=profiler)
        except LookupError as error:
            raise CommandError(str(error)) from error
        if profiler is not None:
            profiler.dump_stats(options["profile_path"])
        referrals = Referral.objects.count()
        self.stdout.write(f"{connection.vendor}, {referrals:,} referrals, {options['repeat']} requests per target")
        self.stdout.write(benchmark.table(results))
        floor_rows = []
        dashboard = next((r for r in results if r.name.startswith("Dashboard (")), None)
        if dashboard is not None and connection.vendor == "postgresql":
            floor_rows = benchmark.dashboard_floors(options["repeat"])
            self.write_floors(floor_rows, dashboard)
        elif dashboard is not None:
            self.stdout.write("\nDashboard floors are measured on PostgreSQL only (they use its SQL).")
        if options["json_path"]:
            body = {
                "database": connection.vendor,
                "referrals": referrals,
                "repeat": options["repeat"],
                "results": [asdict(r) for r in results],
                "floors": [{"name": f.name, "p50_ms": f.p50_ms, "p95_ms": f.p95_ms} for f in floor_rows],
            }
            with open(options["json_path"], "w", encoding="utf-8") as out:
                json.dump(body, out, indent=2)
        failed = [r.name for r in results if r.status != 200]
        if failed:
            raise CommandError(f"Not 200: {', '.join(failed)}")

    def write_floors(self, floor_rows, dashboard) -> None:
        """Each figure's floor beside the page, and the page's p95 against twice their sum (the issue's target)."""
        self.stdout.write("\nDashboard floors: the one hand-written SQL statement per figure (dashboards/floors.py)")
        width = max(len(f.name) for f in floor_rows)
        self.stdout.write(f"{'Figure':<{width}}  {'p50 ms':>8}  {'p95 ms':>8}")
        for f in floor_rows:
            self.stdout.write(f"{f.name:<{width}}  {f.p50_ms:>8.1f}  {f.p95_ms:>8.1f}")
        p50 = sum(f.p50_ms for f in floor_rows)
        p95 = sum(f.p95_ms for f in floor_rows)
        self.stdout.write(f"{'Sum of floors':<{width}}  {p50:>8.1f}  {p95:>8.1f}")
        ratio = dashboard.p95_ms / p95 if p95 else float("inf")
        verdict = "within" if ratio <= 2 else "OVER"
        self.stdout.write(
            f"Dashboard p95 {dashboard.p95_ms:.1f} ms = {ratio:.1f}x the sum of floors ({verdict} the 2x target)"
        )
