"""Test films made on the spot by ffmpeg (a moving test pattern and a tone): never real footage in the repository."""

from pathlib import Path

from tests.services import require_ffmpeg
from vault.media import cut_clip, make_test_film


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
