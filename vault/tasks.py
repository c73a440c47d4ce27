"""Film vault tasks: thin. Ids in, a state out, never family data; the state is on the cut's row.

`destroy_due_films` (beat, daily) sends each film due for destruction to `destroy_due_film` (ids only).
`cut_clip` is the cut job's task (`models.CUT`, `core.jobs`): acknowledged late and rejected back to the queue if
its worker dies, so a killed worker's cut is done again; the attempt counter on the row stops a cut that always
kills its worker as `failed`. `sweep_cuts` (beat, every minute, and each worker as it starts) re-sends what the
broker lost. The actions send by the task's name and never import this module.
"""

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from . import actions
from .models import CUT, DESTROY


@CUT.task(soft_time_limit=settings.VAULT_CUT_SOFT_TIME_LIMIT, time_limit=settings.VAULT_CUT_SOFT_TIME_LIMIT + 30)
def cut_clip(cut_id: int) -> str:
    """Cut one clip (idempotent: see `vault.actions.run_cut`)."""
    return actions.run_cut(cut_id=cut_id)


@shared_task(name="vault.tasks.sweep_cuts")
def sweep_cuts(after_seconds: int | None = None) -> int:
    """Re-send lost cuts."""
    return actions.sweep_cuts(after_seconds=after_seconds)


@worker_ready.connect
def _sweep_at_start(**kwargs) -> None:
    """A starting worker sweeps at once, and again once a crashed worker's cut has been quiet long enough."""
    sweep_cuts.apply_async(kwargs={"after_seconds": settings.WORKER_START_SWEEP_AFTER_SECONDS})
    sweep_cuts.apply_async(countdown=settings.VAULT_CUT_SWEEP_AFTER_SECONDS + 5)


@DESTROY.task()
def destroy_due_film(film_id: int) -> str:
    """Destroy one film due for destruction (idempotent: see `vault.actions.destroy_due_film`)."""
    return actions.destroy_due_film(film_id=film_id)


@shared_task(name="vault.tasks.destroy_due_films")
def destroy_due_films() -> dict:
    """Daily: send every film due for destruction to be destroyed; notices for those that need two people."""
    return actions.sweep_due_films()
