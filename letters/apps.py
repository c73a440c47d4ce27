from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "letters"
    verbose_name = "Letters"

    def ready(self):
        # Register the "Letters" section of the family's record.
        from . import record, storage  # noqa: F401
