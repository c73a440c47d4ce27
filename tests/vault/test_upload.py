"""Uploading a film: resumable in parts (tus-like), kept only as ciphertext in the private bucket, trusted by its
content, within the service's limits; played back through the logged view with Range."""

import pytest
from django.urls import reverse

from accounts.models import AccessAction, AccessEvent
from cycles.models import Footage
from referrals.models import ReferralEvent
from tests.vault.helpers_vault import TUS, family_with_filming, film_file, tus_upload
from vault import crypto
from vault.actions import VAULT_LOCATION
from vault.models import FamilyKey, Film, FilmState, VaultPolicy


@pytest.fixture
def setup(service, coordinator, practitioner):
    return family_with_filming(service, coordinator, practitioner)


def test_upload_in_parts_keeps_only_ciphertext_and_plays_back_with_range(
    login, setup, practitioner, object_store, tmp_path, small_segments
):
    referral, filming = setup
    data = film_file(tmp_path).read_bytes()
    client = login(practitioner)
    answer = tus_upload(client, filming, data, chunk=crypto.SEGMENT)
    assert answer.status_code == 200 and answer.json()["state"] == "ready"
    film = Film.objects.get()
    assert film.state == FilmState.READY and film.duration_seconds == pytest.approx(6, abs=0.2)
    assert (film.width, film.height, film.video_codec) == (320, 180, "h264")
    # Only sealed segments, under films/, none holding any 64-byte run of the film.
    keys = object_store.object_keys()
    assert keys and all(k.startswith(f"films/{referral.pk}/{film.blob_id}/") for k in keys)
    assert len(keys) == crypto.segment_count(len(data))
    stored = b"".join(object_store.read(k) for k in keys)
    assert len(stored) == crypto.sealed_size(len(data))
    assert all(data[i : i + 64] not in stored for i in range(0, len(data) - 64, 4099))
    assert FamilyKey.objects.get(referral=referral).wrapped is not None
    assert Footage.objects.get(filming=filming).location == VAULT_LOCATION
    assert ReferralEvent.objects.filter(referral=referral, kind="film_uploaded").exists()

    url = reverse("vault:film_stream", kwargs={"film_id": film.pk})
    whole = client.get(url)
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == data
    assert whole["Content-Disposition"] == "inline" and whole["Cache-Control"] == "private, no-store"
    part = client.get(url, HTTP_RANGE=f"bytes={crypto.CHUNK - 5}-{crypto.SEGMENT + 10}")
    assert part.status_code == 206 and b"".join(part.streaming_content) == data[crypto.CHUNK - 5 : crypto.SEGMENT + 11]
    assert part["Content-Range"] == f"bytes {crypto.CHUNK - 5}-{crypto.SEGMENT + 10}/{len(data)}"
    assert client.get(url, HTTP_RANGE=f"bytes={len(data) + 5}-").status_code == 416
    views = AccessEvent.objects.filter(action=AccessAction.VIEW, object_type="vault.film", object_id=str(film.pk))
    assert views.count() == 3 and views.filter(user_id=practitioner.pk).count() == 3


def test_resume_after_a_dropped_connection(login, setup, practitioner, object_store, tmp_path, small_segments):
    referral, filming = setup
    data = film_file(tmp_path).read_bytes()
    client = login(practitioner)
    created = client.post(
        reverse("vault:upload_create", kwargs={"filming_id": filming.pk}), HTTP_UPLOAD_LENGTH=str(len(data)), **TUS
    )
    location = created["Location"]
    # The line drops a segment and a half in: the whole segment is kept, the half is not.
    cut_at = crypto.SEGMENT + crypto.SEGMENT // 2
    answer = client.patch(
        location, data[:cut_at], content_type="application/offset+octet-stream", HTTP_UPLOAD_OFFSET="0", **TUS
    )
    assert answer.status_code == 204 and int(answer["Upload-Offset"]) == crypto.SEGMENT
    # A second press of Upload (the same file) resumes the same upload; HEAD says where it stands.
    again = client.post(
        reverse("vault:upload_create", kwargs={"filming_id": filming.pk}), HTTP_UPLOAD_LENGTH=str(len(data)), **TUS
    )
    assert again["Location"] == location and int(again["Upload-Offset"]) == crypto.SEGMENT
    head = client.head(location, **TUS)
    assert head.status_code == 200 and int(head["Upload-Offset"]) == crypto.SEGMENT
    # Sending from the wrong offset is a 409 that says where to go on from.
    wrong = client.patch(
        location, data[:10], content_type="application/offset+octet-stream", HTTP_UPLOAD_OFFSET="0", **TUS
    )
    assert wrong.status_code == 409 and int(wrong["Upload-Offset"]) == crypto.SEGMENT
    answer = client.patch(
        location,
        data[crypto.SEGMENT :],
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=str(crypto.SEGMENT),
        **TUS,
    )
    assert answer.status_code == 200 and Film.objects.get().state == FilmState.READY
    assert (
        b"".join(client.get(reverse("vault:film_stream", kwargs={"film_id": Film.objects.get().pk})).streaming_content)
        == data
    )


def test_a_file_that_is_not_a_film_is_refused_by_its_content(login, setup, practitioner, object_store, tmp_path):
    referral, filming = setup
    film_file(tmp_path)  # skips without ffmpeg
    fake = b"\x00\x00\x00\x18ftypmp42" + b"not a film at all " * 500  # named and started like an MP4
    client = login(practitioner)
    answer = tus_upload(client, filming, fake)
    assert answer.status_code == 422 and "not a film" in answer.json()["detail"]
    assert Film.objects.get().state == FilmState.REFUSED and object_store.object_keys() == []
    page = client.get(reverse("vault:film", kwargs={"filming_id": filming.pk}))
    assert "not a film" in page.content.decode() and b'id="film-upload"' in page.content


def test_size_limit_and_quota(login, setup, service, practitioner, object_store):
    referral, filming = setup
    VaultPolicy.objects.create(service=service, quota_bytes=1000, max_film_bytes=800)
    client = login(practitioner)
    create = reverse("vault:upload_create", kwargs={"filming_id": filming.pk})
    too_big = client.post(create, HTTP_UPLOAD_LENGTH="900", **TUS)
    assert too_big.status_code == 400 and "smaller than" in too_big.json()["errors"]["film"][0]
    VaultPolicy.objects.filter(service=service).update(max_film_bytes=5000)
    full = client.post(create, HTTP_UPLOAD_LENGTH="1001", **TUS)
    assert full.status_code == 400 and "full" in full.json()["errors"]["film"][0]
    assert client.post(create, **TUS).status_code == 400  # no Upload-Length
    assert not Film.objects.exists()


def test_plain_form_upload_without_javascript(login, setup, practitioner, object_store, tmp_path):
    referral, filming = setup
    path = film_file(tmp_path, seconds=3)
    client = login(practitioner)
    url = reverse("vault:film", kwargs={"filming_id": filming.pk})
    page = client.get(url)
    assert b'enctype="multipart/form-data"' in page.content
    form = page.context["form"]
    token = form["submission_token"].value() if "submission_token" in form.fields else None
    with open(path, "rb") as handle:
        answer = client.post(url, {"film": handle, **({"submission_token": token} if token else {})})
    assert answer.status_code == 302, answer.content[:2000]
    film = Film.objects.get()
    assert film.state == FilmState.READY and film.size == path.stat().st_size
    assert b'id="film-player"' in client.get(url).content


def test_api_upload_and_film(login, setup, practitioner, object_store, tmp_path):
    referral, filming = setup
    data = film_file(tmp_path, seconds=3).read_bytes()
    client = login(practitioner)
    answer = tus_upload(client, filming, data, api=True)
    assert answer.status_code == 200
    film = Film.objects.get()
    body = client.get(reverse("api:vault-film", kwargs={"film_id": film.pk})).json()
    assert body["state"] == "ready" and [c["clip"] for c in body["clips"]] == list(
        filming.clips.values_list("pk", flat=True)
    )
    part = client.get(
        reverse("api:vault-film-stream", kwargs={"film_id": film.pk}), HTTP_RANGE="bytes=0-99", HTTP_ACCEPT="video/*"
    )
    assert part.status_code == 206 and b"".join(part.streaming_content) == data[:100]


def test_choosing_another_file_replaces_ones_own_unfinished_upload(login, setup, practitioner, coordinator):
    from core.refusals import ActionRefused
    from vault import actions

    referral, filming = setup
    first = actions.start_upload(filming=filming, size=1000, by=practitioner)
    second = actions.start_upload(filming=filming, size=2000, by=practitioner)
    first.refresh_from_db()
    assert first.state == FilmState.REFUSED and second.state == FilmState.UPLOADING and second.pk != first.pk
    with pytest.raises(ActionRefused, match="colleague"):
        actions.start_upload(filming=filming, size=2000, by=_second_practitioner(referral, practitioner))


def _second_practitioner(referral, practitioner):
    """Hand the family to a colleague (a reallocation) so they may record its casework."""
    from referrals.models import Allocation
    from tests.factories import staff

    other = staff("colleague", referral.service, "practitioner")
    Allocation.objects.filter(referral=referral).update(practitioner=other)
    return other
