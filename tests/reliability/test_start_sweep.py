"""What a worker does as it starts (in-process here; test_workers_speak.py runs real workers): it sweeps at once,
with WORKER_START_SWEEP_AFTER_SECONDS (0: every row still owed), so a letter or export a crashed worker held is sent
again without waiting for beat; an export another worker is still making refuses the duplicate. Without a broker
no heartbeat thread starts."""

from datetime import timedelta

from django.utils import timezone

from dashboards import actions as dashboard_actions
from dashboards import tasks as dashboard_tasks
from dashboards.models import DashboardExport, ExportStatus
from dashboards.reads import Scope, default_period
from letters import actions as letter_actions
from letters import tasks as letter_tasks
from letters.models import Letter, LetterStatus
from tests.dashboards.helpers_dashboards import known_service
from tests.letters.helpers_letters import decline_letter
from web import tasks as web_tasks


def test_a_starting_worker_sends_a_letter_left_rendering_a_moment_ago(
    service, coordinator, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.PRIVATE_FILES_ROOT = tmp_path
    letter = letter_actions.approve_letter(letter=decline_letter(service, coordinator), by=coordinator)
    # Its worker took it and died a second ago: rendering, one attempt counted, the message stuck in Redis.
    Letter.objects.filter(pk=letter.pk).update(
        status=LetterStatus.RENDERING, attempts=1, status_changed_at=timezone.now()
    )
    assert letter_actions.sweep_stuck_letters() == 0  # beat's sweep would wait LETTER_SWEEP_AFTER_SECONDS
    with django_capture_on_commit_callbacks(execute=True):
        letter_tasks._sweep_at_start()
    letter.refresh_from_db()
    assert letter.status == LetterStatus.READY and letter.attempts == 2


def test_a_starting_worker_leaves_a_letter_alone_when_told_to_wait(service, coordinator, settings, monkeypatch):
    settings.WORKER_START_SWEEP_AFTER_SECONDS = 600
    sent = []
    monkeypatch.setattr("letters.tasks.render_letter.delay", lambda letter_id: sent.append(letter_id))
    letter = letter_actions.approve_letter(letter=decline_letter(service, coordinator), by=coordinator)
    letter_tasks._sweep_at_start()
    assert sent == [] and Letter.objects.get(pk=letter.pk).status == LetterStatus.QUEUED


def test_a_starting_worker_sends_a_queued_export_and_spares_a_live_one(
    service, coordinator, practitioner, manager, peterborough, cambridgeshire, settings, tmp_path
):
    settings.PRIVATE_FILES_ROOT = tmp_path
    known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    start, end = default_period()
    scope = Scope(user=manager, service=service, site=None, start=start, end=end)
    queued = dashboard_actions.request_export(by=manager, scope=scope, figure="received", include_free_text=False)
    live = dashboard_actions.request_export(by=manager, scope=scope, figure="waiting", include_free_text=False)
    a_while_ago = timezone.now() - timedelta(seconds=5)
    DashboardExport.objects.filter(pk=queued.pk).update(enqueued_at=a_while_ago)
    DashboardExport.objects.filter(pk=live.pk).update(
        status=ExportStatus.RUNNING, attempts=1, enqueued_at=a_while_ago, heartbeat_at=a_while_ago
    )
    dashboard_tasks._sweep_at_start()  # in-process, the delayed second sweep runs at once too
    queued.refresh_from_db()
    live.refresh_from_db()
    assert queued.status == ExportStatus.READY
    assert live.status == ExportStatus.RUNNING and live.attempts == 1  # still reporting progress: not taken


def test_no_broker_no_heartbeat_thread(settings):
    settings.REDIS_URL = ""
    assert web_tasks.start_heartbeat() is None
