from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "vault"
    verbose_name = "Film vault"

    def ready(self):
        # Register the vault's part of the cycle page.
        from . import sections  # noqa: F401
