from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "cycles"
    verbose_name = "VIG cycles"

    def ready(self):
        # Register this app's sections of the family's record and of the home page.
        from . import home, record  # noqa: F401
