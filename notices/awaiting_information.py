"""Information a coordinator asked for and never received: a reminder on their home page, raised by a daily beat task.

A referral awaiting information stays in the triage queue with its wait, but nothing told the coordinator who asked
that the referrer never answered, so a family could wait for weeks behind an unanswered email (hazard R-07). After
the service's `remind_awaiting_after_days` (default 14, set on the notice settings page) the coordinator who asked
gets a notice, and the family's history says so. If they may no longer triage the family (they left, or now work at
other sites), every coordinator covering it is told instead. One reminder per request for information (its triage
decision): a second request, after the first was answered, reminds afresh; running the sweep twice, or two sweeps at
once, tells nobody twice (the referral's row is locked while its reminder is decided).
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.permissions import Perm, has_permission
from referrals.history import record_change
from referrals.models import Referral, TriageDecision, TriageDecisionKind
from referrals.states import ReferralStatus

from .actions import raise_notice
from .escalation import staff_covering, system_user
from .models import REMIND_AWAITING_DAYS_RANGE, Notice, NoticeKind, NoticeSettings
from .reads import settings_for

REQUEST_TYPE = TriageDecision._meta.label_lower


def _latest_requests(referral_ids: list[int]) -> dict[int, TriageDecision]:
    """Each referral's latest request for information (the one it is awaiting), in one query."""
    requests = (
        TriageDecision.objects.filter(referral_id__in=referral_ids, decision=TriageDecisionKind.REQUEST_INFORMATION)
        .select_related("decided_by")
        .order_by("referral_id", "-decided_at", "-pk")
    )
    latest: dict[int, TriageDecision] = {}
    for request in requests:
        latest.setdefault(request.referral_id, request)
    return latest


def reminders_due(today: date) -> list[tuple[Referral, TriageDecision, NoticeSettings]]:
    """Referrals awaiting information for at least their service's reminder days, with the request they await and
    the service's settings, oldest wait first."""
    earliest = today - timedelta(days=REMIND_AWAITING_DAYS_RANGE[0])
    awaiting = list(
        Referral.objects.filter(status=ReferralStatus.AWAITING_INFORMATION, awaiting_information_since__lte=earliest)
        .select_related("service")
        .order_by("awaiting_information_since", "pk")
    )
    requests = _latest_requests([r.pk for r in awaiting])
    policies: dict[int, NoticeSettings] = {}
    due = []
    for referral in awaiting:
        policy = policies.setdefault(referral.service_id, settings_for(referral.service))
        request = requests.get(referral.pk)
        waited = (today - referral.awaiting_information_since).days
        if request is not None and waited >= policy.remind_awaiting_after_days:
            due.append((referral, request, policy))
    return due


def reminder_recipients(referral: Referral, request: TriageDecision) -> list[User]:
    """The coordinator who asked, if they may still triage this family; otherwise every coordinator covering it."""
    asker = request.decided_by
    if asker.is_active and has_permission(asker, Perm.REFERRAL_TRIAGE, obj=referral):
        return [asker]
    return staff_covering(referral, [Role.COORDINATOR])


@transaction.atomic
def remind(*, referral_id: int, request: TriageDecision, today: date) -> bool:
    """Remind about one request for information, once. False if it was answered meanwhile or already reminded."""
    referral = Referral.objects.select_for_update().select_related("service", "site").get(pk=referral_id)
    if referral.status != ReferralStatus.AWAITING_INFORMATION or referral.awaiting_information_since is None:
        return False
    if Notice.objects.filter(
        kind=NoticeKind.AWAITING_INFORMATION, object_type=REQUEST_TYPE, object_id=str(request.pk)
    ).exists():
        return False
    asked_on = timezone.localtime(request.decided_at).date()
    waited = (today - referral.awaiting_information_since).days
    people = reminder_recipients(referral, request)
    summary = (
        f"{referral.reference}: information asked for on {asked_on:%-d %B %Y} has not arrived after {waited} days. "
        "Chase the referrer, or decide on what you have"
    )
    for person in people:
        raise_notice(
            recipient=person,
            kind=NoticeKind.AWAITING_INFORMATION,
            summary=summary,
            referral=referral,
            object_type=REQUEST_TYPE,
            object_id=str(request.pk),
        )
    record_change(
        referral=referral,
        by=system_user(),
        kind="awaiting_information_reminder",
        summary=f"Reminder: information asked for on {asked_on:%-d %B %Y} not received after {waited} days",
        changes={"reminded": [None, ", ".join(str(p) for p in people) or "nobody"]},
        obj=request,
    )
    return True


def remind_awaiting_information(*, today: date | None = None) -> int:
    """Remind the coordinators of every request for information past its service's days; returns how many
    reminders this run sent. Safe to run as often and as concurrently as beat likes."""
    today = today or timezone.localdate()
    return sum(
        remind(referral_id=referral.pk, request=request, today=today) for referral, request, _ in reminders_due(today)
    )
