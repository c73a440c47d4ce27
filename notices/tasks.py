"""Beat tasks of the notices app. Thin: each calls one function."""

from celery import shared_task

from . import awaiting_information, escalation


@shared_task
def escalate_risk_notices() -> int:
    """Every few minutes: escalate the risk answers nobody acted on within their service's working hours."""
    return escalation.escalate_overdue_risk_notices()


@shared_task
def remind_awaiting_information() -> int:
    """Every morning: remind coordinators of information they asked for that has not arrived."""
    return awaiting_information.remind_awaiting_information()
