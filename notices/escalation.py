"""Risk answers nobody acted on: escalated to the service's coordinators and managers by a beat task.

A risk answer (EPDS item 10, PHQ-9 item 9, CORE-10 item 6) raises an urgent notice to the practitioner and the
coordinators. If nobody records the action within the working hours the service sets (default four, 09:00 to 17:00
Monday to Friday, UK time) the practitioner may be off sick and the coordinator on leave: the sweep then tells every
coordinator and manager covering the family (a `risk_escalated` notice each, red at the top of their home page and
the dashboard), and writes it in the family's history. It happens once per risk answer: `escalated_at` is set on the
answer's notices under a row lock, and escalation notices are one open per person and record (a constraint).
Recording the action on any of the notices closes them all (`acknowledge_notice`), which clears the red warning.
"""

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role, User
from referrals.history import record_change

from .actions import raise_notice
from .models import Notice, NoticeKind, NoticeSettings
from .reads import escalation_due_at, settings_for

SYSTEM_USERNAME = "vig-service-automatic"
SHORTEST_ESCALATION = timedelta(hours=1)  # no service escalates sooner, so older notices are the only candidates


def system_user() -> User:
    """The account the family's history names for what the service did by itself. It cannot sign in."""
    user, made = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"first_name": "VIG Service", "last_name": "(automatic)", "is_active": False}
    )
    if made:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def escalation_recipients(referral, policy: NoticeSettings) -> list[User]:
    """The active coordinators and managers (as the policy says) whose sites cover the family's site; if none
    covers it, every one of them in the service, so an escalation always reaches someone."""
    roles = [
        role for role, on in ((Role.COORDINATOR, policy.tell_coordinators), (Role.MANAGER, policy.tell_managers)) if on
    ]
    return staff_covering(referral, roles)


def staff_covering(referral, roles: list[str]) -> list[User]:
    """The active staff in these roles whose sites cover the family's site; if none covers it, every one of them in
    the service, so what is sent always reaches someone."""
    memberships = (
        Membership.objects.active()
        .filter(service_id=referral.service_id, role__in=roles, user__is_active=True)
        .select_related("user")
        .prefetch_related("sites")
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    everyone: dict[int, User] = {}
    covering: dict[int, User] = {}
    for membership in memberships:
        everyone.setdefault(membership.user_id, membership.user)
        sites = {site.pk for site in membership.sites.all()}
        if not sites or referral.site_id in sites:
            covering.setdefault(membership.user_id, membership.user)
    return list((covering or everyone).values())


def base_summary(summary: str) -> str:
    """The risk notice's summary without the instruction at its end (older notices said ": act on it")."""
    return summary.removesuffix(": act on it").rstrip(". ")


@transaction.atomic
def escalate_risk_answer(*, first: Notice, policy: NoticeSettings, now: datetime) -> bool:
    """Escalate one risk answer (all its notices), once. False when another run did it, or someone acted first."""
    waiting = Notice.objects.filter(
        kind=NoticeKind.RISK_ANSWER,
        object_type=first.object_type,
        object_id=first.object_id,
        acknowledged_at__isnull=True,
        escalated_at__isnull=True,
    )
    locked = [n.pk for n in waiting.select_for_update(skip_locked=True).order_by("pk")]
    if not locked or not Notice.objects.filter(pk__in=locked, escalated_at__isnull=True).update(escalated_at=now):
        return False
    earlier = Notice.objects.filter(
        kind=NoticeKind.RISK_ANSWER, object_type=first.object_type, object_id=first.object_id, escalated_at__lt=now
    )
    if earlier.exists():  # a notice added after the escalation: mark it, tell nobody again
        return False
    referral = first.referral
    people = escalation_recipients(referral, policy)
    hours = policy.escalate_after_hours
    summary = (
        f"{base_summary(first.summary)}: nobody recorded the action within {hours} working hour{'s' * (hours != 1)}"
    )[:300]
    for person in people:
        raise_notice(
            recipient=person,
            kind=NoticeKind.RISK_ESCALATED,
            summary=summary,
            referral=referral,
            object_type=first.object_type,
            object_id=first.object_id,
            urgent=True,
        )
    record_change(
        referral=referral,
        by=system_user(),
        kind="risk_notice_escalated",
        summary=f"Risk answer not acted on within {hours} working hours: escalated",
        changes={"escalated to": [None, ", ".join(str(p) for p in people) or "nobody"]},
        obj=first,
    )
    addresses = sorted({p.email for p in people if p.email})
    if getattr(settings, "EMAIL_CONFIGURED", False) and addresses:
        transaction.on_commit(partial(send_escalation_email, reference=referral.reference, addresses=addresses))
    return True


def escalate_overdue_risk_notices(*, now: datetime | None = None) -> int:
    """Escalate every risk answer whose notices nobody acted on within its service's working hours; returns how
    many were escalated by this run. Safe to run as often and as concurrently as beat likes."""
    now = now or timezone.now()
    waiting = (
        Notice.objects.open()
        .filter(kind=NoticeKind.RISK_ANSWER, escalated_at__isnull=True, referral__isnull=False)
        .exclude(object_id="")
        .filter(created_at__lte=now - SHORTEST_ESCALATION)
        .select_related("referral__service")
        .order_by("created_at", "pk")
    )
    firsts: dict[tuple[str, str], Notice] = {}
    for notice in waiting:
        firsts.setdefault((notice.object_type, notice.object_id), notice)
    policies: dict[int, NoticeSettings] = {}
    escalated = 0
    for first in firsts.values():
        service = first.referral.service
        policy = policies.setdefault(service.pk, settings_for(service))
        if escalation_due_at(first.created_at, policy) <= now:
            escalated += escalate_risk_answer(first=first, policy=policy, now=now)
    return escalated


def send_escalation_email(*, reference: str, addresses: list[str]) -> None:
    """No identifiers beyond the referral reference: the details are in the app, behind the log-in."""
    send_mail(
        subject=f"Risk answer not acted on: referral {reference}",
        message=(
            f"A risk answer on a questionnaire for referral {reference} has waited longer than the service allows "
            "without anyone recording the action taken. Sign in to VIG Service, act on it, and record what you did."
        ),
        from_email=None,
        recipient_list=addresses,
        fail_silently=True,
    )
