import pytest

from tests.dashboards.helpers_dashboards import busy_service_data


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


@pytest.fixture
def busy_service(service, coordinator, manager, practitioner, peterborough, cambridgeshire):
    """The known service with filmed, contradictory, risk and overdue governance data (see `busy_service_data`)."""
    return busy_service_data(service, coordinator, manager, practitioner, peterborough, cambridgeshire)
