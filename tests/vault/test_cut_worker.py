"""A clip cut by a real Celery worker (prefork) under Redis and PostgreSQL, with the pool process killed mid-cut:
the cut counts the lost attempt, is sent again by the sweep (what beat runs every minute), and ends ready once,
under its one set of object names."""

import os
import signal
import subprocess

import pytest

from tests.letters.test_letters_worker import start_worker, stop_worker, wait_for
from tests.vault.helpers_vault import family_with_filming, film_file, upload
from vault.models import ClipCut, CutState

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def films_folder(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "films": {"BACKEND": "core.storage.PrivateFolderStorage", "OPTIONS": {"subfolder": "films"}},
    }
    return tmp_path / "films"


def states(ids) -> list[str]:
    return list(ClipCut.objects.filter(pk__in=ids).order_by("pk").values_list("state", flat=True))


def test_worker_killed_mid_cut_is_resumed_and_cut_once(
    service,
    coordinator,
    practitioner,
    settings,
    films_folder,
    broker,
    own_redis,
    tmp_path,
):
    from vault import actions
    from vault.tasks import sweep_cuts

    referral, filming = family_with_filming(service, coordinator, practitioner, clips=((1, 3),))
    film = upload(filming, film_file(tmp_path), practitioner)
    worker = start_worker(
        own_redis.url,
        films_folder,
        VAULT_KEY_ENCRYPTION_KEY=settings.VAULT_KEY_ENCRYPTION_KEY,
        VAULT_CUT_DELAY_SECONDS="4",
        VAULT_CUT_SWEEP_AFTER_SECONDS="2",
        WORKER_START_SWEEP_AFTER_SECONDS="100000",
    )
    try:
        [cut] = actions.request_cuts(film=film, by=practitioner)
        wait_for(lambda: states([cut.pk]) == [CutState.CUTTING], what="the first cut to start")
        children = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout.split()
        assert children, "no pool process to kill"
        for pid in children:
            os.kill(int(pid), signal.SIGKILL)

        def swept_and_ready():
            if states([cut.pk]) == [CutState.READY]:
                return True
            sweep_cuts.apply_async(kwargs={"after_seconds": 2})  # beat's sweep, sooner
            return False

        wait_for(swept_and_ready, seconds=120, what="the cut to be ready")
    finally:
        stop_worker(worker)
    cut.refresh_from_db()
    assert cut.attempts == 2 and cut.state == CutState.READY
    stored = sorted(p.relative_to(films_folder).as_posix() for p in films_folder.rglob("*") if p.is_file())
    assert [s for s in stored if "/cut" in s] == [
        f"{referral.pk}/cut{cut.pk}mp4/000000",
        f"{referral.pk}/cut{cut.pk}poster/000000",
    ]


def test_the_daily_destruction_runs_in_a_real_worker(
    service, coordinator, practitioner, settings, films_folder, broker, own_redis, tmp_path
):
    """The beat task's sweep sends the film's id through Redis; a real worker destroys it (objects and key)."""
    from cycles.models import Footage
    from tests.cycles.helpers_supervision import today
    from vault.models import FamilyKey, Film, FilmState
    from vault.tasks import destroy_due_films

    referral, filming = family_with_filming(service, coordinator, practitioner, clips=())
    film = upload(filming, film_file(tmp_path, seconds=2), practitioner)
    Footage.objects.filter(filming=filming).update(destroy_by=today())
    worker = start_worker(own_redis.url, films_folder, VAULT_KEY_ENCRYPTION_KEY=settings.VAULT_KEY_ENCRYPTION_KEY)
    try:
        assert destroy_due_films()["sent"] == 1  # what beat runs each morning, here in this process
        wait_for(lambda: Film.objects.get(pk=film.pk).state == FilmState.DESTROYED, seconds=120, what="the destruction")
    finally:
        stop_worker(worker)
    assert Film.objects.get(pk=film.pk).destroyed_by_vault and FamilyKey.objects.get().wrapped is None
    assert not [p for p in films_folder.rglob("*") if p.is_file()]
