from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self):
        # Register the dashboard's link on the home page.
        from . import home  # noqa: F401
