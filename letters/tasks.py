"""Letter tasks: thin. Ids in, a status out, never patient data; the state is on the letter's row.

`render_letter` is the render job's task (`models.RENDER`, `core.jobs`): acknowledged late and rejected back to the
queue if its worker dies, so a killed worker's letter is rendered again; it retries with backoff and jitter, and
our own attempt counter (on the row) stops a letter that always fails as `failed`. `sweep_letters` (beat, every
minute) re-sends letters the broker lost. The actions send by the task's name and never import this module.
"""

from celery import shared_task
from celery.signals import worker_process_init
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
def sweep_letters() -> int:
    return actions.sweep_stuck_letters()


@worker_process_init.connect
def _warm_up(**kwargs) -> None:
    """Each worker process parses the print stylesheet and loads the fonts once, before its first letter."""
    rendering.warm_up()
