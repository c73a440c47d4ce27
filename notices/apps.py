from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "In-app notices"

    def ready(self):
        from . import home  # noqa: F401  (registers the home page's notices section)
