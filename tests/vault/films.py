"""Test films made on the spot by ffmpeg (a moving test pattern and a tone): never real footage in the repository,
and a throw-away HTTP server that streams files exactly as the vault's views do (`vault.ranges.ranged_response`)."""

import threading
from pathlib import Path

from django.core.handlers.wsgi import WSGIRequest
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.http import HttpResponse

from tests.services import require_ffmpeg
from vault.media import cut_clip, make_test_film
from vault.ranges import ranged_response

CHUNK = 64 * 1024


def test_film(folder: Path, *, seconds: float = 12, size: str = "640x360", fps: int = 25) -> Path:
    """A film of `seconds` in `folder`, made once per folder and size (skips without ffmpeg; fails in CI)."""
    require_ffmpeg()
    path = folder / f"film-{seconds:g}s-{size}-{fps}fps.mp4"
    if not path.exists():
        make_test_film(path, seconds=seconds, size=size, fps=fps)
    return path


test_film.__test__ = False  # a helper, not a test, whatever its name


def test_clip(folder: Path, *, seconds: float = 10, size: str = "1280x720"):
    """A clip cut by `cut_clip` from a longer test film: what the vault's player is sent."""
    film = test_film(folder, seconds=seconds + 4, size=size)
    return cut_clip(film, 2.0, 2.0 + seconds, folder / f"clip-{seconds:g}s-{size}")


test_clip.__test__ = False


def read_file(path: Path, chunk: int = CHUNK):
    """read(offset, length) over a plain file, called as the vault's decrypting reader is."""

    def read(offset: int, length: int):
        with path.open("rb") as handle:
            handle.seek(offset)
            while length > 0:
                data = handle.read(min(chunk, length))
                if not data:
                    return
                length -= len(data)
                yield data

    return read


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class FileServer:
    """A threaded WSGI server on a spare loopback port: `files` maps a path to (file, content type), each streamed
    by `ranged_response`; `pages` maps a path to HTML. Notes (path, Range header) of every file request. With
    `ranges=False` it ignores Range and does not offer it, as a plain download would (the control)."""

    def __init__(self, files: dict[str, tuple[Path, str]], pages: dict[str, str] | None = None, *, ranges=True):
        self.files, self.pages, self.ranges, self.requests = files, pages or {}, ranges, []
        self.httpd = ThreadedWSGIServer(("127.0.0.1", 0), _QuietHandler, allow_reuse_address=False)
        self.httpd.set_app(self.app)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def app(self, environ, start_response):
        request = WSGIRequest(environ)
        if request.path in self.files:
            self.requests.append((request.path, request.headers.get("Range")))
            if not self.ranges:
                environ.pop("HTTP_RANGE", None)
                request = WSGIRequest(environ)
            path, content_type = self.files[request.path]
            response = ranged_response(
                request, size=path.stat().st_size, content_type=content_type, read=read_file(path)
            )
            if not self.ranges:
                del response["Accept-Ranges"]
        elif request.path in self.pages:
            response = HttpResponse(self.pages[request.path])
        else:
            response = HttpResponse(status=404)
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return response

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
