"""Every write to dashboards: asking for a figure's CSV to be prepared, preparing it, and the sweep.

The export's state is in the database, not the broker (see `models`); sending, counting attempts and the sweep
are the shared job helper's (`core.jobs`, ADR 0014), and these actions send by the job's name (`models.EXPORT`),
never importing the task. `run_export` is the task's one function and
is idempotent: a ready export is left alone; a run claims the export with a fresh token and an attempt counted in
its own committed transaction; it writes the CSV in chunks to a temporary file, reporting progress after every
chunk; and it saves the file under the export's one name, under the row lock, only while it still holds the claim.
So a run after a crash, or a duplicate task, rewrites the same file once and never leaves a second.
"""

import csv
import logging
import tempfile
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction
from accounts.permissions import InService, Perm, requires
from core.jobs import status_of, stuck_since
from core.replica import read_alias
from dashboards.reads import Scope, figure_lists

from . import exporting, storage
from .models import EXPORT, IN_PROGRESS, DashboardExport, ExportStatus
from .rules import may_open_export

logger = logging.getLogger(__name__)
CHUNK_SIZE = 2000
MAX_ATTEMPTS = 3
LOST_ACCESS = "You no longer have access to this service's dashboard, so the export was stopped."
UNKNOWN_FIGURE = "This figure is no longer on the dashboard, so the export was stopped."
TOO_SLOW = "The export took too long to prepare. Choose a shorter period or one site and try again."
FAILED = "The export could not be prepared. Try again; if it fails again, tell your system administrator."


def export_detail(export: DashboardExport) -> dict:
    """Ids, dates and choices only, for the access log."""
    return {
        "export": "dashboard_figure",
        "export_id": export.pk,
        "figure": export.figure,
        "service": export.service_id,
        "site": export.site_id,
        "start": str(export.start),
        "end": str(export.end),
        "free_text": export.include_free_text,
    }


def _scope_place(kwargs: dict) -> InService:
    """What dashboard.view is checked on for a new export: the scope's service, and its site if one was chosen."""
    scope = kwargs["scope"]
    return InService(scope.service.pk, scope.site.pk if scope.site else None)


@transaction.atomic
@requires(Perm.DASHBOARD_VIEW, on=_scope_place)
def request_export(*, by, scope: Scope, figure: str, include_free_text: bool, request=None) -> DashboardExport:
    """Ask for one figure's families as CSV, prepared in the background; the request goes into the access log.

    Refused (403) unless `by` holds dashboard.view in the scope's service (and site, when one is chosen). The rows
    are chosen when the export runs, as `by` may see them then. Asking again for the same CSV while it is still
    being prepared returns that export rather than starting a second one."""
    export = DashboardExport(
        requested_by=by,
        service=scope.service,
        site=scope.site,
        start=scope.start,
        end=scope.end,
        figure=figure,
        include_free_text=bool(include_free_text),
    )
    if figure not in figure_lists(scope):
        raise ValidationError({"figure": "Choose a figure from the dashboard"})
    if scope.start > scope.end:
        raise ValidationError({"end": "The end of the period must be on or after its start"})
    # A double submit (or a second tab) asks for the same CSV again: give back the one already being prepared.
    # The person's own row is locked first, so two requests at once cannot both miss it.
    get_user_model().objects.select_for_update().filter(pk=by.pk).first()
    same = (
        DashboardExport.objects.requested_by(by)
        .filter(
            status__in=IN_PROGRESS,
            service=scope.service,
            site=scope.site,
            start=scope.start,
            end=scope.end,
            figure=figure,
            include_free_text=bool(include_free_text),
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if same is not None:
        return same
    export.save()
    log_access(action=AccessAction.CREATE, request=request, user=by, obj=export, detail=export_detail(export))
    EXPORT.send_on_commit(export.pk)
    return export


def _may_start(export: DashboardExport) -> bool:
    """Not done, and not held by a run that is still reporting progress (this is then a duplicate task)."""
    presumed_lost = stuck_since(settings.DASHBOARD_EXPORT_SWEEP_AFTER_SECONDS)
    live = export.status == ExportStatus.RUNNING and export.heartbeat_at and export.heartbeat_at >= presumed_lost
    return export.in_progress and not live


def _start(export: DashboardExport) -> list[str]:
    export.status, export.run_token = ExportStatus.RUNNING, uuid.uuid4().hex
    export.started_at = export.heartbeat_at = timezone.now()
    export.rows_done, export.rows_total, export.error = 0, None, ""
    return ["status", "run_token", "started_at", "heartbeat_at", "rows_done", "rows_total", "error"]


def _give_up(export: DashboardExport, error: str) -> list[str]:
    export.status, export.finished_at, export.error = ExportStatus.FAILED, timezone.now(), error[:300]
    return ["status", "finished_at", "error"]


def _claim(export_id: int) -> str | None:
    """Count the attempt and mark the export running with a new token, in its own committed transaction.

    None: nothing to do (ready, failed, expired, gone, or another run is making progress)."""
    export = EXPORT.start_attempt(
        DashboardExport.objects.all(),
        export_id,
        max_attempts=MAX_ATTEMPTS,
        may_start=_may_start,
        start=_start,
        give_up=_give_up,
    )
    return export.run_token if export else None


def _holding(export_id: int, token: str):
    return DashboardExport.objects.filter(pk=export_id, run_token=token, status=ExportStatus.RUNNING)


def _report(export_id: int, token: str, **fields) -> bool:
    """Save progress (committed at once, so the status page shows it). False: another run holds the export now."""
    return bool(_holding(export_id, token).update(heartbeat_at=timezone.now(), **fields))


def _fail(export_id: int, token: str, message: str) -> str:
    _holding(export_id, token).update(status=ExportStatus.FAILED, error=message[:300], finished_at=timezone.now())
    return status_of(DashboardExport.objects.all(), export_id)


def _write(export_id: int, token: str) -> str:
    export = DashboardExport.objects.select_related("requested_by", "service", "site").get(pk=export_id)
    user = export.requested_by  # visibility as the requester has it now, not as it was when they asked
    if not may_open_export(user, export):
        return _fail(export_id, token, LOST_ACCESS)
    found = figure_lists(exporting.export_scope(export, user)).get(export.figure)
    if found is None:
        return _fail(export_id, token, UNKNOWN_FIGURE)
    # The families from the replica when there is one (a second behind is fine); the export row from the primary.
    referrals = exporting.figure_referrals(found[1]).using(read_alias())
    if not _report(export_id, token, rows_total=referrals.count()):
        return "superseded"
    ids, sites = [], set()
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline="") as text:
        writer = csv.writer(text)
        writer.writerow(exporting.header(export.include_free_text))
        for referral in referrals.iterator(chunk_size=CHUNK_SIZE):
            writer.writerow(exporting.row(referral, export.include_free_text))
            ids.append(referral.pk)
            sites.add(referral.site_id)
            if len(ids) % CHUNK_SIZE == 0 and not _report(export_id, token, rows_done=len(ids)):
                return "superseded"
        text.flush()
        text.buffer.seek(0)
        return _store(export_id, token, text.buffer, ids, sites)


def _store(export_id: int, token: str, raw, ids: list[int], sites: set[int]) -> str:
    """Under the row lock, while this run still holds the export: save the file under its one name, mark ready."""
    with transaction.atomic():
        export = DashboardExport.objects.select_for_update().get(pk=export_id)
        if export.run_token != token or export.status != ExportStatus.RUNNING:
            return "superseded"
        files, name = export.file.storage, storage.file_name(export)
        if files.exists(name):
            files.delete(name)  # an earlier run's file: replaced, never kept beside the new one
        export.file = files.save(name, File(raw, name=name))
        export.status, export.finished_at = ExportStatus.READY, timezone.now()
        export.heartbeat_at = export.finished_at
        export.rows_done = export.rows_total = len(ids)
        export.referral_ids, export.site_ids = ids, sorted(sites)
        export.save(
            update_fields=[
                "file",
                "status",
                "finished_at",
                "heartbeat_at",
                "rows_done",
                "rows_total",
                "referral_ids",
                "site_ids",
            ]
        )
        return ExportStatus.READY


def run_export(*, export_id: int) -> str:
    """The export task's body: prepare the CSV as the requester may see the families now. Returns the export's
    status (never family data). Idempotent: a ready, failed or expired export is left alone."""
    token = _claim(export_id)
    if token is None:
        return status_of(DashboardExport.objects.all(), export_id)
    try:
        return _write(export_id, token)
    except Exception as error:
        from celery.exceptions import SoftTimeLimitExceeded

        logger.warning("Export %s failed: %s", export_id, type(error).__name__)
        return _fail(export_id, token, TOO_SLOW if isinstance(error, SoftTimeLimitExceeded) else FAILED)


def sweep_exports(*, after_seconds: int | None = None) -> dict[str, int]:
    """Beat, every minute, and each worker as it starts. Send again every export left queued, or running without
    progress, for DASHBOARD_EXPORT_SWEEP_AFTER_SECONDS or `after_seconds` (the broker may have lost it; one still
    reporting progress refuses the duplicate); delete the files of exports made more than
    DASHBOARD_EXPORT_KEEP_DAYS ago and mark them expired."""
    now = timezone.now()
    wait = settings.DASHBOARD_EXPORT_SWEEP_AFTER_SECONDS if after_seconds is None else after_seconds
    stuck = DashboardExport.objects.stuck(stuck_since(wait))
    requeued = EXPORT.resend_stuck(stuck, clock="enqueued_at", limit=500)
    expired = 0
    old = DashboardExport.objects.past_keeping(now - timedelta(days=settings.DASHBOARD_EXPORT_KEEP_DAYS))
    for export_id in list(old.values_list("pk", flat=True)[:500]):
        expired += _expire(export_id)
    return {"requeued": requeued, "expired": expired}


def _expire(export_id: int) -> int:
    with transaction.atomic():
        export = DashboardExport.objects.select_for_update().filter(pk=export_id, status=ExportStatus.READY).first()
        if export is None:
            return 0
        if export.file:
            export.file.storage.delete(export.file.name)  # a file already gone is no error
        export.status, export.file = ExportStatus.EXPIRED, ""
        export.save(update_fields=["status", "file"])
        return 1
