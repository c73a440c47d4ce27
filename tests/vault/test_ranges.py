"""HTTP Range requests for films and clips (vault.ranges): RFC 9110's single ranges, what is ignored, what is
refused, HEAD, and the promise that the body is exactly the bytes the headers announce."""

import http.client

import pytest
from django.test import RequestFactory

from tests.vault.films import FileServer
from vault.ranges import ByteRange, RangeNotSatisfiable, ShortRead, parse_range, ranged_response, safe_filename

SIZE = 1000
DATA = bytes(i % 251 for i in range(SIZE))
factory = RequestFactory()


class Reader:
    """read(offset, length) over DATA in 64-byte chunks, noting each call and whether its iterator was closed."""

    def __init__(self, data: bytes = DATA, chunk: int = 64, extra: bytes = b"", short: int = 0):
        self.data, self.chunk, self.extra, self.short = data, chunk, extra, short
        self.calls, self.closed = [], False

    def __call__(self, offset, length):
        self.calls.append((offset, length))
        try:
            end = offset + length - self.short
            for start in range(offset, end, self.chunk):
                yield self.data[start : min(start + self.chunk, end)]
            if self.extra:
                yield self.extra
        finally:
            self.closed = True


def respond(range_header=None, *, method="get", size=SIZE, read=None, **options):
    headers = {"HTTP_RANGE": range_header} if range_header is not None else {}
    headers.update(options.pop("headers", {}))
    request = getattr(factory, method)("/film", **headers)
    read = read or Reader()
    return ranged_response(request, size=size, content_type="video/mp4", read=read, **options), read


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- parse_range -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header, expected",
    [
        ("bytes=0-0", ByteRange(0, 0)),
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=100-", ByteRange(100, 999)),
        ("bytes=999-", ByteRange(999, 999)),
        ("bytes=990-5000", ByteRange(990, 999)),  # clamped to the end of the file
        ("bytes=-1", ByteRange(999, 999)),
        ("bytes=-100", ByteRange(900, 999)),
        ("bytes=-5000", ByteRange(0, 999)),  # a suffix longer than the file is the whole file
        ("Bytes=10-19", ByteRange(10, 19)),  # the unit is case-insensitive
        ("bytes= 10-19 ", ByteRange(10, 19)),
        ("bytes=10-19,", ByteRange(10, 19)),  # empty list elements are allowed
        ("bytes=, 10-19", ByteRange(10, 19)),
        ("bytes=0-99999999999999999999999", ByteRange(0, 999)),
    ],
)
def test_a_single_range_is_served_as_asked(header, expected):
    assert parse_range(header, SIZE) == expected


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "bytes=",
        "bytes=-",
        "bytes=abc",
        "bytes=5-3",  # last before first: invalid, so ignored (not 416)
        "bytes=1-2-3",
        "bytes=+1-2",
        "bytes=0x10-",
        "bytes=1.5-2",
        "bytes=\u0661-\u0662",  # Arabic-Indic digits are digits to Python, not to HTTP
        "bytes 0-1",
        "bytes0-1",
        "items=0-1",
        "=0-1",
        "bytes=0-1,5-6",  # several ranges: the whole file
        "bytes=0-1,5000-6000",
        "bytes=-1,-2",
        "bytes=" + "1" * 5000 + "-",  # far too long: ignored before int() sees it
    ],
)
def test_malformed_other_units_and_several_ranges_send_the_whole_file(header):
    assert parse_range(header, SIZE) is None


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=1000-1000", "bytes=5000-6000", "bytes=-0"])
def test_a_well_formed_range_outside_the_file_is_unsatisfiable(header):
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, SIZE)


def test_an_empty_file_has_no_byte_to_start_at_but_its_suffix_is_the_empty_whole():
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=0-", 0)
    assert parse_range("bytes=-10", 0) is None


def test_byte_range_length_counts_both_ends():
    assert ByteRange(10, 19).length == 10


# --- ranged_response -------------------------------------------------------------------------------------------


def test_no_range_sends_the_whole_file_with_the_private_headers():
    response, read = respond()
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Length"] == str(SIZE)
    assert response["Accept-Ranges"] == "bytes"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "inline"
    assert "Content-Range" not in response
    assert read.calls == []  # nothing is read until the body is sent
    assert body(response) == DATA
    assert read.calls == [(0, SIZE)]


@pytest.mark.parametrize(
    "header, start, end",
    [("bytes=0-1", 0, 1), ("bytes=100-199", 100, 199), ("bytes=900-", 900, 999), ("bytes=-10", 990, 999)],
)
def test_a_range_gets_206_with_exactly_those_bytes(header, start, end):
    response, read = respond(header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{SIZE}"
    assert response["Content-Length"] == str(end - start + 1)
    assert response["Accept-Ranges"] == "bytes"
    assert response["Cache-Control"] == "private, no-store"
    assert body(response) == DATA[start : end + 1]
    assert read.calls == [(start, end - start + 1)]


def test_a_range_past_the_end_gets_416_naming_the_size_and_reads_nothing():
    response, read = respond("bytes=1000-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content == b""
    assert read.calls == []


def test_several_ranges_get_the_whole_file():
    response, _ = respond("bytes=0-1,10-11")
    assert response.status_code == 200
    assert body(response) == DATA


@pytest.mark.parametrize("header, status, length", [(None, 200, SIZE), ("bytes=10-19", 206, 10), ("bytes=-1", 206, 1)])
def test_head_announces_the_same_headers_and_sends_and_reads_nothing(header, status, length):
    response, read = respond(header, method="head")
    assert response.status_code == status
    assert response["Content-Length"] == str(length)
    assert response["Accept-Ranges"] == "bytes"
    assert body(response) == b""
    assert read.calls == []


def test_head_past_the_end_is_416_too():
    response, _ = respond("bytes=2000-", method="head")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"


def test_an_empty_file_is_an_empty_200():
    response, read = respond(size=0, read=Reader(b""))
    assert response.status_code == 200
    assert response["Content-Length"] == "0"
    assert body(response) == b""
    assert read.calls == []


def test_if_range_is_honoured_only_with_our_own_strong_etag():
    assert respond("bytes=0-9", headers={"HTTP_IF_RANGE": '"v1"'})[0].status_code == 200  # we gave no validator
    matching, _ = respond("bytes=0-9", etag='"v1"', headers={"HTTP_IF_RANGE": '"v1"'})
    assert matching.status_code == 206
    assert matching["ETag"] == '"v1"'
    assert respond("bytes=0-9", etag='"v2"', headers={"HTTP_IF_RANGE": '"v1"'})[0].status_code == 200
    dated = respond("bytes=0-9", etag='"v1"', headers={"HTTP_IF_RANGE": "Sat, 05 Dec 2026 10:00:00 GMT"})[0]
    assert dated.status_code == 200


def test_a_reader_that_gives_too_much_is_cut_to_the_announced_length():
    response, _ = respond("bytes=0-9", read=Reader(extra=b"more than asked"))
    assert body(response) == DATA[:10]
    whole, _ = respond(read=Reader(extra=b"more than asked"))
    assert body(whole) == DATA


def test_a_reader_that_stops_short_fails_rather_than_sending_a_truncated_film():
    response, _ = respond(read=Reader(short=5))
    with pytest.raises(ShortRead):
        body(response)


def test_closing_the_response_mid_film_closes_the_reader(db):
    """A viewer who seeks away drops the connection: the server closes the response, and the decrypting reader
    (an open object in the store) must be closed with it. (Closing a response sends Django's request_finished,
    whose handler looks at the database connections: hence `db`.)"""
    response, read = respond()
    chunks = iter(response.streaming_content)
    next(chunks)
    response.close()
    assert read.closed


def test_inline_with_a_name_and_attachment_with_a_safe_name():
    inline, _ = respond(filename="clip-3.mp4")
    assert inline["Content-Disposition"] == 'inline; filename="clip-3.mp4"'
    attachment, _ = respond(filename="../../etc/passwd", as_attachment=True)
    assert attachment["Content-Disposition"] == 'attachment; filename="passwd"'
    unnamed, _ = respond(as_attachment=True)
    assert unnamed["Content-Disposition"] == 'attachment; filename="film"'
    accented, _ = respond(filename="Zoë's clip.mp4", as_attachment=True)
    assert accented["Content-Disposition"] == "attachment; filename*=utf-8''Zo%C3%AB%27s%20clip.mp4"


@pytest.mark.parametrize(
    "name, safe",
    [
        ("clip.mp4", "clip.mp4"),
        ("C:\\Users\\ann\\clip.mp4", "clip.mp4"),
        ("../secret.mp4", "secret.mp4"),
        ('bad"name.mp4', "bad-name.mp4"),
        ("line\r\nSet-Cookie: x.mp4", "line-Set-Cookie- x.mp4"),
        ("clip\u202e4pm.exe", "clip-4pm.exe"),  # a right-to-left override would show "clipexe.mp4"
        ("a;b.mp4", "a-b.mp4"),
        ("...", "film"),
        ("", "film"),
        (None, "film"),
        ("x" * 300 + ".mp4", "x" * 96 + ".mp4"),
    ],
)
def test_safe_filename(name, safe):
    assert safe_filename(name) == safe


# --- through a real HTTP server --------------------------------------------------------------------------------


@pytest.fixture
def server(tmp_path):
    path = tmp_path / "film.bin"
    path.write_bytes(DATA * 300)
    running = FileServer({"/film": (path, "video/mp4")})
    yield running
    running.stop()


def fetch(server, method="GET", headers=None):
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(method, "/film", headers=headers or {})
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


def test_over_http_ranges_and_head_keep_their_lengths(server):
    size = SIZE * 300
    status, headers, content = fetch(server, headers={"Range": "bytes=1000-1999"})
    assert (status, headers["Content-Range"], headers["Content-Length"]) == (206, f"bytes 1000-1999/{size}", "1000")
    assert content == (DATA * 300)[1000:2000]

    status, headers, content = fetch(server, "HEAD")
    assert (status, headers["Content-Length"], content) == (200, str(size), b"")

    status, headers, content = fetch(server, headers={"Range": f"bytes={size}-"})
    assert (status, headers["Content-Range"]) == (416, f"bytes */{size}")

    status, headers, content = fetch(server)
    assert (status, len(content)) == (200, size)
