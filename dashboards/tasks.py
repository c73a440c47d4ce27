"""Dashboard export tasks: thin. Ids in, a status out, never family data; the state is on the export's row.

`make_export` is acknowledged late and rejected back to the queue if its worker dies, so a killed worker's export
is prepared again; our attempt counter (on the row) stops an export that always kills its worker as `failed`.
`sweep_exports` (beat, every minute) re-sends exports the broker lost and deletes old files.
"""

from celery import shared_task
from django.conf import settings

from . import actions


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.DASHBOARD_EXPORT_SOFT_TIME_LIMIT,
    time_limit=settings.DASHBOARD_EXPORT_SOFT_TIME_LIMIT + 30,
)
def make_export(export_id: int) -> str:
    """Prepare one export's CSV (idempotent: see `dashboards.actions.run_export`)."""
    return actions.run_export(export_id=export_id)


@shared_task
def sweep_exports() -> dict[str, int]:
    """Re-send lost exports, expire old files."""
    return actions.sweep_exports()
