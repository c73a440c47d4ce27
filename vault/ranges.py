"""HTTP Range requests (RFC 9110 §14) for films and clips streamed through access-checked views.

A `<video>` element asks for byte ranges: the start of the file, then wherever the viewer seeks to. Without
`206 Partial Content` a browser can only play from the beginning, and seeking in a 500 MB film would mean fetching
all of it. The vault cannot hand the browser a storage URL (objects are private and encrypted), so its views answer
Range requests themselves: `ranged_response` works out the range and streams only those bytes, which the caller's
`read(offset, length)` fetches and decrypts chunk by chunk, so memory stays flat however large the film is.

Choices, all allowed by RFC 9110:
- one range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) is served as asked, clamped to the end of the file;
- several ranges are answered with the whole file (200): browsers never ask for them for media, and a
  multipart/byteranges answer is more code for no user;
- a malformed header, another unit, or an `If-Range` that does not match our ETag is ignored (200, whole file);
- a well-formed range that starts at or past the end is refused: 416 with `Content-Range: bytes */size`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

# Long enough for any real single range; beyond it the header is ignored (and int() never sees thousands of digits).
MAX_HEADER_LENGTH = 200
_SPEC = re.compile(r"([0-9]*)-([0-9]*)")  # ASCII digits only: a regex \d also matches Arabic-Indic digits
_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"\\/:*?<>|;]+')
FILENAME_MAX_LENGTH = 100


class ByteRange(NamedTuple):
    """An inclusive byte range within a representation, as Content-Range writes it."""

    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class RangeNotSatisfiable(Exception):
    """The Range header was well formed but asks for nothing inside the file: answer 416."""


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one byte range a Range header asks for within `size` bytes, or None to send the whole file (no header,
    a header we ignore); raises RangeNotSatisfiable for a well-formed range outside the file, so a seek past the
    end gets 416 rather than the whole film again."""
    if not header or len(header) > MAX_HEADER_LENGTH:
        return None
    unit, equals, ranges = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    specs = [spec.strip() for spec in ranges.split(",")]
    specs = [spec for spec in specs if spec]  # RFC 9110's list rule allows empty elements ("bytes=0-1,,")
    if len(specs) != 1:
        return None  # none (malformed) or several: the whole file
    match = _SPEC.fullmatch(specs[0])
    if match is None or not (match[1] or match[2]):
        return None
    if match[1]:
        first = int(match[1])
        last = int(match[2]) if match[2] else None
        if last is not None and last < first:
            return None  # syntactically invalid: ignored, not refused
        if first >= size:
            raise RangeNotSatisfiable
        return ByteRange(first, size - 1 if last is None else min(last, size - 1))
    suffix = int(match[2])
    if suffix == 0:
        raise RangeNotSatisfiable
    if size == 0:
        return None  # the last n bytes of nothing: the (empty) whole
    return ByteRange(max(size - suffix, 0), size - 1)


def safe_filename(name: str | None, *, fallback: str = "film") -> str:
    """A download name that cannot climb folders, break the header, or hide its real extension behind a
    right-to-left override: no path, no control, bidi or reserved characters, at most 100 characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_FILENAME.sub("-", name).strip(" .-")
    if len(name) > FILENAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: FILENAME_MAX_LENGTH - len(extension) - 1].rstrip(" .-") + "." + extension
        else:
            name = name[:FILENAME_MAX_LENGTH]
    return name or fallback


def ranged_response(
    request,
    *,
    size: int,
    content_type: str,
    read: Callable[[int, int], Iterable[bytes]],
    filename: str | None = None,
    as_attachment: bool = False,
    etag: str | None = None,
) -> HttpResponse:
    """The response to a GET or HEAD for a file of `size` bytes: 200 whole, 206 one range, 416 outside it.

    `read(offset, length)` yields the bytes from `offset`, `length` of them in all; it is called only when the body
    is sent (never for HEAD or 416), and what it yields is cut to `length` (a short read ends the response with an
    error rather than a silently truncated film). It runs after the view has returned, so it must not need the
    request's database scope. The response is never cached or sniffed, and is shown inline unless `as_attachment`.
    Give a strong `etag` to let a browser resume with If-Range; without one, If-Range always sends the whole file.
    """
    headers = {
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": content_disposition_header(
            as_attachment, safe_filename(filename) if filename or as_attachment else None
        )
        or "inline",
    }
    if etag:
        headers["ETag"] = etag
    header = request.headers.get("Range")
    if header and "If-Range" in request.headers and (not etag or request.headers["If-Range"].strip() != etag):
        header = None  # the browser's partial copy is of another version (or we cannot tell): send it whole
    try:
        wanted = parse_range(header, size)
    except RangeNotSatisfiable:
        refusal = HttpResponse(status=416, content_type="text/plain; charset=utf-8")
        for name, value in headers.items():
            refusal[name] = value
        refusal["Content-Range"] = f"bytes */{size}"
        return refusal

    if wanted is None:
        status, offset, length = 200, 0, size
    else:
        status, offset, length = 206, wanted.start, wanted.length
    body = iter(()) if request.method == "HEAD" or length == 0 else _exactly(read, offset, length)
    response = StreamingHttpResponse(body, status=status, content_type=content_type)
    for name, value in headers.items():
        response[name] = value
    response["Content-Length"] = str(length)
    if wanted is not None:
        response["Content-Range"] = f"bytes {wanted.start}-{wanted.end}/{size}"
    return response


class ShortRead(IOError):
    """The caller's read() ended before the promised bytes: the response cannot be completed honestly."""


def _exactly(read: Callable[[int, int], Iterable[bytes]], offset: int, length: int) -> Iterator[bytes]:
    """`length` bytes from read(offset, length), no more (extra is cut) and no fewer (ShortRead), calling read only
    when the first chunk is wanted and closing its iterator however the response ends (a viewer who seeks away
    closes the connection mid-film)."""
    chunks = iter(read(offset, length))
    remaining = length
    try:
        for chunk in chunks:
            if not chunk:
                continue
            if len(chunk) >= remaining:
                yield bytes(chunk[:remaining])
                remaining = 0
                break
            remaining -= len(chunk)
            yield bytes(chunk)
        if remaining:
            raise ShortRead(f"read({offset}, {length}) stopped {remaining} bytes short")
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
