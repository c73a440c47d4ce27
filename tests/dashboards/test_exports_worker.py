"""Background exports with the real services: a real Celery worker (prefork) against a Redis of our own and
PostgreSQL, reusing the letters' worker helpers. Outside CI a missing PostgreSQL or redis-server skips; with CI=true
it fails."""

import csv
import io
import time

import pytest
from django.urls import reverse

from dashboards import actions
from dashboards.models import DashboardExport
from dashboards.reads import Scope, default_period
from tests.conftest import verify_session
from tests.dashboards.helpers_dashboards import known_service
from tests.letters.test_letters_worker import (  # noqa: F401 - the broker and own_redis fixtures
    broker,
    own_redis,
    start_worker,
    stop_worker,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("broker")]


def status(export_id: int) -> str:
    return DashboardExport.objects.filter(pk=export_id).values_list("status", flat=True).get()


def ask(manager, service, figure="received") -> DashboardExport:
    start, end = default_period()
    scope = Scope(user=manager, service=service, site=None, start=start, end=end)
    return actions.request_export(by=manager, scope=scope, figure=figure, include_free_text=False)


def test_real_worker_prepares_the_export(
    client, service, coordinator, manager, practitioner, peterborough, cambridgeshire, export_files, request
):
    redis = request.getfixturevalue("own_redis")
    made = known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    worker = start_worker(redis.url, export_files)
    try:
        export = ask(manager, service)  # committed: sent to the worker through Redis
        wait_for(lambda: status(export.pk) == "ready", seconds=120, what="the export to be ready")
    finally:
        stop_worker(worker)
    export.refresh_from_db()
    assert export.attempts == 1 and export.rows_done == export.rows_total == 6
    assert [f.name for f in export_files.rglob("*.csv")] == [f"export-{export.pk}.csv"]
    verify_session(client, manager)
    response = client.get(reverse("dashboards:export_download", args=[export.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {r[0] for r in rows[1:]} == {m.reference for m in made.values()}


def test_redis_restarted_empty_export_made_once_via_the_sweep(
    service, coordinator, manager, practitioner, peterborough, cambridgeshire, export_files, request
):
    redis = request.getfixturevalue("own_redis")
    from dashboards.tasks import sweep_exports

    known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    export = ask(manager, service)
    assert status(export.pk) == "queued"
    redis.stop()  # the broker loses everything it held
    redis.start()
    # A starting worker sweeps too (tests/reliability/test_workers_speak.py); here it must not, to prove beat's sweep.
    worker = start_worker(
        redis.url, export_files, DASHBOARD_EXPORT_SWEEP_AFTER_SECONDS="0", WORKER_START_SWEEP_AFTER_SECONDS="100000"
    )
    try:
        time.sleep(2)
        assert status(export.pk) == "queued"  # nobody remembers it but PostgreSQL
        sweep_exports.apply_async()  # what beat sends every minute
        wait_for(lambda: status(export.pk) == "ready", seconds=120, what="the export to be ready")
    finally:
        stop_worker(worker)
    export.refresh_from_db()
    assert export.attempts == 1
    assert len(list(export_files.rglob("*.csv"))) == 1
