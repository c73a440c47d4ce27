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
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import Role, User
from accounts.permissions import Perm, has_permission
from referrals.history import record_change
from referrals.models import Referral, TriageDecision, TriageDecisionKind
from referrals.states import ReferralStatus

from .actions import raise_notice
from .escalation import staff_covering, system_user
from .models import DEFAULT_REMIND_AWAITING_AFTER_DAYS as DEFAULT_DAYS
from .models import REMIND_AWAITING_DAYS_RANGE, Notice, NoticeKind, NoticeSettings

REQUEST_TYPE = TriageDecision._meta.label_lower


def reminders_due(today: date) -> list[tuple[int, int]]:
    """(referral id, id of the request it awaits) for each referral awaiting information for at least its service's
    reminder days and not yet reminded about that request, oldest wait first.

    One statement reads the requests of the referrals awaiting information as narrow rows, each with whether a
    reminder about it exists (through the notices' `notice_about_record` index), and one more the services' days:
    the daily cost follows the referrals awaiting information now, not the years of requests and reminders."""
    earliest = today - timedelta(days=REMIND_AWAITING_DAYS_RANGE[0])
    reminders = Notice.objects.filter(
        kind=NoticeKind.AWAITING_INFORMATION,
        object_type=REQUEST_TYPE,
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
    )
    rows = (
        TriageDecision.objects.filter(
            decision=TriageDecisionKind.REQUEST_INFORMATION,
            referral__status=ReferralStatus.AWAITING_INFORMATION,
            referral__awaiting_information_since__lte=earliest,
        )
        .annotate(reminded=Exists(reminders))
        # Each referral's requests together, its latest (the one it awaits) first.
        .order_by("referral__awaiting_information_since", "referral_id", "-decided_at", "-pk")
        .values_list("referral_id", "pk", "reminded", "referral__service_id", "referral__awaiting_information_since")
    )
    latest: dict[int, tuple] = {}
    for referral_id, *rest in rows:
        latest.setdefault(referral_id, tuple(rest))
    services = {service_id for _, _, service_id, _ in latest.values()}
    days = dict(
        NoticeSettings.objects.filter(service_id__in=services).values_list("service_id", "remind_awaiting_after_days")
    )
    return [
        (referral_id, request_id)
        for referral_id, (request_id, reminded, service_id, since) in latest.items()
        if not reminded and (today - since).days >= days.get(service_id, DEFAULT_DAYS)
    ]


def reminder_recipients(referral: Referral, request: TriageDecision) -> list[User]:
    """The coordinator who asked, if they may still triage this family; otherwise every coordinator covering it;
    if the service has no coordinator left, its managers, so a reminder always reaches someone."""
    asker = request.decided_by
    if asker.is_active and has_permission(asker, Perm.REFERRAL_TRIAGE, obj=referral):
        return [asker]
    return staff_covering(referral, [Role.COORDINATOR]) or staff_covering(referral, [Role.MANAGER])


@transaction.atomic
def remind(*, referral_id: int, request_id: int, today: date) -> bool:
    """Remind about one request for information, once. False if it was answered (or asked again) meanwhile, or
    another run reminded about it first."""
    referral = Referral.objects.select_for_update().select_related("service", "site").get(pk=referral_id)
    if referral.status != ReferralStatus.AWAITING_INFORMATION or referral.awaiting_information_since is None:
        return False
    requests = TriageDecision.objects.filter(referral=referral, decision=TriageDecisionKind.REQUEST_INFORMATION)
    request = requests.select_related("decided_by").order_by("-decided_at", "-pk").first()
    if request is None or request.pk != request_id:
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
        remind(referral_id=referral_id, request_id=request_id, today=today)
        for referral_id, request_id in reminders_due(today)
    )
