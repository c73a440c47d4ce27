import pytest


@pytest.fixture(autouse=True)
def _letters_in_a_temporary_folder(settings, tmp_path):
    """Letters made here write their PDFs to the test's own folder, never to PRIVATE_FILES_ROOT."""
    storages = {**settings.STORAGES}
    storages["letters"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "letters", "base_url": None, "allow_overwrite": True},
    }
    settings.STORAGES = storages
