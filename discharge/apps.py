from django.apps import AppConfig


class DischargeConfig(AppConfig):
    name = "discharge"
    verbose_name = "Discharge"

    def ready(self):
        # Register the "Discharge" section of the family's record.
        from . import record  # noqa: F401
