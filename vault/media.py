"""ffprobe and ffmpeg as plain functions: what a file really is, and clips cut from it that every browser plays.

Pure functions over paths: no Django, no database, no storage. The vault's tasks fetch and decrypt a film into a
private temporary folder, call these, and encrypt what they return.

- `probe` trusts the file's content, never its name: a film must have a video stream and a duration that ffprobe
  can read. Anything else raises `NotAVideo`, whose message can be shown to the person who uploaded it.
- `cut_clip` re-encodes (never stream-copies) so the clip starts and ends on the requested times, not on the
  keyframes either side: H.264 (yuv420p, High profile) with AAC sound in an MP4 whose index is at the front
  (`+faststart`), which Chromium, Edge, Firefox and Safari on laptops, iPads and Android tablets all play and can
  start before the whole file has arrived; plus a JPEG poster frame. A WebM (VP9/Opus) rendition is made only on
  request: Debian's Chromium plays the H.264 MP4 (ADR 0027, tests/browser/test_film_playback.py).
- Uploaded files are hostile until probed. ffmpeg is run without a shell, with `-nostdin`, a timeout, local files
  only (`-protocol_whitelist file`) and the container formats cameras and phones write (`-format_whitelist`), so
  a playlist or concat file dressed as a film cannot make ffmpeg read other files or the network.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

FFMPEG = os.environ.get("FFMPEG_BINARY", "ffmpeg")
FFPROBE = os.environ.get("FFPROBE_BINARY", "ffprobe")

# Demuxers for what cameras, phones and desktop editors write: MP4/MOV/3GP (phones, most cameras), Matroska/WebM,
# AVI, MPEG transport streams (AVCHD camcorders' .MTS), MPEG programme streams (.MPG, DVD .VOB), ASF (.WMV), DV.
# Not image sequences, playlists (HLS, DASH), concat lists or anything that opens other files.
FORMAT_WHITELIST = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,mpeg,asf,dv"
PROTOCOL_WHITELIST = "file"


def _ffmpeg_quiet() -> list[str]:
    """ffmpeg without a terminal: no prompts, errors only, overwrite its own temporary output."""
    return [FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]


def _ffmpeg_fenced() -> list[str]:
    """ffmpeg reading an uploaded film: local files only, and only camera and phone containers, so a playlist
    dressed as a film cannot make ffmpeg open anything else (ADR 0027)."""
    return [*_ffmpeg_quiet(), "-protocol_whitelist", PROTOCOL_WHITELIST, "-format_whitelist", FORMAT_WHITELIST]


# Container formats ffprobe reports for still pictures, which have a "video" stream and sometimes a duration.
STILL_IMAGE_FORMATS = {"image2", "gif", "apng", "webp"}

PROBE_TIMEOUT_SECONDS = 60
# A cut may take this many seconds per second of clip (plus the fixed allowance) before it is stopped: ten times the
# 2× target, so a busy machine is not mistaken for a hung ffmpeg.
CUT_SECONDS_PER_CLIP_SECOND = 20
CUT_TIMEOUT_FLOOR_SECONDS = 120
POSTER_TIMEOUT_SECONDS = 60
# The clip may end this far past the film's reported end (containers round durations); beyond it, the times are
# wrong and the cut is refused rather than quietly made shorter than asked.
END_TOLERANCE_SECONDS = 0.1

# Encoding: quick on two cores, good enough for a face on a laptop screen.
X264_PRESET = "veryfast"
X264_CRF = "23"
AAC_BITRATE = "128k"
MAX_DIMENSION = 1920  # 4K phone footage is brought down to 1080p: smaller, and every tablet decodes it
POSTER_MAX_WIDTH = 1280

_UPLOAD_THE_FILM = "Upload the video file from the camera or phone (for example .mp4 or .mov)."
NOT_READABLE = f"This file is not a film we can read. {_UPLOAD_THE_FILM}"
NO_VIDEO = f"This file has no video in it. {_UPLOAD_THE_FILM}"
NO_DURATION = (
    "We could not tell how long this film is, so it may be damaged or incomplete. "
    "Try uploading it again from the camera or phone."
)
STILL_IMAGE = f"This file is a picture, not a film. {_UPLOAD_THE_FILM}"


class NotAVideo(ValueError):
    """The file is not a film the vault can keep; `str(error)` is a plain-English message for the uploader."""


class MediaError(RuntimeError):
    """ffmpeg or ffprobe is missing, timed out or failed on a file already accepted: an operational fault, not
    the uploader's, so it is logged and the task retried rather than shown as "your file is wrong"."""


@dataclass(frozen=True)
class Probe:
    """What ffprobe found in a file: enough to accept it, show its length and plan cuts."""

    duration_seconds: float
    width: int
    height: int
    video_codec: str
    audio_codec: str | None
    format_name: str
    size_bytes: int


@dataclass(frozen=True)
class CutResult:
    """The files one cut made, in the folder the caller gave."""

    mp4: Path
    webm: Path | None
    poster: Path


def ffmpeg_available() -> bool:
    """Whether both ffmpeg and ffprobe can be run: the vault's upload and cut need them, tests skip without them."""
    return shutil.which(FFMPEG) is not None and shutil.which(FFPROBE) is not None


# What every browser in the NHS estate plays without a rendition: H.264 in MP4/MOV, with AAC or MP3 sound or none.
_PLAYABLE_VIDEO = {"h264"}
_PLAYABLE_AUDIO = {None, "aac", "mp3"}


def browser_playable(found: Probe) -> bool:
    """Whether a film as uploaded plays in every NHS laptop and tablet browser, so the practitioner can mark clips
    on it directly. An iPhone's HEVC, a camcorder's MPEG-2 or an AVI does not: the vault then makes a playable copy
    with `cut_clip(film, 0, found.duration_seconds, folder)` (about 0.3 CPU seconds per second of 720p film)."""
    container = set(found.format_name.split(","))
    return (
        "mp4" in container
        and found.video_codec in _PLAYABLE_VIDEO
        and found.audio_codec in _PLAYABLE_AUDIO
        and max(found.width, found.height) <= 4096
    )


def _input(path: Path | str) -> str:
    """A local path as ffmpeg input: `file:` so a name starting with '-' or holding ':' is never an option or a
    protocol."""
    return f"file:{os.fspath(path)}"


def _run(command: list[str], *, timeout: float, what: str) -> subprocess.CompletedProcess:
    """Run ffmpeg/ffprobe without a shell; MediaError if it is missing or runs past `timeout`."""
    try:
        return subprocess.run(command, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False)
    except FileNotFoundError as missing:
        raise MediaError(f"{command[0]} is not installed: install Debian's ffmpeg package ({what})") from missing
    except subprocess.TimeoutExpired as slow:
        raise MediaError(f"{command[0]} took longer than {timeout:.0f} seconds ({what})") from slow


def _tail(stderr: bytes, limit: int = 800) -> str:
    return stderr.decode("utf-8", "replace").strip()[-limit:]


def probe(path: Path | str) -> Probe:
    """What the file really is, from its content: NotAVideo (with a message for the uploader) unless it holds a
    video stream and a duration, so a renamed document or picture is never kept as a film."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise NotAVideo(NOT_READABLE) from error
    if size == 0:
        raise NotAVideo(NOT_READABLE)
    command = [
        FFPROBE,
        "-v",
        "error",
        "-protocol_whitelist",
        PROTOCOL_WHITELIST,
        "-format_whitelist",
        FORMAT_WHITELIST,
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        _input(path),
    ]
    done = _run(command, timeout=PROBE_TIMEOUT_SECONDS, what=f"probing {path.name}")
    if done.returncode != 0:
        raise NotAVideo(NOT_READABLE)
    try:
        found = json.loads(done.stdout or b"{}")
    except ValueError as error:
        raise NotAVideo(NOT_READABLE) from error
    return _parse_probe(found, size)


def _parse_probe(found: dict, size: int) -> Probe:
    """ffprobe's JSON → Probe, refusing what is not a film (split out so odd answers can be tested directly)."""
    if not isinstance(found, dict):
        raise NotAVideo(NOT_READABLE)
    container = found.get("format") or {}
    streams = [s for s in found.get("streams") or [] if isinstance(s, dict)]
    format_name = str(container.get("format_name") or "")
    if not format_name:
        raise NotAVideo(NOT_READABLE)
    pictures = format_name in STILL_IMAGE_FORMATS or format_name.endswith("_pipe")
    videos = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")  # cover art
    ]
    if pictures:
        raise NotAVideo(STILL_IMAGE)
    if not videos:
        raise NotAVideo(NO_VIDEO)
    video = videos[0]
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    duration = _seconds(container.get("duration")) or _seconds(video.get("duration"))
    if duration is None:
        raise NotAVideo(NO_DURATION)
    width, height = _int(video.get("width")), _int(video.get("height"))
    if not width or not height:
        raise NotAVideo(NO_VIDEO)
    if _rotation(video) % 180 == 90:  # a phone held upright: stored on its side, shown (and cut) upright
        width, height = height, width
    return Probe(
        duration_seconds=duration,
        width=width,
        height=height,
        video_codec=str(video.get("codec_name") or "unknown"),
        audio_codec=str(audio.get("codec_name") or "unknown") if audio else None,
        format_name=format_name,
        size_bytes=size,
    )


def _rotation(video: dict) -> int:
    """The quarter-turns a player applies to the stored picture, in degrees (display matrix, or the older tag)."""
    for side_data in video.get("side_data_list") or []:
        if isinstance(side_data, dict) and "rotation" in side_data:
            return round(_number(side_data["rotation"])) % 360
    return round(_number((video.get("tags") or {}).get("rotate"))) % 360


def _number(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def _seconds(value) -> float | None:
    """A positive, finite number of seconds, or None."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def _int(value) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


def _stamp(seconds: float) -> str:
    """Seconds as ffmpeg reads them exactly (no float noise such as 12.300000000000001)."""
    return f"{seconds:.3f}"


def cut_clip(
    source: Path | str, start_seconds: float, end_seconds: float, out_dir: Path | str, *, webm: bool = False
) -> CutResult:
    """Cut [start, end) of `source` into `out_dir` as clip.mp4 (H.264/AAC, plays in every NHS laptop and tablet
    browser), clip.jpg (the poster frame) and, only if asked, clip.webm (VP9/Opus).

    Re-encodes from an input seek, which decodes from the keyframe before `start` and drops frames up to it, so the
    clip starts on the frame shown at `start` rather than the nearest keyframe (a stream copy would be up to several
    seconds out). Files are written under temporary names and renamed when complete, so a worker killed mid-cut
    never leaves a half clip that looks finished. ValueError for impossible times; MediaError if ffmpeg fails.
    """
    source, out_dir = Path(source), Path(out_dir)
    start, end = float(start_seconds), float(end_seconds)
    if not (math.isfinite(start) and math.isfinite(end)) or start < 0 or end <= start:
        raise ValueError(f"A clip must end after it starts (asked for {start_seconds} to {end_seconds} seconds).")
    film = probe(source)
    if end > film.duration_seconds + END_TOLERANCE_SECONDS:
        raise ValueError(
            f"The clip ends at {end:.2f} seconds but the film is only {film.duration_seconds:.2f} seconds long."
        )
    length = min(end, film.duration_seconds) - start
    out_dir.mkdir(parents=True, exist_ok=True)
    timeout = max(CUT_TIMEOUT_FLOOR_SECONDS, CUT_SECONDS_PER_CLIP_SECOND * length)

    mp4 = out_dir / "clip.mp4"
    _encode(
        source,
        start,
        length,
        mp4,
        [
            "-c:v",
            "libx264",
            "-preset",
            X264_PRESET,
            "-crf",
            X264_CRF,
            "-profile:v",
            "high",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            AAC_BITRATE,
            "-ac",
            "2",
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
        ],
        timeout=timeout,
    )
    rendition = None
    if webm:
        rendition = out_dir / "clip.webm"
        _encode(
            source,
            start,
            length,
            rendition,
            [
                "-c:v",
                "libvpx-vp9",
                "-deadline",
                "realtime",
                "-cpu-used",
                "8",
                "-row-mt",
                "1",
                "-crf",
                "33",
                "-b:v",
                "0",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "libopus",
                "-b:a",
                "96k",
                "-ac",
                "2",
                "-f",
                "webm",
            ],
            timeout=timeout * 2,
        )
    poster = out_dir / "clip.jpg"
    make_poster(mp4, poster, at_seconds=min(1.0, length / 2))
    return CutResult(mp4=mp4, webm=rendition, poster=poster)


def _encode(source: Path, start: float, length: float, out: Path, codecs: list[str], *, timeout: float) -> None:
    """One ffmpeg run: seek accurately to `start`, take `length` seconds of the first video and (if any) the first
    audio stream, upright (ffmpeg applies a phone's rotation), progressive, at most 1080p; write to a temporary
    name, rename when done."""
    partial = out.with_name(out.name + ".part")
    # Camcorders' interlaced frames (1080i) are deinterlaced (progressive frames pass through untouched: browsers
    # would show combing); then at most 1080p, even sides for yuv420p, square pixels.
    scale = (
        "yadif=mode=send_frame:deint=interlaced,"
        f"scale=w='min(iw,{MAX_DIMENSION})':h='min(ih,{MAX_DIMENSION})'"
        ":force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1"
    )
    command = [
        *_ffmpeg_fenced(),
        "-ss",
        _stamp(start),
        "-i",
        _input(source),
        "-t",
        _stamp(length),
        "-map",
        "0:v:0",
        "-map",
        "0:a:0?",
        "-vf",
        scale,
        "-map_metadata",
        "-1",  # no camera serial numbers, GPS positions or owner names in what the family takes home
        "-map_chapters",
        "-1",
        *codecs,
        _output(partial),
    ]
    try:
        done = _run(command, timeout=timeout, what=f"cutting {out.name}")
        if done.returncode != 0 or not partial.exists() or partial.stat().st_size == 0:
            raise MediaError(f"ffmpeg could not cut {out.name}: {_tail(done.stderr)}")
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


def _output(path: Path) -> str:
    return f"file:{os.fspath(path)}"


def make_poster(video: Path | str, poster: Path | str, *, at_seconds: float = 0.0) -> Path:
    """A JPEG of the frame at `at_seconds` of `video` (at most 1280 wide), for the player to show before it plays
    and for lists of clips, so a page shows faces without fetching any video."""
    video, poster = Path(video), Path(poster)
    partial = poster.with_name(poster.name + ".part")
    command = [
        *_ffmpeg_fenced(),
        "-ss",
        _stamp(max(at_seconds, 0.0)),
        "-i",
        _input(video),
        "-map",
        "0:v:0",
        "-frames:v",
        "1",
        "-vf",
        f"scale=w='min(iw,{POSTER_MAX_WIDTH})':h=-2",
        "-map_metadata",
        "-1",
        "-q:v",
        "3",
        "-f",
        "image2",
        "-c:v",
        "mjpeg",
        _output(partial),
    ]
    try:
        done = _run(command, timeout=POSTER_TIMEOUT_SECONDS, what=f"making {poster.name}")
        if done.returncode != 0 or not partial.exists() or partial.stat().st_size == 0:
            raise MediaError(f"ffmpeg could not make the poster frame {poster.name}: {_tail(done.stderr)}")
        os.replace(partial, poster)
    finally:
        partial.unlink(missing_ok=True)
    return poster


def make_test_film(path: Path | str, seconds: float = 10, size: str = "640x360", fps: int = 25) -> Path:
    """A film made on the spot from ffmpeg's moving test pattern and a 440 Hz tone, for tests and the benchmark:
    never real footage in the repository. H.264/AAC in MP4 with a keyframe every two seconds, like a phone's."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    command = [
        *_ffmpeg_quiet(),
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={size}:rate={fps}:duration={seconds}",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=440:sample_rate=48000:duration={seconds}",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-crf",
        "23",
        "-pix_fmt",
        "yuv420p",
        "-g",
        str(fps * 2),
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-shortest",
        "-f",
        "mp4",
        _output(partial),
    ]
    try:
        done = _run(command, timeout=max(120, seconds * 2), what=f"making the test film {path.name}")
        if done.returncode != 0:
            raise MediaError(f"ffmpeg could not make the test film: {_tail(done.stderr)}")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path
