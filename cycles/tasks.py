"""Cycles' background work. Thin: each task calls one function."""

from celery import shared_task

from . import actions


@shared_task
def flag_overdue_footage() -> int:
    """Daily: a notice to the practitioner and coordinators for each footage past its destruction date."""
    return actions.raise_overdue_footage_notices()
