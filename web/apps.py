from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"

    def ready(self):
        """Register the start-up check on the object store (web.health) and the workers' own heartbeat and
        start-up sweep (web.tasks), whichever process starts."""
        from . import health, tasks  # noqa: F401
