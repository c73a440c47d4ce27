"""How long the vault's worker takes to cut a clip: a 60-second clip from a 10-minute 720p film, N times.

The target (issue 22) is at most 2× real time on 2 cores: 120 seconds for the 60-second clip. The film is made by
ffmpeg (test pattern and tone), once, and kept in a folder under the system's temporary folder for later runs. A
cut is what the worker runs: probe, seek, re-encode to H.264/AAC, poster frame (`vault.media.cut_clip`). No
database is touched. Wall time on a shared machine is noisy, so ffmpeg's own CPU seconds are shown beside it.
"""

import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vault.media import cut_clip, ffmpeg_available, make_test_film, probe

TARGET_RATIO = 2.0


def children_cpu_seconds() -> float:
    """CPU time (user + system) used so far by finished child processes: ffmpeg's, not ours."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Command(BaseCommand):
    help = "Cut a 60-second clip from a 10-minute 720p test film --repeat times; print seconds and ratio to 2×."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=3, help="Cuts to time (default 3).")
        parser.add_argument("--film-seconds", type=float, default=600, help="Length of the test film (default 600).")
        parser.add_argument("--clip-seconds", type=float, default=60, help="Length of the clip (default 60).")
        parser.add_argument("--start", type=float, help="Where the clip starts (default: the film's middle).")
        parser.add_argument("--size", default="1280x720", help="Film frame size (default 1280x720).")
        parser.add_argument("--fps", type=int, default=25, help="Film frames a second (default 25).")
        parser.add_argument("--cache-dir", help="Where the test film is kept between runs (default: temp folder).")
        parser.add_argument("--json", dest="json_path", help="Also write the results to this JSON file.")

    def handle(self, *args, **options):
        if not ffmpeg_available():
            raise CommandError("ffmpeg is not installed: apt-get install ffmpeg (make prereqs does it).")
        film_seconds, clip_seconds = options["film_seconds"], options["clip_seconds"]
        start = options["start"] if options["start"] is not None else max(film_seconds / 2 - clip_seconds / 2, 0)
        if clip_seconds <= 0 or start + clip_seconds > film_seconds:
            raise CommandError("The clip must lie inside the film.")
        cache = Path(options["cache_dir"] or Path(tempfile.gettempdir()) / "vig-benchmark-films")
        film = cache / f"test-film-{film_seconds:g}s-{options['size']}-{options['fps']}fps.mp4"
        if not film.exists():
            self.stdout.write(f"Making the {film_seconds:g}-second {options['size']} test film in {cache} (once)…")
            made = time.perf_counter()
            make_test_film(film, seconds=film_seconds, size=options["size"], fps=options["fps"])
            self.stdout.write(f"  made in {time.perf_counter() - made:.1f} s")
        found = probe(film)
        self.stdout.write(
            f"Film: {found.duration_seconds:.0f} s, {found.width}×{found.height} {found.video_codec}/"
            f"{found.audio_codec}, {found.size_bytes / 1e6:.0f} MB. Cutting {clip_seconds:g} s from {start:g} s, "
            f"{options['repeat']} times."
        )
        walls, cpus = [], []
        with tempfile.TemporaryDirectory(prefix="vig-clip-cut-") as out:
            for run in range(1, options["repeat"] + 1):
                cpu_before, started = children_cpu_seconds(), time.perf_counter()
                result = cut_clip(film, start, start + clip_seconds, Path(out) / str(run))
                wall, cpu = time.perf_counter() - started, children_cpu_seconds() - cpu_before
                walls.append(wall)
                cpus.append(cpu)
                self.stdout.write(
                    f"  cut {run}: {wall:6.1f} s wall ({wall / clip_seconds:.2f}× real time), "
                    f"{cpu:6.1f} s ffmpeg CPU, clip {result.mp4.stat().st_size / 1e6:.1f} MB"
                )
        median = statistics.median(walls)
        ratio = median / clip_seconds
        verdict = "within" if ratio <= TARGET_RATIO else "OVER"
        self.stdout.write(
            f"Median {median:.1f} s for a {clip_seconds:g}-second clip: {ratio:.2f}× real time "
            f"({verdict} the {TARGET_RATIO:g}× target); best {min(walls):.1f} s, worst {max(walls):.1f} s; "
            f"median ffmpeg CPU {statistics.median(cpus):.1f} s."
        )
        if options["json_path"]:
            body = {
                "film_seconds": film_seconds,
                "size": options["size"],
                "fps": options["fps"],
                "clip_seconds": clip_seconds,
                "start": start,
                "wall_seconds": walls,
                "ffmpeg_cpu_seconds": cpus,
                "median_ratio": ratio,
                "target_ratio": TARGET_RATIO,
            }
            Path(options["json_path"]).write_text(json.dumps(body, indent=2))
