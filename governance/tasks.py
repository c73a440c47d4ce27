"""Beat tasks: thin, they call one action."""

from celery import shared_task

from . import actions


@shared_task
def list_retention_reviews_due() -> int:
    """Monthly: open reviews for closed records whose retention date has come (idempotent)."""
    return len(actions.list_reviews_due())
