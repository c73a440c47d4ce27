from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff, services and access log"

    def ready(self):
        from . import signals  # noqa: F401
