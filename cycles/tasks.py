"""Beat tasks of the cycles app. Thin: each calls one function."""

from celery import shared_task

from . import actions, overdue


@shared_task
def raise_overdue_visit_notices() -> int:
    """Daily: a notice to the practitioner for each visit more than a day past its time and not recorded."""
    return overdue.raise_overdue_visit_notices()


@shared_task
def flag_overdue_footage() -> int:
    """Daily: a notice to the practitioner and coordinators for each footage past its destruction date."""
    return actions.raise_overdue_footage_notices()
