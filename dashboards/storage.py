"""Where prepared dashboard exports are kept: Django's storage API, alias "dashboard_exports" in settings.STORAGES.

A private folder under PRIVATE_FILES_ROOT by default; the "dashboard-exports/" prefix of the private bucket when
OBJECT_STORAGE_BUCKET is set (core/storage.py), so a file a worker writes is one every web machine can read. Never
given a URL: the only way out is the access-checked, logged download view.
"""

from core.storage import storage_for

ALIAS = "dashboard_exports"
export_storage_instance = storage_for(ALIAS)


def export_storage():
    """The FileField's storage (a callable, so migrations do not freeze the backend)."""
    return export_storage_instance


def file_name(export) -> str:
    """One name per export: a run after a crash overwrites the same file instead of adding a second."""
    return f"export-{export.pk}.csv"
