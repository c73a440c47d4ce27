"""Letter tasks: thin. Ids in, a status out, never patient data; the state is on the letter's row.

`render_letter` is the render job's task (`models.RENDER`, `core.jobs`): acknowledged late and rejected back to the
queue if its worker dies, so a killed worker's letter is rendered again; it retries with backoff and jitter, and
our own attempt counter (on the row) stops a letter that always fails as `failed`. `sweep_letters` (beat, every
minute, and once from each worker as it starts) re-sends letters the broker lost or a crashed worker held. The
actions send by the task's name and never import this module.
"""

from celery import shared_task
from celery.signals import worker_process_init, worker_ready
from django.conf import settings

from . import actions, rendering
from .models import RENDER


@RENDER.task(
    bind=True,
    soft_time_limit=settings.LETTER_RENDER_SOFT_TIME_LIMIT,
    time_limit=settings.LETTER_RENDER_SOFT_TIME_LIMIT + 30,
    autoretry_for=(actions.RenderFailed,),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    # Our attempt counter on the row is the real bound; this only stops a runaway loop.
    max_retries=settings.LETTER_RENDER_MAX_ATTEMPTS + 2,
)
def render_letter(self, letter_id: int) -> str:
    if self.request.is_eager:
        # In-process (no broker): Celery does not retry eager tasks, so the attempts happen here, at once.
        for _ in range(settings.LETTER_RENDER_MAX_ATTEMPTS + 1):
            try:
                return actions.render_letter_file(letter_id=letter_id)
            except actions.RenderFailed:
                continue
    return actions.render_letter_file(letter_id=letter_id)


@shared_task(name="letters.tasks.sweep_letters")
def sweep_letters(after_seconds: int | None = None) -> int:
    return actions.sweep_stuck_letters(after_seconds=after_seconds)


@worker_ready.connect
def _sweep_at_start(**kwargs) -> None:
    """A worker that starts sends the sweep at once: letters a crashed worker held are made again now, not when
    beat next runs (nor, if beat is down, after Redis' hour-long visibility timeout)."""
    sweep_letters.apply_async(kwargs={"after_seconds": settings.WORKER_START_SWEEP_AFTER_SECONDS})


@worker_process_init.connect
def _warm_up(**kwargs) -> None:
    """Each worker process parses the print stylesheet and loads the fonts once, before its first letter."""
    rendering.warm_up()
