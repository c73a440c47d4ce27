"""Where prepared dashboard exports are kept: Django's storage API, alias "dashboard_exports" in settings.STORAGES.

A private folder outside the web root by default (PRIVATE_FILES_ROOT/dashboard-exports), never given a URL: the
only way out is the access-checked, logged download view. Point the alias at S3-compatible storage (as for
letters, README "Letters") when the web and worker machines are several, so a file a worker writes is one the web
can read.
"""

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

ALIAS = "dashboard_exports"


class ExportStorage(LazyObject):
    """The "dashboard_exports" storage, looked up when first used (so tests can point it elsewhere)."""

    def _setup(self):
        self._wrapped = storages[ALIAS]


export_storage_instance = ExportStorage()


def export_storage():
    """The FileField's storage (a callable, so migrations do not freeze the backend)."""
    return export_storage_instance


@receiver(setting_changed)
def _forget_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        export_storage_instance._wrapped = empty


def file_name(export) -> str:
    """One name per export: a run after a crash overwrites the same file instead of adding a second."""
    return f"export-{export.pk}.csv"
