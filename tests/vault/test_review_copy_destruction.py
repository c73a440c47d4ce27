"""The shared review (the family's view hides the practitioner's notes), the family's copy on the day, training
use only while consent stands, and destruction on the date with crypto-shredding."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import AccessAction, AccessEvent
from core.refusals import ActionRefused
from cycles.models import ConsentItem, FamilyCopy, Footage
from tests.cycles.helpers_supervision import days_ago, today, withdraw
from tests.vault.helpers_vault import cut_all, family_with_filming, film_file, upload
from vault import actions, crypto, keys
from vault.models import ClipCut, CutState, FamilyKey, FilmState, VaultPolicy


@pytest.fixture
def cut_film(service, coordinator, practitioner, object_store, tmp_path, django_capture_on_commit_callbacks):
    referral, filming = family_with_filming(service, coordinator, practitioner, training=True)
    film = upload(filming, film_file(tmp_path), practitioner)
    cut_all(film, practitioner, django_capture_on_commit_callbacks)
    return film


def test_shared_review_plays_clips_in_order_and_the_family_view_hides_notes(login, cut_film, practitioner):
    client = login(practitioner)
    url = reverse("vault:review", kwargs={"film_id": cut_film.pk})
    cuts = list(ClipCut.objects.order_by("start_seconds"))
    page = client.get(url).content.decode()
    order = [
        page.index(reverse("vault:clip_stream", kwargs={"cut_id": c.pk, "rendition": "mp4"}) + '" data') for c in cuts
    ]
    assert order == sorted(order) and "Baby looks up" in page and 'id="review-player"' in page
    family = client.get(url, {"view": "family"}).content.decode()
    assert "Baby looks up" not in family and "Being attentive" not in family and "Your clips" in family
    assert cut_film.referral.reference not in family
    assert AccessEvent.objects.filter(object_type="vault.film", detail__page="shared_review").count() == 2


def test_family_copy_downloaded_on_the_day_only_and_recorded(login, cut_film, practitioner, coordinator):
    client = login(practitioner)
    cut = ClipCut.objects.order_by("start_seconds").first()
    download = reverse("vault:family_copy_file", kwargs={"cut_id": cut.pk})
    assert client.get(download).status_code == 403  # not handed over yet
    url = reverse("vault:family_copy", kwargs={"film_id": cut_film.pk})
    token = client.get(url).context["form"]["submission_token"].value()
    assert client.post(url, {"submission_token": token}).status_code == 302
    footage = Footage.objects.get(filming=cut_film.filming)
    assert footage.family_copy == FamilyCopy.GIVEN and footage.family_copy_on == today()
    assert "film vault" in footage.family_copy_how
    answer = client.get(download)
    assert answer.status_code == 200 and answer["Content-Disposition"].startswith("attachment")
    assert AccessEvent.objects.filter(action=AccessAction.DOWNLOAD, object_type="vault.clipcut").count() == 1
    # The next day the downloads are closed; staff never get a download of the film itself.
    Footage.objects.filter(pk=footage.pk).update(family_copy_on=days_ago(1))
    assert client.get(download).status_code == 403
    assert login(coordinator).get(download).status_code in (403, 404)


def test_family_copy_needs_consent_to_keep_clips(cut_film, practitioner):
    withdraw(cut_film.referral, ConsentItem.FAMILY_COPY, on=days_ago(1), by=practitioner)
    with pytest.raises(ActionRefused, match="consent"):
        actions.hand_over_family_copy(film=cut_film, by=practitioner)


def test_training_use_stops_at_once_when_consent_is_withdrawn(login, cut_film, practitioner):
    client = login(practitioner)
    cut = ClipCut.objects.order_by("start_seconds").first()
    url = reverse("vault:training_clip", kwargs={"cut_id": cut.pk})
    assert client.get(url, HTTP_RANGE="bytes=0-99").status_code == 206
    withdraw(cut_film.referral, ConsentItem.TRAINING, on=today(), by=practitioner)
    assert client.get(url, HTTP_RANGE="bytes=100-199").status_code == 403  # the very next request
    assert AccessEvent.objects.filter(action=AccessAction.PERMISSION_DENIED, detail__purpose="training").exists()
    cut.clip.marked_for_training = False
    cut.clip.save()
    api = reverse("api:vault-training-clip", kwargs={"cut_id": cut.pk})
    assert client.get(api).status_code == 403


def past_date(film, coordinator):
    from cycles import actions as cycle_actions

    cycle_actions.set_footage_destruction_dates(
        referral=film.referral, involvement_ended_on=days_ago(92), by=coordinator
    )


def test_destruction_on_the_date_shreds_every_copy(
    login, cut_film, practitioner, coordinator, object_store, django_capture_on_commit_callbacks
):
    with pytest.raises(ActionRefused, match="not due"):
        actions.destroy_film(film=cut_film, by=coordinator)
    # Every sealed object as a backup would hold it, and the family key as the database held it.
    backup = {k: object_store.read(k) for k in object_store.object_keys()}
    held_key = FamilyKey.objects.get(referral=cut_film.referral)
    past_date(cut_film, coordinator)
    assert Footage.objects.past_destruction_date().count() == 1
    client = login(coordinator)
    url = reverse("vault:destroy", kwargs={"film_id": cut_film.pk})
    token = client.get(url).context["form"]["submission_token"].value()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"submission_token": token}).status_code == 302
    cut_film.refresh_from_db()
    assert cut_film.state == FilmState.DESTROYED and cut_film.destroyed_by == coordinator and cut_film.destroyed_at
    assert set(ClipCut.objects.values_list("state", flat=True)) == {CutState.DESTROYED}
    assert object_store.object_keys() == []
    key = FamilyKey.objects.get(referral=cut_film.referral)
    assert key.wrapped is None and key.destroyed_by == coordinator
    footage = Footage.objects.get(filming=cut_film.filming)
    assert footage.destroyed_on == today() and footage.destruction_confirmed_by == coordinator
    assert Footage.objects.past_destruction_date().count() == 0  # the dashboard counts only footage still held
    # Crypto-shredding: the backed-up ciphertext cannot be read with any key the app still has.
    with pytest.raises(crypto.Unreadable):
        keys.family_key(cut_film.referral_id)
    other_keys = [keys.family_key(k.referral_id) for k in FamilyKey.objects.exclude(wrapped=None)]
    for candidate in [*other_keys, crypto.new_data_key()]:
        blob = crypto.Blob(cut_film.blob_id, cut_film.size, candidate)
        with pytest.raises(crypto.Unreadable):
            b"".join(blob.read(0, 100, lambda s, o, n: backup[f"films/{cut_film.prefix}/{s:06d}"][o : o + n]))
    assert bytes(held_key.wrapped) not in b"".join(
        bytes(k.wrapped or b"") for k in FamilyKey.objects.all()
    )  # the old wrapped key is gone from the database
    assert client.get(reverse("vault:film_stream", kwargs={"film_id": cut_film.pk})).status_code == 404


def test_two_people_where_the_service_asks(
    login, service, cut_film, practitioner, coordinator, object_store, django_capture_on_commit_callbacks
):
    VaultPolicy.objects.create(service=service, two_person_destruction=True)
    past_date(cut_film, coordinator)
    film = actions.destroy_film(film=cut_film, by=practitioner)
    assert film.state == FilmState.READY and film.destruction_requested_by == practitioner
    with pytest.raises(PermissionDenied):
        actions.destroy_film(film=film, by=practitioner)
    assert FamilyKey.objects.get().wrapped is not None and object_store.object_keys()
    with django_capture_on_commit_callbacks(execute=True):
        film = actions.destroy_film(film=film, by=coordinator)
    assert film.state == FilmState.DESTROYED and film.destroyed_by == coordinator
    assert FamilyKey.objects.get().wrapped is None and object_store.object_keys() == []


def test_the_key_stays_while_another_film_of_the_family_is_held(
    service, coordinator, practitioner, cut_film, tmp_path, django_capture_on_commit_callbacks
):
    from tests.cycles.helpers_supervision import make_cycle

    second = make_cycle(cut_film.referral, practitioner, 2, filmed_on=days_ago(5)).filming
    upload(second, film_file(tmp_path, seconds=2), practitioner)
    past_date(cut_film, coordinator)
    Footage.objects.filter(filming=second).update(destroy_by=today() + timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        actions.destroy_film(film=cut_film, by=coordinator)
    assert FamilyKey.objects.get().wrapped is not None


def test_the_film_page_offers_training_only_while_consent_stands(login, cut_film, practitioner):
    client = login(practitioner)
    url = reverse("vault:film", kwargs={"filming_id": cut_film.filming_id})
    assert client.get(url).content.decode().count("Play in training") == 2
    withdraw(cut_film.referral, ConsentItem.TRAINING, on=today(), by=practitioner)
    assert "Play in training" not in client.get(url).content.decode()


def test_footage_in_the_vault_cannot_be_confirmed_destroyed_by_hand(cut_film, coordinator):
    from cycles import actions as cycle_actions

    past_date(cut_film, coordinator)
    footage = Footage.objects.get(filming=cut_film.filming)
    with pytest.raises(ActionRefused, match="film vault"):
        cycle_actions.confirm_footage_destroyed(footage=footage, destroyed_on=today(), by=coordinator)
    assert Footage.objects.past_destruction_date().count() == 1  # still counted: the film is still held
