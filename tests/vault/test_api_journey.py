"""The film vault through the API alone: upload in parts, cut the clips, play one with Range, hand over the
family's copy, and destroy it all on the date (issue 22's "done when", through the API)."""

from django.urls import reverse

from cycles.models import FamilyCopy, Footage
from tests.cycles.helpers_supervision import days_ago, today
from tests.vault.helpers_vault import family_with_filming, film_file, tus_upload
from vault.models import ClipCut, CutState, FamilyKey, Film


def test_the_whole_journey_through_the_api(
    login, service, coordinator, practitioner, object_store, tmp_path, django_capture_on_commit_callbacks
):
    from cycles import actions as cycle_actions

    referral, filming = family_with_filming(service, coordinator, practitioner, clips=((1, 2), (2, 3), (3, 5)))
    client = login(practitioner)
    assert tus_upload(client, filming, film_file(tmp_path).read_bytes(), api=True).status_code == 200
    film = Film.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        body = client.post(reverse("api:vault-film-cuts", kwargs={"film_id": film.pk})).json()
    assert len(body["clips"]) == 3
    assert list(ClipCut.objects.values_list("state", flat=True)) == [CutState.READY] * 3
    cut = ClipCut.objects.first()
    part = client.get(
        reverse("api:vault-clip-stream", kwargs={"cut_id": cut.pk, "rendition": "mp4"}), HTTP_RANGE="bytes=0-9"
    )
    assert part.status_code == 206 and len(b"".join(part.streaming_content)) == 10
    copy = client.post(reverse("api:vault-family-copy", kwargs={"film_id": film.pk})).json()
    assert len(copy["files"]) == 3 and copy["family_copy_on"] == str(today())
    assert Footage.objects.get().family_copy == FamilyCopy.GIVEN
    download = client.get(copy["files"][0])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")

    cycle_actions.set_footage_destruction_dates(referral=referral, involvement_ended_on=days_ago(92), by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        gone = login(coordinator).post(reverse("api:vault-film-destroy", kwargs={"film_id": film.pk}))
    assert gone.status_code == 200 and gone.json()["state"] == "destroyed"
    assert object_store.object_keys() == [] and FamilyKey.objects.get().wrapped is None
    assert login(coordinator).post(reverse("api:vault-film-destroy", kwargs={"film_id": film.pk})).status_code == 409
