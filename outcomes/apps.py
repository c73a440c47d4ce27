from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcome measures"

    def ready(self):
        # Register this app's section of the family's record.
        from . import record  # noqa: F401
