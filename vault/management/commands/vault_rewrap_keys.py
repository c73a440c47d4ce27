"""Re-wrap every held family key with the current key-encryption key (the first in VAULT_KEY_ENCRYPTION_KEY)."""

from django.core.management.base import BaseCommand

from vault.keys import rewrap_all


class Command(BaseCommand):
    help = "Key rotation for the film vault: re-wrap every family key with the current key-encryption key."

    def handle(self, *args, **options):
        """Run after putting the new key first; remove the old key once it reports done (ADR 0026)."""
        done = rewrap_all()
        self.stdout.write(f"Re-wrapped {done} family key{'s' if done != 1 else ''} with the current key.")
