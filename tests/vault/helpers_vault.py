"""Set-up for film vault tests: a family with consent, a filming with clips, and short films ffmpeg makes on the
spot (a test pattern and a tone: never real footage)."""

from pathlib import Path

from cycles.models import Clip
from tests.cycles.helpers_supervision import days_ago, give_consent, make_cycle
from tests.referrals.allocation_helpers import allocated_referral, set_details
from vault import media

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


def needs_ffmpeg():
    from tests.services import missing

    if not media.ffmpeg_available():
        missing("ffmpeg is not installed (apt-get install ffmpeg)")


def film_file(folder: Path, seconds: float = 6, size: str = "320x180") -> Path:
    """A short test film (H.264/AAC in MP4) made now."""
    needs_ffmpeg()
    return media.make_test_film(folder / f"film-{seconds}-{size}.mp4", seconds, size)


def family_with_filming(service, coordinator, practitioner, *, clips=((1, 3), (3, 5)), training=False):
    """An allocated family with consent to everything, cycle 1 filmed with `clips` (start, end seconds)."""
    set_details(practitioner, service, coordinator)
    referral = allocated_referral(service, coordinator, practitioner)
    give_consent(referral, practitioner)
    filming = make_cycle(referral, practitioner, 1, filmed_on=days_ago(20)).filming
    for start, end in clips:
        Clip.objects.create(
            filming=filming,
            start_seconds=start,
            end_seconds=end,
            principles=[1],
            description="Baby looks up; mum smiles back.",
            marked_for_training=training,
            recorded_by=practitioner,
        )
    return referral, filming


def tus_upload(client, filming, data: bytes, *, chunk: int | None = None, api: bool = False):
    """Upload `data` through the tus-like endpoints in `chunk`-sized PATCHes; the last response."""
    from django.urls import reverse

    create = reverse("api:vault-upload-create" if api else "vault:upload_create", kwargs={"filming_id": filming.pk})
    answer = client.post(create, HTTP_UPLOAD_LENGTH=str(len(data)), **TUS)
    assert answer.status_code == 201, answer.content
    location, offset = answer["Location"], int(answer["Upload-Offset"])
    chunk = chunk or len(data)
    while offset < len(data):
        answer = client.patch(
            location,
            data[offset : offset + chunk],
            content_type="application/offset+octet-stream",
            HTTP_UPLOAD_OFFSET=str(offset),
            **TUS,
        )
        assert answer.status_code in (200, 204, 422), answer.content
        offset = int(answer["Upload-Offset"])
        if answer.status_code != 204:
            break
    return answer


def upload(filming, path, by):
    """Put a film in the vault through the actions (as the upload's last PATCH does)."""
    from vault import actions

    size = path.stat().st_size
    film = actions.start_upload(filming=filming, size=size, by=by)
    with open(path, "rb") as stream:
        return actions.receive_chunk(film=film, offset=0, stream=stream, length=size, by=by)


def cut_all(film, by, capture):
    """Ask for every clip to be cut and run the cuts (eagerly, once the action's transaction commits)."""
    from vault import actions

    with capture(execute=True):
        return actions.request_cuts(film=film, by=by)
