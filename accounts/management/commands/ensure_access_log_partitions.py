"""Create the access log's monthly partitions for this month and the next ones (PostgreSQL; ADR 0023)."""

from django.core.management.base import BaseCommand

from accounts import partitions


class Command(BaseCommand):
    help = "Create the access log's partitions for this month and the next months (idempotent; PostgreSQL only)."

    def add_arguments(self, parser):
        parser.add_argument("--months-ahead", type=int, default=partitions.MONTHS_AHEAD)

    def handle(self, *args, **options):
        """The beat task's work on demand: after a restore, or when beat has been down for weeks."""
        if not partitions.is_partitioned():
            self.stdout.write(
                "The access log is not partitioned here (SQLite, or before migration 0007): nothing to do."
            )
            return
        made = partitions.ensure_partitions(months_ahead=options["months_ahead"])
        self.stdout.write(f"Created {', '.join(made)}." if made else "Every month is already there.")
        waiting = partitions.default_rows()
        if waiting:
            self.stderr.write(
                f"{waiting:,} rows are in the default partition: their months were never created ahead. "
                "They are kept and shown, but retention cannot drop them by month."
            )
