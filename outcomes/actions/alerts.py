"""Risk answers: a notice to the allocated practitioner and the service's coordinators, and an email when email is
configured. Called by the measure actions inside their transaction; the email goes after commit."""

from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from accounts.models import Membership, Role, User
from notices.actions import raise_notice
from notices.models import NoticeKind

from ..models import Measure


def risk_recipients(measure: Measure) -> list[User]:
    """The allocated practitioner and every active coordinator of the service whose sites cover the family."""
    referral = measure.referral
    people: dict[int, User] = {}
    allocation = referral.active_allocation
    if allocation is not None:
        people[allocation.practitioner_id] = allocation.practitioner
    coordinators = (
        Membership.objects.active()
        .filter(service_id=referral.service_id, role=Role.COORDINATOR)
        .select_related("user")
        .prefetch_related("sites")
    )
    for membership in coordinators:
        sites = {site.pk for site in membership.sites.all()}
        if not sites or referral.site_id in sites:
            people.setdefault(membership.user_id, membership.user)
    return list(people.values())


def summary_for(measure: Measure) -> str:
    items = ", ".join(f"item {r['item']}" for r in measure.risk)
    # No instruction in the text: the pages say "act on it" while the notice is open and who handled it after.
    return f"Risk answer on {measure.definition.short_name} ({items}) for {measure.referral.reference}"


def raise_risk_alerts(measure: Measure) -> list:
    """One open notice per recipient for this measure (idempotent), and an email after commit."""
    summary = summary_for(measure)
    recipients = risk_recipients(measure)
    notices = [
        raise_notice(
            recipient=user,
            kind=NoticeKind.RISK_ANSWER,
            summary=summary,
            referral=measure.referral,
            obj=measure,
            urgent=True,
        )
        for user in recipients
    ]
    if getattr(settings, "EMAIL_CONFIGURED", False):
        addresses = sorted({u.email for u in recipients if u.email})
        if addresses:
            transaction.on_commit(
                partial(send_risk_email, reference=measure.referral.reference, summary=summary, addresses=addresses)
            )
    return notices


def send_risk_email(*, reference: str, summary: str, addresses: list[str]) -> None:
    """No identifiers beyond the referral reference: the details are in the app, behind the log-in."""
    send_mail(
        subject=f"Risk answer recorded: referral {reference}",
        message=(
            f"{summary}.\n\nA questionnaire answer for referral {reference} needs a risk response. Sign in to VIG "
            "Service to see it, and record the action you took when you acknowledge the notice."
        ),
        from_email=None,
        recipient_list=addresses,
        fail_silently=True,
    )
