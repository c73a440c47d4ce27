"""Dashboard export tasks: thin. Ids in, a status out, never family data; the state is on the export's row.

`make_export` is the export job's task (`models.EXPORT`, `core.jobs`): acknowledged late and rejected back to the
queue if its worker dies, so a killed worker's export is prepared again; our attempt counter (on the row) stops an
export that always kills its worker as `failed`. `sweep_exports` (beat, every minute, and each worker as it starts)
re-sends exports the broker lost or a crashed worker held, and deletes old files. The actions send by the task's
name and never import this module.
"""

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from referrals.history import SUMMARIES

from . import actions, summaries
from .models import EXPORT


@EXPORT.task(
    soft_time_limit=settings.DASHBOARD_EXPORT_SOFT_TIME_LIMIT,
    time_limit=settings.DASHBOARD_EXPORT_SOFT_TIME_LIMIT + 30,
)
def make_export(export_id: int) -> str:
    """Prepare one export's CSV (idempotent: see `dashboards.actions.run_export`)."""
    return actions.run_export(export_id=export_id)


@shared_task(name="dashboards.tasks.sweep_exports")
def sweep_exports(after_seconds: int | None = None) -> dict[str, int]:
    """Re-send lost exports, expire old files."""
    return actions.sweep_exports(after_seconds=after_seconds)


@worker_ready.connect
def _sweep_at_start(**kwargs) -> None:
    """A worker that starts sweeps at once (queued exports a lost worker held), and again once a crashed worker's
    running export has been quiet long enough to be presumed lost, so recovery does not wait for beat."""
    sweep_exports.apply_async(kwargs={"after_seconds": settings.WORKER_START_SWEEP_AFTER_SECONDS})
    sweep_exports.apply_async(countdown=settings.DASHBOARD_EXPORT_SWEEP_AFTER_SECONDS + 5)


@SUMMARIES.task()
def refresh_summaries(referral_id: int) -> int:
    """Work off one family's outbox rows (ADR 0022): its summary recomputed from raw rows. Idempotent: a family with
    nothing waiting is left alone, so a duplicate or late task does nothing."""
    return summaries.process(referral_id)


@shared_task(name="dashboards.tasks.sweep_summaries")
def sweep_summaries() -> int:
    """Work off outbox rows the tasks missed (Redis lost them, the workers were down)."""
    return summaries.sweep()
