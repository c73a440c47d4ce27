"""Destroy now every film whose destruction date has come (what the daily beat task does through the workers)."""

from django.core.management.base import BaseCommand

from vault.actions import sweep_due_films


class Command(BaseCommand):
    help = (
        "Film vault: destroy every film due for destruction today or earlier, here and now (services that ask for "
        "two people get a notice instead). Safe to run again: a destroyed film is skipped, a failed one retried."
    )

    def handle(self, *args, **options):
        """For operators: after an outage of the workers, or to see at once what the daily task would do."""
        counts = sweep_due_films(inline=True)
        self.stdout.write(
            f"Destroyed {counts['destroyed']} film(s); {counts['failed']} could not be destroyed (tried again on the "
            f"next run); {counts['needs_two_people']} need two people (a notice is on their home pages)."
        )
        if counts["failed"]:
            raise SystemExit(1)
