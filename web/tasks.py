"""Housekeeping tasks, and each worker's own heartbeat. Thin: each calls one function."""

import logging
import threading

from celery import shared_task
from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.utils import timezone
from knox.models import AuthToken

logger = logging.getLogger(__name__)
_stop_heartbeat = threading.Event()


@shared_task
def purge_expired_api_tokens() -> int:
    """Expired API tokens are useless and still a liability; beat removes them every hour."""
    deleted, _ = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted


@shared_task(ignore_result=True)
def worker_heartbeat() -> None:
    """Beat sends this every minute; a worker running it proves to /healthz that tasks run, not just that a worker
    process is up (each worker also sends its own heartbeat: `start_heartbeat`)."""
    from web.health import record_heartbeat

    record_heartbeat()


def _beat_until_stopped(interval: float) -> None:
    from web.health import record_heartbeat

    while True:
        try:
            record_heartbeat()
        except Exception:  # noqa: BLE001 - Redis away for a moment: /healthz says "stale" until it is back
            logger.warning("Worker heartbeat not recorded (Redis did not answer)")
        if _stop_heartbeat.wait(interval):
            return


@worker_ready.connect
def start_heartbeat(**kwargs) -> threading.Thread | None:
    """Each worker speaks for itself: from the moment it is ready it records a heartbeat every
    WORKER_HEARTBEAT_INTERVAL_SECONDS, so /healthz is honest whether or not beat runs. A thread of the worker's main
    process, stopped when the worker shuts down."""
    if not settings.REDIS_URL:
        return None
    _stop_heartbeat.clear()
    thread = threading.Thread(
        target=_beat_until_stopped,
        args=(settings.WORKER_HEARTBEAT_INTERVAL_SECONDS,),
        name="vig-worker-heartbeat",
        daemon=True,
    )
    thread.start()
    return thread


@worker_shutdown.connect
def stop_heartbeat(**kwargs) -> None:
    """A worker shutting down stops speaking; /healthz calls the workers stale once no other worker speaks."""
    _stop_heartbeat.set()
