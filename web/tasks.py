"""Housekeeping tasks. Thin: each calls one function."""

from celery import shared_task
from django.utils import timezone
from knox.models import AuthToken


@shared_task
def purge_expired_api_tokens() -> int:
    """Expired API tokens are useless and still a liability; beat removes them every hour."""
    deleted, _ = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted


@shared_task(ignore_result=True)
def worker_heartbeat() -> None:
    """Beat sends this every minute; a worker running it proves to /healthz that the workers are alive."""
    from web.health import record_heartbeat

    record_heartbeat()


@shared_task
def purge_used_submissions() -> int:
    """Used form tokens and Idempotency-Keys guard nothing once their tokens have expired; beat removes them
    every hour (web.submissions)."""
    from web.submissions import purge_used

    return purge_used()
