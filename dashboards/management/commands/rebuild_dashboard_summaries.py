"""Rebuild the dashboard's summaries of one service (or every service) from raw rows (ADR 0022).

For after a bulk import that wrote rows without the actions, a restore, or a change to how a summary is worked out
(a release that changes `dashboards.summaries.compute` says so). Safe while the service works: a change committed
meanwhile leaves its outbox row, worked off next.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Service
from dashboards import summaries


class Command(BaseCommand):
    help = "Rebuild the dashboard's summaries from raw rows for one service (--service ID) or all (--all)."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--service", type=int, help="The service's id.")
        which.add_argument("--all", action="store_true", help="Every service.")

    def handle(self, *args, **options):
        """Rebuild each service named, saying how many families it summarised and how long it took."""
        if options["all"]:
            services = list(Service.objects.order_by("pk"))
        else:
            services = list(Service.objects.filter(pk=options["service"]))
            if not services:
                raise CommandError(f"No service with id {options['service']}")
        for service in services:
            started = time.monotonic()
            done = summaries.rebuild(service.pk)
            self.stdout.write(f"{service.name}: {done} families summarised in {time.monotonic() - started:.1f} s")
