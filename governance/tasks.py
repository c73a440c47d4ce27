"""Beat tasks: thin, they call one action."""

from celery import shared_task

from . import actions


@shared_task
def list_retention_reviews_due() -> int:
    """Monthly: open reviews for closed records whose retention date has come (idempotent)."""
    return len(actions.list_reviews_due())


@shared_task
def drop_expired_access_log_partitions() -> list[str]:
    """Monthly: drop the access log's months older than ACCESS_LOG_RETENTION_MONTHS, whole (ADR 0023)."""
    return [record.partition for record in actions.drop_expired_access_log_partitions()]
