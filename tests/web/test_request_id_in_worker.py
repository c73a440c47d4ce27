"""The request id follows the work: a letter approved on a page with `X-Request-ID` is made by a real Celery worker
(its own process, a Redis of its own), and the worker's JSON log lines for that task carry the same id."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from letters.models import Letter
from tests.letters.helpers_letters import decline_letter
from tests.letters.test_letters_worker import OwnRedis, reset_pools, stop_worker, wait_for
from tests.services import require_postgres

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_of_our_own():
    require_postgres()
    redis = OwnRedis()
    redis.start()
    from vig_service.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = redis.url
    reset_pools(app)
    yield redis
    app.conf.task_always_eager = True
    app.conf.broker_url = "memory://"
    reset_pools(app)
    redis.stop()


def start_worker(redis_url: str, files: Path, sink) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if k != "TESTING"},
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "DEBUG": "1",
        "PRIVATE_FILES_ROOT": str(files.parent),
        "LOG_LEVEL": "INFO",
    }
    command = [sys.executable, "-m", "celery", "-A", "vig_service", "worker", "--pool=prefork", "--concurrency=1"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=sink, start_new_session=True)


def test_the_workers_log_lines_carry_the_web_requests_id(
    login, service, coordinator, redis_of_our_own, settings, tmp_path
):
    files = tmp_path / "letters"
    settings.STORAGES = {
        **settings.STORAGES,
        "letters": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": files, "base_url": None, "allow_overwrite": True},
        },
    }
    log = tmp_path / "worker.log"
    with log.open("w") as sink:
        worker = start_worker(redis_of_our_own.url, files, sink)
    try:
        letter = decline_letter(service, coordinator)
        response = login(coordinator).post(
            reverse("letters:approve", kwargs={"letter_id": letter.pk}), {}, HTTP_X_REQUEST_ID="approve-7781-abc"
        )
        assert response.status_code == 302 and response["X-Request-ID"] == "approve-7781-abc"
        wait_for(lambda: Letter.objects.get(pk=letter.pk).status == "ready", what="the worker to make the letter")
    finally:
        stop_worker(worker)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    ours = [line for line in lines if line.get("task") == "letters.tasks.render_letter"]
    assert ours, log.read_text()[-3000:]
    assert all(line["request_id"] == "approve-7781-abc" for line in ours)
    assert any("succeeded" in line["message"] for line in ours)
