from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Information governance"

    def ready(self):
        # Destroyed referrals answer 410 with their tombstone (web.tombstones).
        from . import record, tombstones  # noqa: F401
