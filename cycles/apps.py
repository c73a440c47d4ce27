from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "cycles"
    verbose_name = "VIG cycles"

    def ready(self):
        # Register this app's sections of the family's record and of the home page, and its caseload columns.
        from . import home, record  # noqa: F401
        from .reads import caseloads  # noqa: F401
