"""Background work whose state lives in a database row, written once for every app that has some (ADR 0014).

Letters' PDFs and dashboards' CSV exports follow the same pattern; an app with background work declares one `Job`
beside the model that holds its state, and uses it in four places:

- **Ask** (an action): change the row, then `JOB.send_on_commit(row.pk)` in the same transaction. Only the id goes
  to the broker, and only once the transaction commits: a rolled-back action sends nothing, and a worker never
  looks for a row that is not there yet. A broker that is down is logged, not raised: the row waits for the sweep.
- **Run** (the task, `@JOB.task(...)` in the app's `tasks.py`): registered under the job's name, acknowledged late
  and put back on the queue when its worker dies. Its body (an action) starts with `JOB.start_attempt(...)`, which
  counts the attempt in its own committed transaction under the row lock, so a worker killed mid-run still counts
  it, and gives up after `max_attempts` lost workers. A row that is done (or held by a live run) is left alone, so
  a duplicate task or a re-run does nothing twice.
- **Sweep** (a beat task): `JOB.resend_stuck(queryset, clock=...)` sends again, once, every row the broker may have
  lost (Redis keeps nothing on disk here), and resets its clock so the next sweep waits again.
- **Name, not import**: the actions send by the task's name and never import `tasks.py`; the task module imports
  the actions. Task names are stable (beat's schedule names the sweeps).

Without a broker (`make run`, tests) Celery runs the task at once, in-process, when it is sent.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from celery import current_app, shared_task
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)
SWEEP_BATCH = 1000


def lost_workers_message(attempts: int) -> str:
    return f"Stopped after {attempts} attempts (the worker was lost each time)."


@dataclass(frozen=True)
class Job:
    """One kind of background work: the Celery task's name (ids go to it, never data) and what it works on."""

    name: str  # the Celery task's name, e.g. "letters.tasks.render_letter"
    noun: str  # for the log: "Letter", "Export"

    def task(self, **options):
        """Register the decorated function as this job's task: late acknowledgement and reject-on-worker-lost,
        so a killed worker's row is worked again; the attempt counter on the row is what ends it."""
        return shared_task(name=self.name, acks_late=True, reject_on_worker_lost=True, **options)

    def send(self, pk: int) -> bool:
        """Send one row's id to the workers now. False (and logged) when the broker cannot take it: the row is
        safe in the database and the sweep sends it again."""
        try:
            _registered(self.name).delay(pk)
        except Exception:
            logger.exception("%s %s could not be sent to the workers; it waits as queued for the sweep", self.noun, pk)
            return False
        return True

    def send_on_commit(self, pk: int) -> None:
        """Send the id once the current transaction commits; never if it rolls back."""
        transaction.on_commit(partial(self.send, pk))

    def resend_stuck(self, stuck: QuerySet, *, clock: str, limit: int = SWEEP_BATCH) -> int:
        """The sweep: send again each row of `stuck` (oldest `clock` first) and set its `clock` to now, so the next
        sweep waits before sending it again. Returns how many were sent."""
        now = timezone.now()
        ids = list(stuck.order_by(clock).values_list("pk", flat=True)[:limit])
        if not ids:
            return 0
        stuck.model._default_manager.filter(pk__in=ids).update(**{clock: now})
        for pk in ids:
            self.send(pk)
        logger.info("%s sweep re-sent %s", self.noun, len(ids))
        return len(ids)

    def start_attempt(
        self,
        rows: QuerySet,
        pk: int,
        *,
        max_attempts: int,
        may_start: Callable[[Model], bool],
        start: Callable[[Model], list[str]],
        give_up: Callable[[Model, str], list[str]],
    ) -> Model | None:
        """Claim the row for one attempt, in its own committed transaction under the row lock.

        None when there is nothing to do: no such row, `may_start` says no (done, or another run holds it), or
        `max_attempts` were used up (then `give_up` marks it failed with the last error, or "the worker was lost").
        Otherwise the attempt is counted, `start` marks the row running, and the row is returned. `start` and
        `give_up` set fields and return their names; this saves them."""
        with transaction.atomic():
            _no_wait_for_disk()
            row = rows.select_for_update(of=("self",)).filter(pk=pk).first()
            if row is None or not may_start(row):
                return None
            if row.attempts >= max_attempts:
                row.save(update_fields=give_up(row, row.error or lost_workers_message(row.attempts)))
                return None
            row.attempts += 1
            row.save(update_fields=["attempts", *start(row)])
            return row


def status_of(rows: QuerySet, pk: int) -> str:
    """What a task answers: the row's status, never its data."""
    return rows.filter(pk=pk).values_list("status", flat=True).first() or "missing"


def stuck_since(seconds: int):
    """The cutoff before which a row still owed is presumed lost by the broker."""
    return timezone.now() - timedelta(seconds=seconds)


def _registered(name: str):
    """The task registered under `name`. The web process imports no `tasks` module of its own, so the first send
    asks Celery to import the apps' task modules (as a worker does at start). Sent through the registered task,
    not `send_task`, so in-process (eager) mode runs it at once."""
    app = current_app
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def _no_wait_for_disk() -> None:
    """PostgreSQL: this transaction's commit need not wait for the disk. Losing an attempt count in a database
    crash is harmless (the row is re-sent by the sweep); it saves a disk flush per attempt."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
