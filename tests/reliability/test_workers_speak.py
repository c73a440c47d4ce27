"""Workers speak for themselves, with a real Redis and real workers and no beat: each worker records its own
heartbeat from the moment it is ready (so /healthz is honest whether or not beat runs) and stops when it shuts
down; a worker that starts sweeps at once, so a letter whose worker was killed is made by the next worker without
waiting for beat or for Redis' hour-long visibility timeout."""

import time

import pytest

from letters import actions
from letters.models import Letter
from tests.letters.helpers_letters import decline_letter
from tests.letters.test_letters_worker import OwnRedis, reset_pools
from tests.reliability.machines import WorkerMachine, wait_for
from tests.services import require_postgres
from web import health

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_redis(settings):
    require_postgres()
    redis = OwnRedis()
    redis.start()
    settings.REDIS_URL = redis.url  # what /healthz in this process reads
    yield redis
    redis.stop()


@pytest.fixture
def broker(own_redis):
    """This process sends to our Redis for real (not eager), and back afterwards."""
    from vig_service.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = own_redis.url
    reset_pools(app)
    yield app
    app.conf.task_always_eager = True
    app.conf.broker_url = "memory://"
    reset_pools(app)


@pytest.fixture
def workers(tmp_path, own_redis, object_store):
    started = []

    def start(name, **env):
        worker = WorkerMachine(name, tmp_path, own_redis.url, object_store.env, **env)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop(kill=True)


def heartbeat_value() -> str | None:
    value = health._redis().get(health.HEARTBEAT_KEY)
    return value.decode() if value else None


def test_a_worker_without_beat_keeps_healthz_honest(client, db, workers):
    assert health.worker_state() == "stale"  # nobody has spoken yet
    worker = workers("worker-1", WORKER_HEARTBEAT_INTERVAL_SECONDS=1)
    wait_for(lambda: health.worker_state() == "ok", seconds=60, what="the worker's first heartbeat", machines=[worker])
    first = heartbeat_value()
    wait_for(lambda: heartbeat_value() != first, seconds=10, what="a second heartbeat", machines=[worker])
    assert client.get("/healthz").json()["worker"] == "ok"

    worker.stop()  # a clean shutdown: it stops speaking
    last = heartbeat_value()
    time.sleep(3)
    assert heartbeat_value() == last


def test_a_starting_worker_makes_the_letter_a_killed_worker_held(service, coordinator, broker, workers, object_store):
    first = workers("worker-1", LETTER_RENDER_DELAY_SECONDS=8)
    queue = health._redis()
    wait_for(lambda: health.worker_state() == "ok", seconds=60, what="the first worker to be ready", machines=[first])
    wait_for(lambda: queue.llen("celery") == 0, seconds=30, what="its own start sweeps to run", machines=[first])
    letter = actions.approve_letter(letter=decline_letter(service, coordinator), by=coordinator)

    def status() -> str:
        return Letter.objects.get(pk=letter.pk).status

    wait_for(lambda: status() == "rendering", seconds=60, what="the first render to start", machines=[first])
    first.stop(kill=True)  # the machine is lost: main process and its pool, no goodbye
    time.sleep(1)
    assert status() == "rendering"  # Redis holds the task unacknowledged for an hour; no beat runs
    assert queue.llen("celery") == 0  # nothing waiting that would make it: only the next worker's start sweep can

    second = workers("worker-2")
    wait_for(lambda: status() == "ready", seconds=90, what="the next worker to make it", machines=[second])
    letter.refresh_from_db()
    assert letter.attempts == 2  # the killed attempt counted, the second made it
    assert object_store.object_keys() == [f"letters/{letter.file.name}"]
