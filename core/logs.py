"""Logs as JSON lines, each carrying the request id that follows the work from a web request into its tasks.

One object per line: `time`, `level`, `logger`, `message`, `request_id`, `user_id`, `route` (a route name such as
`referrals:detail`, never a URL with ids or a query string), and `task` / `task_id` in a Celery task. An exception
adds `exc_type` and `stack` (file, line and function of each frame) but **not the exception's message**: database
errors quote the row's values (a duplicate NHS number, a name), so the message is left out; the request id finds
the request, and the stack finds the code.

The context lives in context variables that `web.middleware.RequestContextMiddleware` sets for a request and the
Celery signals (`web.tasks_context`) set for a task from the headers its sender added.
"""

import json
import logging
import re
import traceback
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str | None] = ContextVar("vig_request_id", default=None)
user_id_var: ContextVar[int | None] = ContextVar("vig_user_id", default=None)
route_var: ContextVar[str | None] = ContextVar("vig_route", default=None)
task_var: ContextVar[tuple[str, str] | None] = ContextVar("vig_task", default=None)

# What we accept from a caller's X-Request-ID: a short token of letters, digits and - _ . : (a UUID fits). Anything
# else (too long, spaces, line breaks that would forge a log line, text that could be someone's name) is replaced.
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")
_HAS_DIGIT = re.compile(r"\d")
PATH_LEFT_OUT = "(path left out: see route)"


def well_formed_request_id(value: str | None) -> str | None:
    """The caller's request id if it is one we may repeat in logs and headers, else None.

    It must hold a digit, so a plain word (or a family's name run together) is never taken as an id."""
    if value and _WELL_FORMED.fullmatch(value) and _HAS_DIGIT.search(value):
        return value
    return None


def new_request_id() -> str:
    """A fresh request id: random, so it says nothing about who or what."""
    return uuid.uuid4().hex


def _message(record: logging.LogRecord) -> str:
    """The record's message; Celery's task failure and retry lines quote the exception, which is left out."""
    if record.name == "celery.app.trace" and isinstance(record.args, dict) and "exc" in record.args:
        kind = str(record.args["exc"]).split("(", 1)[0].split(":", 1)[0][:100]
        return str(record.msg) % {**record.args, "exc": f"{kind} (message left out)"}
    request = getattr(record, "request", None)
    if (record.name or "").startswith("django.") and request is not None and isinstance(record.args, tuple):
        # "Not Found: /path", "Forbidden (CSRF ...): /path": the path left out (a typed URL can hold anything)
        path = getattr(request, "path", None)
        quoted = {path, path.encode("unicode_escape").decode("ascii")} if isinstance(path, str) else set()
        return str(record.msg) % tuple(PATH_LEFT_OUT if arg in quoted else arg for arg in record.args)
    return record.getMessage()


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line, with the request's context and no exception message (see the module)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": _message(record),
            "request_id": request_id_var.get(),
            "user_id": user_id_var.get(),
            "route": route_var.get(),
        }
        task = task_var.get()
        if task:
            entry["task"], entry["task_id"] = task
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, exc, tb = record.exc_info
            entry["exc_type"] = f"{exc_type.__module__}.{exc_type.__qualname__}"
            entry["stack"] = [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)]
            cause = exc.__cause__ or exc.__context__ if exc is not None else None
            if cause is not None:
                entry["exc_cause"] = f"{type(cause).__module__}.{type(cause).__qualname__}"
        return json.dumps(entry, ensure_ascii=False, default=str)
