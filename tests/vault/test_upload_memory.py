"""An upload streams to the store without holding the film in memory (issue 22: peak web memory under 200 MB for a
1 GB upload). The request body is read a megabyte at a time and sealed a segment (8 MiB) at a time.

The suite sends 96 MB; `VAULT_MEMORY_TEST_MB=1024` sends 1 GB (the README's figure). Python's own allocations are
measured with tracemalloc (what the upload code holds), and the process's peak resident memory is printed.
"""

import os
import resource
import tracemalloc

import pytest

from tests.vault.helpers_vault import family_with_filming
from vault import actions, crypto
from vault.models import FilmState

MB = 1024 * 1024


class Body:
    """A request body of `size` bytes made as it is read (like wsgi.input): never all in memory."""

    def __init__(self, size: int):
        self.left = size
        self.block = os.urandom(MB)

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return (self.block * (n // MB + 1))[:n]


@pytest.fixture
def local_films(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "films": {"BACKEND": "core.storage.PrivateFolderStorage", "OPTIONS": {"subfolder": "films"}},
    }


def test_upload_memory_stays_flat(service, coordinator, practitioner, local_films, capsys):
    size = int(os.environ.get("VAULT_MEMORY_TEST_MB", "96")) * MB
    referral, filming = family_with_filming(service, coordinator, practitioner)
    film = actions.start_upload(filming=filming, size=size, by=practitioner)
    tracemalloc.start()
    try:
        film = actions.receive_chunk(film=film, offset=0, stream=Body(size), length=size, by=practitioner)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with capsys.disabled():
        print(f"\nupload of {size // MB} MB: Python peak {peak / MB:.1f} MB, process peak RSS {rss:.0f} MB")
    assert film.state == FilmState.REFUSED  # random bytes are not a film: checked by content after the last byte
    assert peak < 4 * crypto.SEGMENT + 8 * MB  # a few segments' worth, whatever the film's size
