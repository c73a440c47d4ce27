"""The background-job helper itself (core.jobs): sent only after commit and never on rollback, a broker that is
down logged and not raised, the sweep sending each stuck row once, an attempt counted before the work and a row
that is done left alone. A probe task records the ids it is given (in-process, as without a broker); export rows
stand in as rows with a status, attempts and an error."""

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.jobs import Job, lost_workers_message, status_of, stuck_since
from dashboards import actions
from dashboards.models import EXPORT, DashboardExport
from dashboards.reads import Scope, default_period
from letters.models import RENDER

ROOT = Path(__file__).resolve().parents[2]
PROBE = Job(name="tests.core.test_jobs.probe", noun="Probe")
received: list[int] = []


@PROBE.task()
def probe(row_id: int) -> None:
    received.append(row_id)


@pytest.fixture(autouse=True)
def _nothing_sent_yet():
    received.clear()
    yield
    received.clear()


def queued_export(manager, service, figure="received") -> DashboardExport:
    """An export asked for whose after-commit send never ran (the test's transaction never commits)."""
    start, end = default_period()
    scope = Scope(user=manager, service=service, site=None, start=start, end=end)
    return actions.request_export(by=manager, scope=scope, figure=figure, include_free_text=False)


@pytest.mark.django_db(transaction=True)
def test_sent_only_once_the_transaction_commits():
    with transaction.atomic():
        PROBE.send_on_commit(7)
        assert received == []  # a worker must never look for a row that is not committed yet
    assert received == [7]


@pytest.mark.django_db(transaction=True)
def test_never_sent_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        PROBE.send_on_commit(7)
        raise RuntimeError("something later in the request failed")
    assert received == []


def test_broker_down_is_logged_not_raised(caplog):
    app = current_app
    eager, broker = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, "redis://127.0.0.1:1/0"  # nothing listens there
    app._pool = app.amqp._producer_pool = None
    try:
        assert PROBE.send(7) is False
    finally:
        app.conf.task_always_eager, app.conf.broker_url = eager, broker
        app._pool = app.amqp._producer_pool = None
    assert (
        received == [] and "Probe 7 could not be sent to the workers; it waits as queued for the sweep" in caplog.text
    )


def test_sweep_sends_each_stuck_row_once(service, manager):
    lost = queued_export(manager, service)
    recent = queued_export(manager, service, figure="waiting")
    DashboardExport.objects.filter(pk=lost.pk).update(enqueued_at=timezone.now() - timedelta(hours=1))
    assert PROBE.resend_stuck(DashboardExport.objects.stuck(stuck_since(60)), clock="enqueued_at") == 1
    assert received == [lost.pk] and recent.pk not in received
    # Its clock was reset: the next sweep, a minute later, leaves it alone.
    assert PROBE.resend_stuck(DashboardExport.objects.stuck(stuck_since(60)), clock="enqueued_at") == 0
    assert received == [lost.pk]


def start(export, *, max_attempts=3):
    def running(row):
        row.status = "running"
        return ["status"]

    def failed(row, error):
        row.status, row.error = "failed", error
        return ["status", "error"]

    return PROBE.start_attempt(
        DashboardExport.objects.all(),
        export.pk,
        max_attempts=max_attempts,
        may_start=lambda row: row.status in ("queued", "running"),
        start=running,
        give_up=failed,
    )


def test_attempt_is_counted_before_the_work(service, manager):
    export = queued_export(manager, service)
    claimed = start(export)
    assert claimed.pk == export.pk
    export.refresh_from_db()
    assert (export.status, export.attempts) == ("running", 1)


def test_a_row_that_is_done_is_left_alone(service, manager):
    export = queued_export(manager, service)
    start(export)
    DashboardExport.objects.filter(pk=export.pk).update(status="ready", file="export.csv")  # the run finished
    assert start(export) is None  # a duplicate task, or the sweep's re-send arriving late
    export.refresh_from_db()
    assert (export.status, export.attempts) == ("ready", 1)
    assert start(DashboardExport(pk=export.pk + 1000)) is None  # a row that is gone: nothing to do
    assert status_of(DashboardExport.objects.all(), export.pk + 1000) == "missing"


def test_gives_up_after_the_last_lost_worker(service, manager):
    export = queued_export(manager, service)
    assert start(export, max_attempts=2) and start(export, max_attempts=2)  # two workers killed mid-run
    assert start(export, max_attempts=2) is None
    export.refresh_from_db()
    assert (export.status, export.attempts) == ("failed", 2)
    assert export.error == lost_workers_message(2)
    assert start(export, max_attempts=2) is None  # failed stays failed
    export.refresh_from_db()
    assert export.attempts == 2


def test_job_tasks_are_acknowledged_late_and_rejected_when_their_worker_dies():
    current_app.loader.import_default_modules()
    for job in (PROBE, RENDER, EXPORT):
        task = current_app.tasks[job.name]
        assert task.acks_late and task.reject_on_worker_lost


def test_every_job_and_beat_task_is_registered_under_its_name():
    current_app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} | {RENDER.name, EXPORT.name}
    assert names <= set(current_app.tasks)


@pytest.mark.slow
def test_a_web_process_that_never_imported_the_tasks_still_runs_them_in_process():
    """`make run` (no broker): the web process imports no tasks module, yet an approved letter is made at once."""
    script = (
        "import django; django.setup()\n"
        "from celery import current_app\n"
        "from core.jobs import _registered\n"
        "from letters.models import RENDER\n"
        "assert RENDER.name not in current_app.tasks, 'already imported'\n"
        "task = _registered(RENDER.name)\n"
        "assert task.name == RENDER.name and current_app.conf.task_always_eager\n"
        "print('ok')\n"
    )
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "vig_service.settings", "DEBUG": "1"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr
