"""Debian's Chromium plays a clip cut by `vault.media.cut_clip` (H.264/AAC MP4) streamed by `vault.ranges`, and
seeks in it with Range requests: the proof behind ADR 0027's choice of MP4 alone, with no WebM rendition.

The page and the clip come from a throw-away WSGI server in this process that answers exactly as the vault's views
do (`ranged_response` over the file, read in 64 KiB chunks), so the test proves the format and the Range handling
without the vault's models. A second server that ignores Range shows what seeking needs.
"""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.http import HttpResponse

from tests.vault.films import test_clip
from vault.ranges import ranged_response

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHUNK = 64 * 1024
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Clip</title></head>
<body><main><h1>Clip</h1>
<video id="clip" controls muted preload="metadata" playsinline poster="/clip.jpg" width="640">
  <source src="/clip.mp4" type="video/mp4">
</video></main></body></html>"""


def read_file(path: Path):
    """read(offset, length) over a file, as the vault's decrypting reader is called."""

    def read(offset: int, length: int):
        with path.open("rb") as handle:
            handle.seek(offset)
            while length > 0:
                chunk = handle.read(min(CHUNK, length))
                if not chunk:
                    return
                length -= len(chunk)
                yield chunk

    return read


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class FilmServer:
    """Serves PAGE, /clip.mp4 and /clip.jpg; notes every Range header the browser sends."""

    def __init__(self, clip, *, ranges: bool = True):
        self.clip, self.ranges, self.requests = clip, ranges, []
        self.httpd = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
        self.httpd.set_app(self.app)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def app(self, environ, start_response):
        request = WSGIRequest(environ)
        if request.path == "/clip.mp4":
            self.requests.append(request.headers.get("Range"))
            if not self.ranges:
                environ.pop("HTTP_RANGE", None)
                request = WSGIRequest(environ)
            path = self.clip.mp4
            response = ranged_response(
                request, size=path.stat().st_size, content_type="video/mp4", read=read_file(path)
            )
            if not self.ranges:
                del response["Accept-Ranges"]
        elif request.path == "/clip.jpg":
            response = HttpResponse(self.clip.poster.read_bytes(), content_type="image/jpeg")
        else:
            response = HttpResponse(PAGE)
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return response

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """A 10-second 720p clip cut from a 14-second test film."""
    return test_clip(tmp_path_factory.mktemp("films"), seconds=10)


@pytest.fixture
def server(clip) -> Iterator[FilmServer]:
    film_server = FilmServer(clip)
    yield film_server
    film_server.stop()


def wait_for_time(page, seconds: float) -> float:
    page.wait_for_function(f"document.getElementById('clip').currentTime > {seconds}", timeout=15_000)
    return page.evaluate("document.getElementById('clip').currentTime")


def video(page, expression: str):
    return page.evaluate(f"(v => {expression})(document.getElementById('clip'))")


def test_the_h264_clip_plays_and_seeks_in_debians_chromium(page, server, axe_check):
    page.goto(server.url + "/")
    axe_check(page)
    assert video(page, "v.canPlayType('video/mp4; codecs=\"avc1.640028, mp4a.40.2\"')") == "probably"
    page.wait_for_function("document.getElementById('clip').readyState >= 1")
    assert video(page, "v.duration") == pytest.approx(10, abs=0.1)
    assert video(page, "v.seekable.length ? v.seekable.end(0) : 0") == pytest.approx(10, abs=0.1)

    # Seek before anything is buffered there: the browser must ask for bytes from the middle of the file.
    size = server.clip.mp4.stat().st_size
    video(page, "v.currentTime = 7")
    page.wait_for_function(
        "!document.getElementById('clip').seeking && document.getElementById('clip').readyState >= 2"
    )
    starts = [int(h.removeprefix("bytes=").split("-")[0]) for h in server.requests if h and h.startswith("bytes=")]
    assert max(starts) > size // 3, server.requests

    video(page, "v.play()")
    assert wait_for_time(page, 7.5) > 7.5  # decodes and plays on from the seek
    assert video(page, "v.videoWidth") == 1280
    video(page, "v.currentTime = 0.2")
    page.wait_for_function("document.getElementById('clip').currentTime < 1")
    assert wait_for_time(page, 1.0) > 1.0  # and from near the start
    assert video(page, "v.error") is None


def test_without_range_support_the_browser_cannot_seek(page, clip):
    """The control: the same clip from a server that ignores Range cannot be seeked to an unbuffered time."""
    no_ranges = FilmServer(clip, ranges=False)
    try:
        page.goto(no_ranges.url + "/")
        page.wait_for_function("document.getElementById('clip').readyState >= 1")
        assert video(page, "v.seekable.length ? v.seekable.end(0) : 0") == 0
        video(page, "v.currentTime = 7")
        page.wait_for_timeout(1000)
        assert video(page, "v.currentTime") < 1  # the browser stays at the start
        assert no_ranges.requests == ["bytes=0-"]
    finally:
        no_ranges.stop()
