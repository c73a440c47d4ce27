"""`manage.py benchmark_clip_cut` makes its test film once, times the cuts and says how they compare with 2×."""

import json

import pytest
from django.core.management import CommandError, call_command

from tests.services import require_ffmpeg

pytestmark = pytest.mark.slow


def test_the_benchmark_cuts_reports_and_keeps_its_film(tmp_path, capsys):
    require_ffmpeg()
    options = {"film_seconds": 6, "clip_seconds": 2, "size": "320x240", "cache_dir": str(tmp_path / "cache")}
    call_command("benchmark_clip_cut", repeat=2, json_path=str(tmp_path / "cut.json"), **options)
    out = capsys.readouterr().out
    assert "Making the 6-second 320x240 test film" in out
    assert "cut 1:" in out and "cut 2:" in out
    assert "real time (within the 2× target)" in out
    result = json.loads((tmp_path / "cut.json").read_text())
    assert len(result["wall_seconds"]) == 2 and result["start"] == 2
    assert list((tmp_path / "cache").iterdir())  # the film is kept for the next run ...

    call_command("benchmark_clip_cut", repeat=1, **options)
    assert "Making the" not in capsys.readouterr().out  # ... which uses it


def test_a_clip_outside_the_film_is_refused(tmp_path):
    require_ffmpeg()
    with pytest.raises(CommandError, match="inside the film"):
        call_command("benchmark_clip_cut", film_seconds=10, clip_seconds=20, cache_dir=str(tmp_path))
