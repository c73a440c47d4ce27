"""Streaming a large film through `ranged_response` holds one chunk at a time: the process's memory does not grow
with the film. A 200 MB file is sent whole and as a 150 MB range over a real HTTP connection (server and client in
this process) and the peak resident memory is compared with where it started."""

import http.client
import os

import pytest

from tests.vault.films import FileServer

pytestmark = pytest.mark.slow

MB = 1024 * 1024
FILM_BYTES = 200 * MB
ALLOWED_GROWTH = 50 * MB


def resident_bytes() -> int:
    """This process's resident memory now (Linux /proc)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    pytest.skip("no /proc/self/status on this system")


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    """200 MB of incompressible bytes (a real film does not compress either), written 1 MB at a time."""
    path = tmp_path_factory.mktemp("big") / "film.bin"
    block = os.urandom(MB)
    with path.open("wb") as handle:
        for _ in range(FILM_BYTES // MB):
            handle.write(block)
    return path


def drain(server, headers) -> tuple[int, int, int]:
    """Fetch the film, counting the bytes and sampling resident memory as they arrive: (status, bytes, peak)."""
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    peak, received = resident_bytes(), 0
    try:
        connection.request("GET", "/film", headers=headers)
        answer = connection.getresponse()
        while chunk := answer.read(256 * 1024):
            received += len(chunk)
            if received % (8 * MB) < 256 * 1024:
                peak = max(peak, resident_bytes())
        return answer.status, received, max(peak, resident_bytes())
    finally:
        connection.close()


@pytest.mark.parametrize(
    "headers, status, length",
    [({}, 200, FILM_BYTES), ({"Range": f"bytes={50 * MB}-"}, 206, FILM_BYTES - 50 * MB)],
)
def test_a_200_mb_film_streams_in_constant_memory(big_file, headers, status, length):
    server = FileServer({"/film": (big_file, "video/mp4")})
    try:
        before = resident_bytes()
        answered, received, peak = drain(server, headers)
    finally:
        server.stop()
    assert (answered, received) == (status, length)
    assert peak - before < ALLOWED_GROWTH, f"resident memory grew by {(peak - before) / MB:.0f} MB"


def test_the_measure_would_catch_a_reader_that_holds_the_whole_film(big_file, monkeypatch):
    """The control: the same download from a reader that loads the film into memory first grows by about 200 MB,
    so the test above passing means something."""
    from tests.vault import films

    def whole_file_reader(path, chunk=films.CHUNK):
        def read(offset, length):
            data = path.read_bytes()[offset : offset + length]
            for start in range(0, len(data), chunk):
                yield data[start : start + chunk]

        return read

    monkeypatch.setattr(films, "read_file", whole_file_reader)
    server = FileServer({"/film": (big_file, "video/mp4")})
    try:
        before = resident_bytes()
        answered, received, peak = drain(server, {})
    finally:
        server.stop()
    assert (answered, received) == (200, FILM_BYTES)
    assert peak - before > 150 * MB
