"""Debian's Chromium plays a clip cut by `vault.media.cut_clip` (H.264/AAC MP4) streamed by `vault.ranges`, and
seeks in it with Range requests: the proof behind ADR 0027's choice of MP4 alone, with no WebM rendition.

The page and the clip come from a throw-away WSGI server in this process that answers exactly as the vault's views
do (`ranged_response` over the file, read in 64 KiB chunks), so the test proves the format and the Range handling
without the vault's models. A second server that ignores Range shows what seeking needs.
"""

from collections.abc import Iterator

import pytest

from tests.vault.films import FileServer, test_clip

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Clip</title></head>
<body><main><h1>Clip</h1>
<video id="clip" controls muted preload="metadata" playsinline poster="/clip.jpg" width="640">
  <source src="/clip.mp4" type="video/mp4">
</video></main></body></html>"""


def film_server(clip, *, ranges: bool = True) -> FileServer:
    """The page, the clip and its poster, the clip streamed with (or without) Range support."""
    files = {"/clip.mp4": (clip.mp4, "video/mp4"), "/clip.jpg": (clip.poster, "image/jpeg")}
    return FileServer(files, {"/": PAGE}, ranges=ranges)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """A 10-second 720p clip cut from a 14-second test film."""
    return test_clip(tmp_path_factory.mktemp("films"), seconds=10)


@pytest.fixture
def server(clip) -> Iterator[FileServer]:
    running = film_server(clip)
    yield running
    running.stop()


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
    size = server.files["/clip.mp4"][0].stat().st_size
    video(page, "v.currentTime = 7")
    page.wait_for_function(
        "!document.getElementById('clip').seeking && document.getElementById('clip').readyState >= 2"
    )
    ranges = [h for path, h in server.requests if path == "/clip.mp4" and h and h.startswith("bytes=")]
    starts = [int(h.removeprefix("bytes=").split("-")[0]) for h in ranges]
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
    no_ranges = film_server(clip, ranges=False)
    try:
        page.goto(no_ranges.url + "/")
        page.wait_for_function("document.getElementById('clip').readyState >= 1")
        assert video(page, "v.seekable.length ? v.seekable.end(0) : 0") == 0
        video(page, "v.currentTime = 7")
        page.wait_for_timeout(1000)
        assert video(page, "v.currentTime") < 1  # the browser stays at the start
        assert {h for path, h in no_ranges.requests if path == "/clip.mp4"} == {"bytes=0-"}
    finally:
        no_ranges.stop()
