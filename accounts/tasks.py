"""Beat tasks for accounts: thin, each calls one function."""

from celery import shared_task

from . import partitions


@shared_task
def ensure_access_log_partitions() -> list[str]:
    """Daily: create the access log's coming months ahead, so no row waits in the default partition (ADR 0023)."""
    return partitions.ensure_partitions()
