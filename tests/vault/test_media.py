"""ffprobe and ffmpeg around the vault (vault.media): a file is a film by its content, never its name; clips start
and end on the frames asked for; what is made plays everywhere (H.264 High/yuv420p, AAC, index at the front) with
a JPEG poster; failures are clear and leave no half-made file."""

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest

from tests.services import require_ffmpeg
from tests.vault.films import test_film
from vault import media
from vault.media import CutResult, MediaError, NotAVideo, Probe, cut_clip, make_test_film, probe

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("ffmpeg")]  # most tests run ffmpeg for a second or more

FPS = 25


@pytest.fixture(scope="module")
def ffmpeg():
    """Skips without ffmpeg; fails in CI."""
    require_ffmpeg()


@pytest.fixture(scope="module")
def films(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("films")


@pytest.fixture(scope="module")
def film(films) -> Path:
    """A 12-second 640×360 test film at 25 frames a second with a tone."""
    return test_film(films, seconds=12)


def ffprobe_json(path: Path, *args: str) -> dict:
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", *args, f"file:{path}"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


def stream(path: Path, kind: str) -> dict:
    found = ffprobe_json(path, "-show_streams", "-count_frames")
    return next(s for s in found["streams"] if s["codec_type"] == kind)


def frames(path: Path, numbers: list[int]) -> dict[int, bytes]:
    """The given frames (counted from 0) of a film's video, decoded to small grey pictures: no seeking involved, so
    they are exactly those frames."""
    out = {}
    for number in numbers:
        done = subprocess.run(
            [
                "ffmpeg", "-nostdin", "-v", "error", "-i", f"file:{path}",
                "-vf", f"select=eq(n\\,{number}),scale=160:90,format=gray",
                "-frames:v", "1", "-f", "rawvideo", "-",
            ],
            capture_output=True,
            check=True,
            timeout=60,
        )  # fmt: skip
        out[number] = done.stdout
    return out


def difference(a: bytes, b: bytes) -> float:
    assert len(a) == len(b) and a
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


def nearest_frame(picture: bytes, candidates: dict[int, bytes]) -> int:
    return min(candidates, key=lambda number: difference(picture, candidates[number]))


# --- probe -----------------------------------------------------------------------------------------------------


def test_probe_reads_a_film(film):
    found = probe(film)
    assert isinstance(found, Probe)
    assert found.duration_seconds == pytest.approx(12, abs=0.05)
    assert (found.width, found.height) == (640, 360)
    assert (found.video_codec, found.audio_codec) == ("h264", "aac")
    assert "mp4" in found.format_name
    assert found.size_bytes == film.stat().st_size


def test_the_name_is_never_trusted(film, tmp_path):
    """A film named like a document is still a film; a document named like a film is not."""
    disguised = tmp_path / "minutes.pdf"
    disguised.write_bytes(film.read_bytes())
    assert probe(disguised).video_codec == "h264"

    letter = tmp_path / "film.mp4"
    letter.write_text("Dear Ms Example,\nThis is a letter, not a film.\n")
    with pytest.raises(NotAVideo) as refusal:
        probe(letter)
    assert str(refusal.value) == media.NOT_READABLE
    assert "Upload the video file" in str(refusal.value)


def test_a_picture_is_not_a_film(film, tmp_path):
    picture = tmp_path / "still.mp4"
    media.make_poster(film, tmp_path / "still.jpg")
    picture.write_bytes((tmp_path / "still.jpg").read_bytes())
    with pytest.raises(NotAVideo):
        probe(picture)


def test_sound_alone_is_not_a_film(tmp_path):
    sound = tmp_path / "sound.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac", str(sound)],
        check=True,
        timeout=60,
    )
    with pytest.raises(NotAVideo) as refusal:
        probe(sound)
    assert str(refusal.value) == media.NO_VIDEO


def test_empty_missing_and_cut_off_files_are_not_films(film, tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.touch()
    cut_off = tmp_path / "cut-off.mp4"
    cut_off.write_bytes(film.read_bytes()[: 64 * 1024])  # an upload that stopped early: no index
    for path in (empty, tmp_path / "missing.mp4", cut_off):
        with pytest.raises(NotAVideo):
            probe(path)


def test_a_playlist_dressed_as_a_film_cannot_make_ffmpeg_open_other_files(film, tmp_path):
    """An HLS playlist uploaded as "film.mp4" would have ffmpeg read any file it names (here a real film; on a
    server, anything the worker can read). The format whitelist refuses it before it opens anything."""
    playlist = tmp_path / "film.mp4"
    playlist.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:12\n#EXTINF:12.0,\nfile:{film}\n#EXT-X-ENDLIST\n")
    unguarded = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", f"file:{playlist}"],
        capture_output=True,
        timeout=60,
    )
    assert b'"hls"' in unguarded.stdout  # the hazard is real without the whitelist
    with pytest.raises(NotAVideo):
        probe(playlist)


def test_odd_names_are_files_not_options_or_protocols(film, tmp_path):
    odd = tmp_path / "-i http:evil.mp4"
    odd.write_bytes(film.read_bytes())
    assert probe(odd).width == 640
    result = cut_clip(odd, 1, 2, tmp_path / "-out")
    assert probe(result.mp4).duration_seconds == pytest.approx(1, abs=0.05)


@pytest.mark.parametrize(
    "answer, message",
    [
        ({}, media.NOT_READABLE),
        ({"format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "5"}, "streams": []}, media.NO_VIDEO),
        (
            {
                "format": {"format_name": "mp3", "duration": "5"},
                "streams": [
                    {"codec_type": "audio", "codec_name": "mp3"},
                    {"codec_type": "video", "codec_name": "mjpeg", "width": 300, "height": 300,
                     "disposition": {"attached_pic": 1}},
                ],
            },
            media.NO_VIDEO,
        ),
        (
            {"format": {"format_name": "matroska,webm"}, "streams": [{"codec_type": "video", "width": 2, "height": 2}]},
            media.NO_DURATION,
        ),
        (
            {"format": {"format_name": "avi", "duration": "nan"}, "streams": [{"codec_type": "video", "width": 2}]},
            media.NO_DURATION,
        ),
        (
            {"format": {"format_name": "png_pipe", "duration": "0.04"}, "streams": [{"codec_type": "video"}]},
            media.STILL_IMAGE,
        ),
        (
            {"format": {"format_name": "gif", "duration": "3"}, "streams": [{"codec_type": "video"}]},
            media.STILL_IMAGE,
        ),
    ],
)  # fmt: skip
def test_odd_ffprobe_answers_are_refused_in_plain_english(answer, message):
    with pytest.raises(NotAVideo) as refusal:
        media._parse_probe(answer, 1000)
    assert str(refusal.value) == message


def test_a_stream_duration_stands_in_for_a_missing_container_duration():
    answer = {
        "format": {"format_name": "mpegts"},
        "streams": [{"codec_type": "video", "codec_name": "h264", "width": 1920, "height": 1080, "duration": "61.5"}],
    }
    assert media._parse_probe(answer, 1000).duration_seconds == 61.5


def test_missing_or_hung_tools_are_operational_errors_not_the_uploaders_fault(film, monkeypatch):
    monkeypatch.setattr(media, "FFPROBE", "/nonexistent/ffprobe")
    with pytest.raises(MediaError, match="not installed"):
        probe(film)
    monkeypatch.undo()
    monkeypatch.setattr(media, "PROBE_TIMEOUT_SECONDS", 0.001)
    with pytest.raises(MediaError, match="longer than"):
        probe(film)


# --- cut_clip --------------------------------------------------------------------------------------------------


def test_a_clip_starts_and_ends_on_the_frames_asked_for(film, tmp_path):
    """3.2 s to 8.6 s at 25 frames a second is frames 80 to 214: the clip holds exactly those 135 frames, and
    its first and last pictures are the film's frames 80 and 214 (keyframes fall every 2 s, at 2 s and 4 s, so a
    keyframe cut would start at frame 50 or 100)."""
    result = cut_clip(film, 3.2, 8.6, tmp_path)
    video = stream(result.mp4, "video")
    assert int(video["nb_read_frames"]) == 135
    assert float(video["duration"]) == pytest.approx(5.4, abs=1 / FPS)
    assert float(stream(result.mp4, "audio")["duration"]) == pytest.approx(5.4, abs=0.05)
    assert probe(result.mp4).duration_seconds == pytest.approx(5.4, abs=0.05)

    clip_frames = frames(result.mp4, [0, 134])
    around_start = frames(film, list(range(76, 85)))
    around_end = frames(film, list(range(210, 219)))
    assert nearest_frame(clip_frames[0], around_start) == 80
    assert nearest_frame(clip_frames[134], around_end) == 214


def test_a_clip_plays_everywhere_with_a_poster(film, tmp_path):
    result = cut_clip(film, 1, 4, tmp_path)
    assert isinstance(result, CutResult)
    assert (result.mp4, result.poster, result.webm) == (tmp_path / "clip.mp4", tmp_path / "clip.jpg", None)
    video, audio = stream(result.mp4, "video"), stream(result.mp4, "audio")
    assert (video["codec_name"], video["profile"], video["pix_fmt"]) == ("h264", "High", "yuv420p")
    assert (audio["codec_name"], audio["channels"]) == ("aac", 2)
    top_level = mp4_boxes(result.mp4)
    assert top_level.index("moov") < top_level.index("mdat")  # +faststart: plays before it has all arrived
    assert result.poster.read_bytes()[:3] == b"\xff\xd8\xff"
    poster = stream(result.poster, "video")
    assert (poster["width"], poster["height"]) == (640, 360)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.jpg", "clip.mp4"]  # no .part left behind


def mp4_boxes(path: Path) -> list[str]:
    """The names of an MP4's top-level boxes, in file order."""
    names, data = [], path.read_bytes()
    offset = 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        names.append(data[offset + 4 : offset + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        if size < 8:
            break
        offset += size
    return names


def test_nothing_personal_from_the_camera_goes_into_the_clip(film, tmp_path):
    tagged = tmp_path / "tagged.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(film), "-c", "copy",
         "-metadata", "location=+52.5700-000.2400/", "-metadata", "title=Nadia Example at home", str(tagged)],
        check=True,
        timeout=60,
    )  # fmt: skip
    result = cut_clip(tagged, 1, 2, tmp_path / "out")
    tags = ffprobe_json(result.mp4, "-show_format")["format"].get("tags", {})
    assert "location" not in tags and "title" not in tags


def test_a_film_without_sound_cuts_to_a_silent_clip(tmp_path):
    silent = tmp_path / "silent.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=3",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(silent)],
        check=True,
        timeout=60,
    )  # fmt: skip
    result = cut_clip(silent, 0.5, 2.5, tmp_path / "out")
    assert probe(result.mp4).audio_codec is None
    assert probe(result.mp4).duration_seconds == pytest.approx(2, abs=0.05)


def test_a_phone_film_held_upright_is_measured_and_cut_upright(film, tmp_path):
    upright = tmp_path / "upright.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(film), "-c", "copy", "-metadata:s:v:0", "rotate=90",
         str(upright)],
        check=True,
        timeout=60,
    )  # fmt: skip
    assert (probe(upright).width, probe(upright).height) == (360, 640)
    result = cut_clip(upright, 1, 2, tmp_path / "out")
    assert (probe(result.mp4).width, probe(result.mp4).height) == (360, 640)
    assert "side_data_list" not in stream(result.mp4, "video")  # turned in the pixels, not by a flag to players


def field_orders(path: Path) -> dict[str, int]:
    """What ffmpeg's interlace detector makes of each frame: {'TFF': n, 'BFF': n, 'Progressive': n}."""
    done = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "info", "-i", f"file:{path}", "-vf", "idet", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    line = next(x for x in done.stderr.splitlines() if "Multi frame detection" in x)
    words = line.split("Multi frame detection:")[1].replace(":", " ").split()
    return {words[i]: int(words[i + 1]) for i in range(0, len(words), 2)}


def test_a_camcorders_interlaced_film_is_cut_to_progressive_frames(tmp_path):
    """Browsers show interlaced frames with combing on every movement: clips are deinterlaced."""
    interlaced = tmp_path / "1080i.mp4"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=720x576:rate=50:duration=3",
         "-vf", "tinterlace=mode=interleave_top,setfield=tff", "-c:v", "libx264", "-preset", "ultrafast",
         "-flags", "+ildct+ilme", "-x264-params", "tff=1", "-pix_fmt", "yuv420p", str(interlaced)],
        check=True,
        timeout=60,
    )  # fmt: skip
    source = field_orders(interlaced)
    assert source["TFF"] > 60 and source["Progressive"] == 0
    clip = field_orders(cut_clip(interlaced, 0.4, 2.4, tmp_path / "out").mp4)
    assert clip["Progressive"] >= 40 and clip["TFF"] + clip["BFF"] <= 5


def test_large_footage_comes_down_to_1080p(tmp_path):
    big = make_test_film(tmp_path / "big.mp4", seconds=1, size="2560x1440")
    result = cut_clip(big, 0, 0.5, tmp_path / "out")
    assert (probe(result.mp4).width, probe(result.mp4).height) == (1920, 1080)


def test_the_webm_rendition_is_made_only_when_asked(film, tmp_path):
    result = cut_clip(film, 1, 3, tmp_path, webm=True)
    assert result.webm == tmp_path / "clip.webm"
    found = probe(result.webm)
    assert (found.video_codec, found.audio_codec) == ("vp9", "opus")
    assert found.duration_seconds == pytest.approx(2, abs=0.05)


@pytest.mark.parametrize("start, end", [(5, 5), (5, 4), (-1, 2), (float("nan"), 2), (0, float("inf")), (11, 13)])
def test_impossible_times_are_refused_rather_than_cut_short(film, tmp_path, start, end):
    with pytest.raises(ValueError):
        cut_clip(film, start, end, tmp_path)
    assert not list(tmp_path.iterdir())


def test_the_last_moment_of_the_film_can_be_cut(film, tmp_path):
    result = cut_clip(film, 10, 12, tmp_path)
    assert probe(result.mp4).duration_seconds == pytest.approx(2, abs=0.05)


def test_a_failed_cut_leaves_no_file_that_looks_finished(film, tmp_path, monkeypatch):
    monkeypatch.setattr(media, "FFMPEG", "false")  # runs, fails, writes nothing
    with pytest.raises(MediaError, match="could not cut clip.mp4"):
        cut_clip(film, 1, 2, tmp_path)
    assert not list(tmp_path.iterdir())


def test_a_cut_that_fails_half_way_leaves_no_partial_file(film, tmp_path, monkeypatch):
    """ffmpeg killed by the timeout after writing part of the clip: the half-written file is removed."""
    monkeypatch.setattr(media, "CUT_TIMEOUT_FLOOR_SECONDS", 0.3)
    monkeypatch.setattr(media, "CUT_SECONDS_PER_CLIP_SECOND", 0)
    monkeypatch.setattr(media, "X264_PRESET", "placebo")
    big = make_test_film(tmp_path / "big.mp4", seconds=6, size="1280x720")
    with pytest.raises(MediaError, match="longer than"):
        cut_clip(big, 0, 6, tmp_path / "out")
    assert not list((tmp_path / "out").iterdir())


def test_ffmpeg_available():
    assert media.ffmpeg_available()


def shape(**changes) -> Probe:
    """A 720p H.264/AAC MP4's probe, changed as given."""
    return dataclasses.replace(Probe(60.0, 1280, 720, "h264", "aac", "mov,mp4,m4a,3gp,3g2,mj2", 1), **changes)


@pytest.mark.parametrize(
    "changes, playable",
    [
        ({}, True),
        ({"audio_codec": None}, True),
        ({"audio_codec": "mp3"}, True),
        ({"video_codec": "hevc"}, False),  # an iPhone's "High Efficiency" film
        ({"audio_codec": "pcm_s16le"}, False),  # a camera's uncompressed sound
        ({"format_name": "mpegts", "audio_codec": "ac3"}, False),  # a camcorder's .MTS
        ({"format_name": "avi", "video_codec": "mpeg4"}, False),
        ({"format_name": "matroska,webm"}, False),
        ({"width": 7680, "height": 4320}, False),
    ],
)
def test_which_uploads_play_as_they_are(changes, playable):
    assert media.browser_playable(shape(**changes)) is playable


def test_the_test_film_plays_as_it_is(film):
    assert media.browser_playable(probe(film))
