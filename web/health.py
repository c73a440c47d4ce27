"""What /healthz reports: the database, the broker and the workers, as words a load balancer can act on.

Nothing here names a host, a version or an error message: an outsider learns only "ok" or "down". The worker's
heartbeat is a key in Redis that a beat task refreshes every minute (`web.tasks.worker_heartbeat`); if it
is older than WORKER_HEARTBEAT_STALE_SECONDS the workers are "stale" (letters and reminders wait, pages work).
"""

import time

from django.conf import settings
from django.db import connection

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
    checks = {"database": "ok" if database_ok() else "down", "broker": broker_state(), "worker": worker_state()}
    down = checks["database"] == "down" or checks["broker"] == "down"
    degraded = checks["worker"] in {"stale", "unknown"}
    status = "down" if down else "degraded" if degraded else "ok"
    return {"status": status, **checks}, 503 if down else 200
