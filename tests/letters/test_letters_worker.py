"""The pipeline with the real services: a real Celery worker (prefork) against a Redis of our own and PostgreSQL.

Each test runs its own `redis-server` on a spare port (nothing kept on disk, like the machine's Redis), so it can
stop it and start it empty. Outside CI a missing PostgreSQL or redis-server skips; with CI=true it fails.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from letters.models import Letter
from tests.letters.helpers_letters import decline_letter
from tests.services import missing, require_postgres

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    def __init__(self):
        if not shutil.which("redis-server"):
            missing("redis-server is not installed")
        self.port = spare_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis():
    require_postgres()
    redis = OwnRedis()
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def broker(own_redis):
    """Point this process's Celery at our Redis, sending for real (not eager), and back afterwards."""
    from vig_service.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = own_redis.url
    reset_pools(app)
    yield app
    app.conf.task_always_eager = True
    app.conf.broker_url = "memory://"
    reset_pools(app)


def reset_pools(app) -> None:
    """Forget connections to an old broker (this process's producers connect to the new one). Not closed: kombu
    shares pools between apps by connection, and another test's producers may hold them."""
    app._pool = None
    app.amqp._producer_pool = None


def start_worker(redis_url: str, files: Path, **env_extra) -> subprocess.Popen:
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **{k: v for k, v in os.environ.items() if k != "TESTING"},
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DEBUG": "1",
        "PRIVATE_FILES_ROOT": str(files.parent),
        **env_extra,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "vig_service",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)


def wait_for(predicate, seconds: float = 90, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def statuses(ids) -> list[str]:
    return list(Letter.objects.filter(pk__in=ids).order_by("pk").values_list("status", flat=True))


def test_worker_killed_mid_render_still_ends_ready_once(
    service, coordinator, broker, own_redis, _letters_in_a_temporary_folder
):
    files = _letters_in_a_temporary_folder
    worker = start_worker(own_redis.url, files, LETTER_RENDER_DELAY_SECONDS="4")
    try:
        from letters import actions

        letter = actions.approve_letter(letter=decline_letter(service, coordinator), by=coordinator)
        wait_for(lambda: statuses([letter.pk]) == ["rendering"], what="the first render to start")
        children = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout.split()
        assert children, "no pool process to kill"
        for pid in children:
            os.kill(int(pid), signal.SIGKILL)
        wait_for(lambda: statuses([letter.pk]) == ["ready"], seconds=120, what="the letter to be ready")
    finally:
        stop_worker(worker)
    letter.refresh_from_db()
    assert letter.attempts == 2  # the killed attempt counted, the second made it
    assert len(list(files.rglob("*.pdf"))) == 1
    assert Letter.objects.current().filter(referral=letter.referral, kind="decline").count() == 1


def test_redis_restarted_empty_letters_made_once_via_the_sweep(
    service, coordinator, broker, own_redis, _letters_in_a_temporary_folder
):
    from letters import actions
    from letters.tasks import sweep_letters

    files = _letters_in_a_temporary_folder
    letters = [actions.approve_letter(letter=decline_letter(service, coordinator), by=coordinator) for _ in range(3)]
    ids = [letter.pk for letter in letters]
    assert statuses(ids) == ["queued"] * 3
    own_redis.stop()  # the broker loses everything it held
    own_redis.start()
    # A starting worker sweeps too (tests/reliability/test_workers_speak.py); here it must not, to prove beat's sweep.
    worker = start_worker(
        own_redis.url, files, LETTER_SWEEP_AFTER_SECONDS="0", WORKER_START_SWEEP_AFTER_SECONDS="100000"
    )
    try:
        time.sleep(2)
        assert statuses(ids) == ["queued"] * 3  # nobody remembers them but PostgreSQL
        sweep_letters.apply_async()  # what beat sends every minute
        wait_for(lambda: statuses(ids) == ["ready"] * 3, seconds=120, what="every letter to be ready")
    finally:
        stop_worker(worker)
    assert list(Letter.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == [1, 1, 1]
    assert len(list(files.rglob("*.pdf"))) == 3


def test_broker_down_request_succeeds_and_letter_waits(service, coordinator, broker, own_redis):
    from letters import actions

    own_redis.stop()
    started = time.monotonic()
    letter = actions.approve_letter(letter=decline_letter(service, coordinator), by=coordinator)
    assert time.monotonic() - started < 10
    letter.refresh_from_db()
    assert letter.status == "queued" and letter.approved_at
