"""Destruction on the date by the vault itself (issue 22): the daily task destroys a due film, its clips and the
family's key (crypto-shredding), records it with no person named, is idempotent, skips films not yet due and films
of services that ask for two people (left for people, with a notice), and leaves a film it failed to delete held,
with a notice, for the next run. Runs on PostgreSQL and SQLite; objects go to the moto S3 server."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import AccessAction, AccessEvent
from cycles.models import Footage
from notices.escalation import SYSTEM_USERNAME
from notices.models import Notice, NoticeKind
from referrals.models import ReferralEvent
from tests.cycles.helpers_supervision import days_ago, today
from tests.vault.helpers_vault import cut_all, family_with_filming, film_file, upload
from vault import actions, blobs, crypto, keys, tasks
from vault.models import ClipCut, CutState, FamilyKey, Film, FilmState, VaultPolicy


@pytest.fixture
def cut_film(service, coordinator, practitioner, object_store, tmp_path, django_capture_on_commit_callbacks):
    referral, filming = family_with_filming(service, coordinator, practitioner)
    film = upload(filming, film_file(tmp_path), practitioner)
    cut_all(film, practitioner, django_capture_on_commit_callbacks)
    assert ClipCut.objects.filter(state=CutState.READY).count() == 2
    return film


def due_on(film, day):
    Footage.objects.filter(filming=film.filming).update(destroy_by=day)


def sweep(capture):
    """The daily beat task, its per-film tasks run once the sweep's transaction commits (eager in tests)."""
    with capture(execute=True):
        return tasks.destroy_due_films()


def test_the_daily_task_destroys_a_due_film_its_clips_and_key(
    login, cut_film, practitioner, object_store, django_capture_on_commit_callbacks
):
    backup = {k: object_store.read(k) for k in object_store.object_keys()}  # as a backup would hold them
    assert backup
    due_on(cut_film, today())  # due today: destroyed today
    assert sweep(django_capture_on_commit_callbacks)["sent"] == 1
    film = Film.objects.get(pk=cut_film.pk)
    assert film.state == FilmState.DESTROYED and film.destroyed_by_vault and film.destroyed_by is None
    assert film.destroyed_at is not None
    assert set(ClipCut.objects.values_list("state", flat=True)) == {CutState.DESTROYED}
    assert object_store.object_keys() == []
    key = FamilyKey.objects.get(referral=film.referral)
    assert key.wrapped is None and key.destroyed_at is not None and key.destroyed_by is None
    footage = Footage.objects.get(filming=film.filming)
    assert footage.destroyed_on == today() and footage.destroyed_by_vault and footage.destruction_confirmed_by is None
    assert Footage.objects.past_destruction_date(today() + timedelta(days=1)).count() == 0  # no longer held
    # Crypto-shredding: the backed-up ciphertext cannot be read with any key the app still has.
    with pytest.raises(crypto.Unreadable):
        keys.family_key(film.referral_id)
    held = [keys.family_key(k.referral_id) for k in FamilyKey.objects.exclude(wrapped=None)]
    for candidate in [*held, crypto.new_data_key()]:
        blob = crypto.Blob(film.blob_id, film.size, candidate)
        with pytest.raises(crypto.Unreadable):
            b"".join(blob.read(0, 100, lambda s, o, n: backup[f"films/{film.prefix}/{s:06d}"][o : o + n]))
    # History and access log: the service's automatic account (it cannot sign in), never a person.
    events = {e.kind: e for e in ReferralEvent.objects.filter(referral=film.referral)}
    destroyed = events["film_destroyed"]
    assert "destroyed by the vault on its destruction date, and the family's key" in destroyed.summary
    assert destroyed.actor.username == SYSTEM_USERNAME and not destroyed.actor.is_active
    assert not destroyed.actor.has_usable_password()
    assert events["footage_destroyed"].actor == destroyed.actor
    assert AccessEvent.objects.filter(
        action=AccessAction.UPDATE, object_type="vault.film", object_id=str(film.pk), username=SYSTEM_USERNAME
    ).exists()
    # Idempotent: a second run sends nothing; the task sent twice skips the destroyed film.
    assert sweep(django_capture_on_commit_callbacks)["sent"] == 0
    assert actions.destroy_due_film(film_id=film.pk) == FilmState.DESTROYED
    assert ReferralEvent.objects.filter(referral=film.referral, kind="film_destroyed").count() == 1
    # The pages and the API say so.
    client = login(practitioner)
    page = client.get(reverse("vault:film", kwargs={"filming_id": film.filming_id})).content.decode()
    assert "Destroyed by the vault on its destruction date." in page
    record = client.get(reverse("referrals:detail", kwargs={"pk": film.referral_id})).content.decode()
    assert "destroyed by the vault on its destruction date" in record  # the family's record's footage section
    body = client.get(reverse("api:vault-film", kwargs={"film_id": film.pk})).json()
    assert body["destruction"]["status"] == "destroyed" and body["destruction"]["destroyed_by_vault"] is True
    assert body["destruction"]["destroyed_by"] is None
    footage_api = client.get(reverse("api:filming-footage", kwargs={"pk": film.filming_id})).json()
    assert footage_api["destroyed_by_vault"] is True and footage_api["destruction_confirmed_by"] is None


def test_films_not_yet_due_are_left_alone(cut_film, object_store, django_capture_on_commit_callbacks):
    assert sweep(django_capture_on_commit_callbacks)["sent"] == 0  # no date yet (set at discharge)
    due_on(cut_film, today() + timedelta(days=1))
    assert sweep(django_capture_on_commit_callbacks)["sent"] == 0
    assert actions.destroy_due_film(film_id=cut_film.pk) == "not due"  # a stray task does nothing either
    assert Film.objects.get(pk=cut_film.pk).state == FilmState.READY and object_store.object_keys()
    assert FamilyKey.objects.get().wrapped is not None


def test_two_person_services_are_left_for_two_people_with_a_notice(
    login, service, cut_film, practitioner, coordinator, object_store, django_capture_on_commit_callbacks
):
    VaultPolicy.objects.create(service=service, two_person_destruction=True)
    due_on(cut_film, days_ago(1))
    counts = sweep(django_capture_on_commit_callbacks)
    assert counts["sent"] == 0 and counts["needs_two_people"] == 1
    assert actions.destroy_due_film(film_id=cut_film.pk) == "needs two people"
    assert Film.objects.get(pk=cut_film.pk).state == FilmState.READY and object_store.object_keys()
    assert FamilyKey.objects.get().wrapped is not None
    notices = Notice.objects.open().filter(kind=NoticeKind.FOOTAGE_OVERDUE)
    assert {n.recipient for n in notices} == {practitioner, coordinator}
    assert all("needs two people" in n.summary for n in notices)
    sweep(django_capture_on_commit_callbacks)
    assert Notice.objects.open().filter(kind=NoticeKind.FOOTAGE_OVERDUE).count() == 2  # kept, not repeated
    # The page: due, needs two people; the first person confirms.
    client = login(practitioner)
    page_url = reverse("vault:film", kwargs={"filming_id": cut_film.filming_id})
    page = client.get(page_url).content.decode()
    assert "Destruction due: needs two people" in page and "first of two people" in page
    url = reverse("vault:destroy", kwargs={"film_id": cut_film.pk})
    token = client.get(url).context["form"]["submission_token"].value()
    assert client.post(url, {"submission_token": token}).status_code == 302
    film = Film.objects.get(pk=cut_film.pk)
    assert film.state == FilmState.READY and film.destruction_requested_by == practitioner
    page = client.get(page_url).content.decode()
    assert "it cannot be you" in page and url not in page  # no link to what they may not do
    api = reverse("api:vault-film-destroy", kwargs={"film_id": film.pk})
    assert client.post(api).status_code == 403  # the first person cannot be the second
    assert (
        client.get(reverse("api:vault-film", kwargs={"film_id": film.pk})).json()["destruction"]["status"]
        == "awaiting_second_person"
    )
    # The daily task still destroys nothing; the second person completes it through the API.
    sweep(django_capture_on_commit_callbacks)
    assert Film.objects.get(pk=film.pk).state == FilmState.READY
    client = login(coordinator)
    assert "Complete the destruction" in client.get(page_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(api)
    assert answer.status_code == 200, answer.content
    assert answer.json()["destruction"]["status"] == "destroyed"
    assert answer.json()["destruction"]["destroyed_by"] == coordinator.pk
    assert object_store.object_keys() == [] and FamilyKey.objects.get().wrapped is None
    footage = Footage.objects.get(filming=film.filming)
    assert footage.destruction_confirmed_by == coordinator and not footage.destroyed_by_vault


def test_a_failed_deletion_leaves_the_film_held_and_is_tried_again(
    monkeypatch, cut_film, practitioner, object_store, django_capture_on_commit_callbacks
):
    due_on(cut_film, days_ago(3))
    real_delete = blobs.delete

    def broken(**kwargs):
        raise OSError("the store is unreachable")

    monkeypatch.setattr(blobs, "delete", broken)
    sweep(django_capture_on_commit_callbacks)
    film = Film.objects.get(pk=cut_film.pk)
    assert (
        film.state == FilmState.READY
        and film.destruction_failed_at
        and "could not be deleted" in (film.destruction_error)
    )
    assert FamilyKey.objects.get().wrapped is not None and object_store.object_keys()
    assert Footage.objects.past_destruction_date().count() == 1  # still held: still counted on the dashboard
    notice = Notice.objects.open().get(kind=NoticeKind.FOOTAGE_OVERDUE, recipient=practitioner)
    assert "could not destroy" in notice.summary
    assert not ReferralEvent.objects.filter(kind="film_destroyed").exists()
    # A store that answers but keeps the objects is a failure too (deletion is checked).
    monkeypatch.setattr(blobs, "delete", lambda **kwargs: None)
    assert actions.destroy_due_film(film_id=film.pk) == "failed"
    # The next run (here the operator's command) destroys it.
    monkeypatch.setattr(blobs, "delete", real_delete)
    call_command("destroy_due_films")
    film.refresh_from_db()
    assert film.state == FilmState.DESTROYED and film.destroyed_by_vault and film.destruction_error == ""
    assert object_store.object_keys() == [] and FamilyKey.objects.get().wrapped is None


def test_the_key_stays_while_another_film_of_the_family_is_held(
    cut_film, practitioner, tmp_path, object_store, django_capture_on_commit_callbacks
):
    from tests.cycles.helpers_supervision import make_cycle

    second = make_cycle(cut_film.referral, practitioner, 2, filmed_on=days_ago(5)).filming
    other = upload(second, film_file(tmp_path, seconds=2), practitioner)
    due_on(cut_film, today())
    Footage.objects.filter(filming=second).update(destroy_by=today() + timedelta(days=30))
    sweep(django_capture_on_commit_callbacks)
    assert Film.objects.get(pk=cut_film.pk).state == FilmState.DESTROYED
    assert Film.objects.get(pk=other.pk).state == FilmState.READY
    assert FamilyKey.objects.get().wrapped is not None
    assert all(k.startswith(f"films/{other.prefix}/") for k in object_store.object_keys())


@pytest.mark.django_db
def test_destroyed_footage_names_a_person_or_the_vault_never_both(service, coordinator, practitioner):
    from tests.cycles.helpers_supervision import make_cycle
    from tests.referrals.allocation_helpers import allocated_referral, set_details

    set_details(practitioner, service, coordinator)
    referral = allocated_referral(service, coordinator, practitioner)
    filming = make_cycle(referral, practitioner, 1, filmed_on=days_ago(20)).filming
    for values in (
        {"destroyed_on": today()},
        {"destroyed_on": today(), "destruction_confirmed_by": coordinator, "destroyed_by_vault": True},
        {"destroyed_by_vault": True},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Footage.objects.create(filming=filming, location="Share", **values)


def test_beat_runs_the_daily_task_and_both_tasks_are_registered(settings):
    from celery import current_app

    from vault.models import DESTROY

    current_app.loader.import_default_modules()
    tasks_run = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "vault.tasks.destroy_due_films" in tasks_run
    assert {"vault.tasks.destroy_due_films", DESTROY.name} <= set(current_app.tasks)


def test_the_dashboard_counts_only_footage_still_held(
    service, coordinator, manager, practitioner, cut_film, object_store, django_capture_on_commit_callbacks
):
    """The dashboard reads the families' summaries (ADR 0022), kept from the history's outbox: the vault's own
    destruction writes the history, so the figure drops; footage recorded as held elsewhere stays counted."""
    from cycles import actions as cycle_actions
    from dashboards import summaries
    from dashboards.reads import data_protection
    from tests.cycles.helpers_supervision import make_cycle
    from tests.dashboards.test_more_figures import scope_for

    elsewhere = make_cycle(cut_film.referral, practitioner, 2, filmed_on=days_ago(10)).filming
    cycle_actions.record_footage(filming=elsewhere, location="The team's encrypted share", by=practitioner)
    cycle_actions.set_footage_destruction_dates(
        referral=cut_film.referral, involvement_ended_on=days_ago(92), by=coordinator
    )

    def counted() -> int:
        summaries.catch_up(service.pk)  # what the dashboard does before it reads
        return data_protection(scope_for(manager, service))["footage_past_destruction"]

    assert counted() == 2
    sweep(django_capture_on_commit_callbacks)
    assert Film.objects.get(pk=cut_film.pk).state == FilmState.DESTROYED
    # The vault's film is gone; the footage recorded as held on the share is still counted until confirmed.
    assert counted() == 1
    assert Footage.objects.get(filming=elsewhere).destroyed_on is None
