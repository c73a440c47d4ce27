"""Dashboard export tasks: thin. Ids in, a status out, never family data; the state is on the export's row.

`make_export` is the export job's task (`models.EXPORT`, `core.jobs`): acknowledged late and rejected back to the
queue if its worker dies, so a killed worker's export is prepared again; our attempt counter (on the row) stops an
export that always kills its worker as `failed`. `sweep_exports` (beat, every minute) re-sends exports the broker
lost and deletes old files. The actions send by the task's name and never import this module.
"""

from celery import shared_task
from django.conf import settings

from . import actions
from .models import EXPORT


@EXPORT.task(
    soft_time_limit=settings.DASHBOARD_EXPORT_SOFT_TIME_LIMIT,
    time_limit=settings.DASHBOARD_EXPORT_SOFT_TIME_LIMIT + 30,
)
def make_export(export_id: int) -> str:
    """Prepare one export's CSV (idempotent: see `dashboards.actions.run_export`)."""
    return actions.run_export(export_id=export_id)


@shared_task(name="dashboards.tasks.sweep_exports")
def sweep_exports() -> dict[str, int]:
    """Re-send lost exports, expire old files."""
    return actions.sweep_exports()
