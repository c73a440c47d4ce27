"""What /healthz reports: the database, the broker, the workers and the private files, as words a load balancer can
act on.

Nothing here names a host, a version or an error message: an outsider learns only "ok" or "down". The workers'
heartbeat is a key in Redis that every worker refreshes itself, from the moment it is ready
(`web.tasks.start_heartbeat`), whether or not beat runs; if it is older than WORKER_HEARTBEAT_STALE_SECONDS the
workers are "stale" (letters and reminders wait, pages work). The private files are "local" (a folder on this
machine) or the bucket's answer, "ok" or "down" (downloads and uploads fail, other pages work: degraded).
"""

import time

from django.conf import settings
from django.core import checks
from django.db import connection

from core.storage import object_storage_state

HEARTBEAT_KEY = "vig:worker-heartbeat"


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "down"; the reason is logged by the driver, not shown
        return False


def broker_state() -> str:
    """'ok', 'down', or 'not configured' (tasks run in-process)."""
    if not settings.REDIS_URL:
        return "not configured"
    try:
        return "ok" if _redis().ping() else "down"
    except Exception:  # noqa: BLE001
        return "down"


def worker_state() -> str:
    """'ok', 'stale' (no heartbeat lately), 'unknown' (broker down) or 'in-process'."""
    if not settings.REDIS_URL:
        return "in-process"
    try:
        beat = _redis().get(HEARTBEAT_KEY)
    except Exception:  # noqa: BLE001
        return "unknown"
    if beat is None or time.time() - float(beat) > settings.WORKER_HEARTBEAT_STALE_SECONDS:
        return "stale"
    return "ok"


def record_heartbeat() -> None:
    """Called by the worker (a beat task): the workers are alive and reach Redis."""
    if settings.REDIS_URL:
        _redis().set(HEARTBEAT_KEY, str(time.time()), ex=settings.WORKER_HEARTBEAT_STALE_SECONDS * 2)


def report() -> tuple[dict, int]:
    """The body and HTTP status of /healthz: 503 when the database or the broker is down, else 200."""
    found = {
        "database": "ok" if database_ok() else "down",
        "broker": broker_state(),
        "worker": worker_state(),
        "files": object_storage_state(),
    }
    down = found["database"] == "down" or found["broker"] == "down"
    degraded = found["worker"] in {"stale", "unknown"} or found["files"] == "down"
    status = "down" if down else "degraded" if degraded else "ok"
    return {"status": status, **found}, 503 if down else 200


@checks.register("object_storage", deploy=True)
def object_storage_answers(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`manage.py check --deploy` (the web container runs it before migrating): a configured bucket that does not
    answer stops the start, rather than every upload and download failing later."""
    if object_storage_state() != "down":
        return []
    return [
        checks.Error(
            "The object store named by OBJECT_STORAGE_BUCKET does not answer (or the bucket is missing, or the keys "
            "are refused).",
            hint="Check OBJECT_STORAGE_ENDPOINT_URL, the bucket's name and the access keys (README, Configuration).",
            id="vig.E001",
        )
    ]
