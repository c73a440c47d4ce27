import pytest


@pytest.fixture(autouse=True)
def export_files(settings, tmp_path):
    """Every dashboards test writes its prepared exports to its own folder, never to PRIVATE_FILES_ROOT (a worker
    started with PRIVATE_FILES_ROOT=tmp_path writes to the same folder)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "dashboard_exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "dashboard-exports", "base_url": None, "allow_overwrite": True},
        },
    }
    return tmp_path / "dashboard-exports"
