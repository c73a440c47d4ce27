import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from knox.models import AuthToken

from tests.services import redis_url, require_postgres
from web.tasks import purge_expired_api_tokens

ROOT = Path(__file__).resolve().parents[2]


def test_purge_expired_api_tokens_keeps_live_ones(coordinator):
    AuthToken.objects.create(user=coordinator, expiry=timedelta(seconds=-5))
    AuthToken.objects.create(user=coordinator, expiry=timedelta(hours=1))
    assert purge_expired_api_tokens.delay().get() == 1
    assert AuthToken.objects.count() == 1


def test_beat_schedule_names_real_tasks():
    from vig_service.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_task_through_redis(coordinator, settings):
    """A real Celery worker, a real Redis broker, the real test database."""
    require_postgres()
    broker = redis_url()
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": broker, "DEBUG": "1", "TESTING": "1"}
    queue = f"test-{os.getpid()}-{time.time_ns()}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "vig_service",
            "worker",
            "-Q",
            queue,
            "--pool=solo",
            "--loglevel=warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        AuthToken.objects.create(user=coordinator, expiry=timedelta(seconds=-5))
        settings.CELERY_TASK_ALWAYS_EAGER = False
        from vig_service.celery import app

        app.conf.task_always_eager = False
        app.conf.broker_url = broker
        purge_expired_api_tokens.apply_async(queue=queue)
        deadline = time.monotonic() + 60
        while AuthToken.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not AuthToken.objects.exists(), "the worker did not run the task"
    finally:
        app.conf.task_always_eager = True
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
