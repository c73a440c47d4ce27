"""Clips cut by the worker: ids only, sent on commit, idempotent; each rendition sealed under the family's key and
played through the logged view with Range; the page shows each clip's state."""

import pytest
from django.urls import reverse

from accounts.models import AccessAction, AccessEvent
from tests.vault.helpers_vault import cut_all, family_with_filming, film_file, upload
from vault import actions
from vault.models import ClipCut, CutState


@pytest.fixture
def film(service, coordinator, practitioner, object_store, tmp_path):
    referral, filming = family_with_filming(service, coordinator, practitioner)
    return upload(filming, film_file(tmp_path), practitioner)


def test_clips_are_cut_sealed_and_played_with_range(
    login, film, practitioner, object_store, django_capture_on_commit_callbacks
):
    made = cut_all(film, practitioner, django_capture_on_commit_callbacks)
    assert len(made) == 2
    cuts = list(ClipCut.objects.order_by("start_seconds"))
    assert [c.state for c in cuts] == [CutState.READY, CutState.READY] and all(c.attempts == 1 for c in cuts)
    assert all(c.mp4_size and c.poster_size for c in cuts)
    keys = object_store.object_keys()
    assert all(k.startswith(f"films/{film.referral_id}/") for k in keys)
    assert any(f"/cut{cuts[0].pk}mp4/" in k for k in keys)
    # Asking again sends nothing new; a clip whose times change is cut again.
    assert cut_all(film, practitioner, django_capture_on_commit_callbacks) == []
    client = login(practitioner)
    url = reverse("vault:clip_stream", kwargs={"cut_id": cuts[0].pk, "rendition": "mp4"})
    whole = client.get(url)
    data = b"".join(whole.streaming_content)
    assert whole.status_code == 200 and whole["Content-Type"] == "video/mp4" and data[4:8] == b"ftyp"
    assert whole["Content-Disposition"] == "inline"
    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and b"".join(part.streaming_content) == data[100:200]
    poster = client.get(reverse("vault:clip_stream", kwargs={"cut_id": cuts[0].pk, "rendition": "poster"}))
    assert b"".join(poster.streaming_content)[:2] == b"\xff\xd8"
    assert (
        client.get(reverse("vault:clip_stream", kwargs={"cut_id": cuts[0].pk, "rendition": "webm"})).status_code == 404
    )
    assert client.get(reverse("vault:clip_stream", kwargs={"cut_id": cuts[0].pk, "rendition": "x"})).status_code == 404
    logged = AccessEvent.objects.filter(object_type="vault.clipcut", action=AccessAction.VIEW)
    assert logged.count() == 3
    page = client.get(reverse("vault:film", kwargs={"filming_id": film.filming_id})).content.decode()
    assert page.count('class="vault-clip"') == 2 and "Cut the clips" not in page


def test_a_clip_whose_times_changed_is_cut_again(film, practitioner, django_capture_on_commit_callbacks):
    cut_all(film, practitioner, django_capture_on_commit_callbacks)
    clip = film.filming.clips.order_by("start_seconds").first()
    clip.end_seconds = 4
    clip.save()
    made = cut_all(film, practitioner, django_capture_on_commit_callbacks)
    assert [c.clip_id for c in made] == [clip.pk]
    assert ClipCut.objects.filter(clip=clip, state=CutState.DESTROYED).count() == 1
    assert ClipCut.objects.get(clip=clip, state=CutState.READY).end_seconds == 4


def test_a_duplicate_or_late_task_does_nothing_twice(film, practitioner, django_capture_on_commit_callbacks):
    cut_all(film, practitioner, django_capture_on_commit_callbacks)
    cut = ClipCut.objects.first()
    assert actions.run_cut(cut_id=cut.pk) == CutState.READY
    cut.refresh_from_db()
    assert cut.attempts == 1
    assert actions.run_cut(cut_id=999999) == "missing"


def test_a_clip_past_the_films_end_fails_with_why(film, practitioner, django_capture_on_commit_callbacks):
    clip = film.filming.clips.order_by("start_seconds").last()
    clip.end_seconds = 60
    clip.save()
    cut_all(film, practitioner, django_capture_on_commit_callbacks)
    failed = ClipCut.objects.get(clip=clip)
    assert failed.state == CutState.FAILED and "film is only" in failed.error


def test_cut_page_sends_the_clips_once(login, film, practitioner, django_capture_on_commit_callbacks):
    client = login(practitioner)
    url = reverse("vault:cut_clips", kwargs={"film_id": film.pk})
    page = client.get(url)
    token = page.context["form"]["submission_token"].value()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"submission_token": token})
        second = client.post(url, {"submission_token": token})
    assert first.status_code == 302 and second.status_code in (200, 302)
    assert ClipCut.objects.filter(state=CutState.READY).count() == 2
