"""Another practitioner's and another service's people get a 404 on every film and clip URL, page and API, and
nothing runs; the family's coordinator may watch but not upload, cut or take the family's copy (403)."""

import pytest
from django.urls import reverse

from accounts.models import AccessAction, AccessEvent
from tests.vault.helpers_vault import TUS, cut_all, family_with_filming, film_file, upload
from vault.models import ClipCut, Film, FilmState

FILMING_URLS = ["vault:film", "vault:upload_create", "api:vault-upload-create"]
FILM_URLS = [
    "vault:upload",
    "vault:film_state",
    "vault:film_stream",
    "vault:cut_clips",
    "vault:review",
    "vault:family_copy",
    "vault:destroy",
    "api:vault-upload",
    "api:vault-film",
    "api:vault-film-cuts",
    "api:vault-film-stream",
    "api:vault-family-copy",
    "api:vault-film-destroy",
]
CUT_URLS = [
    ("vault:clip_stream", {"rendition": "mp4"}),
    ("vault:clip_stream", {"rendition": "poster"}),
    ("vault:training_clip", {}),
    ("vault:family_copy_file", {}),
    ("api:vault-clip-stream", {"rendition": "mp4"}),
    ("api:vault-training-clip", {}),
    ("api:vault-family-copy-file", {}),
]


@pytest.fixture
def vault_records(service, coordinator, practitioner, object_store, tmp_path, django_capture_on_commit_callbacks):
    referral, filming = family_with_filming(service, coordinator, practitioner, clips=((1, 2),), training=True)
    film = upload(filming, film_file(tmp_path, seconds=3), practitioner)
    cut_all(film, practitioner, django_capture_on_commit_callbacks)
    return filming, film, ClipCut.objects.get()


def every_url(filming, film, cut):
    for name in FILMING_URLS:
        yield reverse(name, kwargs={"filming_id": filming.pk})
    for name in FILM_URLS:
        yield reverse(name, kwargs={"film_id": film.pk})
    for name, extra in CUT_URLS:
        yield reverse(name, kwargs={"cut_id": cut.pk, **extra})


@pytest.mark.parametrize("who", ["other_practitioner", "other_service_practitioner", "other_coordinator", "nobody"])
def test_outsiders_get_404_on_every_film_and_clip_url(login, vault_records, who, request):
    filming, film, cut = vault_records
    client = login(request.getfixturevalue(who))
    before = AccessEvent.objects.filter(action=AccessAction.PERMISSION_DENIED).count()
    checked = 0
    for url in every_url(*vault_records):
        for method in ("get", "post", "patch", "head"):
            answer = getattr(client, method)(url, **TUS, HTTP_UPLOAD_LENGTH="10", HTTP_UPLOAD_OFFSET="0")
            assert answer.status_code in (404, 405), f"{method.upper()} {url} → {answer.status_code}"
            checked += answer.status_code == 404
    assert checked >= len(FILMING_URLS) + len(FILM_URLS) + len(CUT_URLS)
    assert AccessEvent.objects.filter(action=AccessAction.PERMISSION_DENIED).count() > before  # all logged
    film.refresh_from_db()
    assert film.state == FilmState.READY and Film.objects.count() == 1


def test_the_familys_coordinator_may_watch_but_not_work_on_the_film(login, vault_records, coordinator):
    filming, film, cut = vault_records
    client = login(coordinator)
    assert client.get(reverse("vault:film", kwargs={"filming_id": filming.pk})).status_code == 200
    stream = client.get(reverse("vault:film_stream", kwargs={"film_id": film.pk}), HTTP_RANGE="bytes=0-9")
    assert stream.status_code == 206
    for name in ("vault:cut_clips", "vault:family_copy"):
        assert client.get(reverse(name, kwargs={"film_id": film.pk})).status_code == 403
    assert client.post(reverse("vault:upload_create", kwargs={"filming_id": filming.pk}), **TUS).status_code == 403
    assert client.get(reverse("vault:family_copy_file", kwargs={"cut_id": cut.pk})).status_code == 403
    page = client.get(reverse("vault:film", kwargs={"filming_id": filming.pk})).content.decode()
    assert "Cut the clips" not in page and "family's copy" not in page and 'id="mark-clip"' not in page


def test_a_practitioner_cannot_continue_someone_elses_upload(login, service, coordinator, practitioner, object_store):
    referral, filming = family_with_filming(service, coordinator, practitioner)
    client = login(practitioner)
    created = client.post(
        reverse("vault:upload_create", kwargs={"filming_id": filming.pk}), HTTP_UPLOAD_LENGTH="100", **TUS
    )
    assert created.status_code == 201
    other = login(coordinator)
    assert other.head(created["Location"], **TUS).status_code == 403
