"""/healthz against the real Redis: the worker's heartbeat, a stale worker, a broker that is down."""

import pytest

from tests.services import redis_url
from web import health
from web.tasks import worker_heartbeat


@pytest.fixture
def real_redis(settings):
    settings.REDIS_URL = redis_url()
    health._redis().delete(health.HEARTBEAT_KEY)
    yield
    health._redis().delete(health.HEARTBEAT_KEY)


@pytest.mark.redis
def test_worker_heartbeat_makes_the_workers_ok(client, db, real_redis):
    assert client.get("/healthz").json()["worker"] == "stale"
    worker_heartbeat.delay()
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok", "broker": "ok", "worker": "ok", "files": "local"}


@pytest.mark.redis
def test_stale_heartbeat_is_degraded_not_down(client, db, real_redis, settings):
    worker_heartbeat.delay()
    settings.WORKER_HEARTBEAT_STALE_SECONDS = -1
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json()["status"] == "degraded"


def test_broker_down_answers_503_without_details(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    answer = client.get("/healthz")
    assert answer.status_code == 503
    body = answer.json()
    assert body == {"status": "down", "database": "ok", "broker": "down", "worker": "unknown", "files": "local"}
    assert "127.0.0.1" not in answer.content.decode()
