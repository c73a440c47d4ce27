"""Celery signals: the request id travels with each task, task logs say which task, and every outcome is counted.

- `before_task_publish` (in the process that sends): the current request id goes into the message's headers.
- `task_prerun` (in the worker): the header becomes the task's log context, with the task's name and id.
- `task_postrun`: the run's outcome is counted (`web.metrics`), and the context is put back as it was.

A task run in-process (no broker) is not published: it runs inside the request, so it keeps the request's id.
Connected on import by `vig_service/celery.py`, which both web and worker processes load.
"""

from celery.signals import before_task_publish, task_postrun, task_prerun

from core import logs

HEADER = "vig_request_id"
_restore: dict[str, list] = {}


@before_task_publish.connect
def add_request_id(headers=None, **kwargs):
    """Send the request id with the task (ids only: never anything about a family)."""
    request_id = logs.request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(HEADER, request_id)


@task_prerun.connect
def enter_task(task_id=None, task=None, **kwargs):
    """Log lines in the task carry the sender's request id (or keep the in-process request's) and the task."""
    tokens = [(logs.task_var, logs.task_var.set((task.name, task_id)))]
    sent = logs.well_formed_request_id(_header(task))
    if sent:
        tokens.append((logs.request_id_var, logs.request_id_var.set(sent)))
    _restore[task_id] = tokens


@task_postrun.connect
def leave_task(task_id=None, task=None, state=None, **kwargs):
    """Count the outcome; put the log context back as it was before the task."""
    from web import metrics  # imports models: not before Django is set up

    metrics.record_task_outcome(task=task.name, outcome=(state or "unknown").lower())
    for var, token in reversed(_restore.pop(task_id, [])):
        try:
            var.reset(token)
        except ValueError:
            var.set(None)  # a token from another context (the worker's pool moved the task): just clear it


def _header(task) -> str | None:
    request = getattr(task, "request", None)
    value = getattr(request, HEADER, None)
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(HEADER)
    return value
