"""Raising and acknowledging notices, and a service's notice settings. Keyword-only, one transaction;
acknowledgement goes into the family's history, a settings change into the settings' own history."""

from datetime import time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction, User
from accounts.permissions import Perm, requires
from core.refusals import ActionRefused
from core.text import check_text, check_text_fields
from referrals.history import record_change
from referrals.models import Referral

from .models import (
    DEFAULT_REMIND_AWAITING_AFTER_DAYS,
    REMIND_AWAITING_DAYS_RANGE,
    Notice,
    NoticeSettings,
    NoticeSettingsChange,
)
from .reads import handled_together, settings_for
from .rules import is_recipient


@transaction.atomic
def raise_notice(
    *,
    recipient: User,
    kind: str,
    summary: str,
    referral: Referral | None = None,
    obj=None,
    urgent: bool = False,
    object_type: str = "",
    object_id: str = "",
) -> Notice:
    """Put a notice on someone's home page, once: an open notice of the same kind about the same record is kept.

    Called by actions and beat tasks (no acting user: the system raises it). Idempotent, so a sweep can run twice.
    The record is `obj`, or named by `object_type` and `object_id` when only those are known (an escalation).
    """
    if obj is not None:
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
    existing = Notice.objects.open().filter(
        recipient=recipient, kind=kind, object_type=object_type, object_id=object_id
    )
    found = existing.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Notice.objects.create(
                recipient=recipient,
                kind=kind,
                summary=summary[:300],
                referral=referral,
                object_type=object_type,
                object_id=object_id,
                urgent=urgent,
            )
    except IntegrityError:  # raised at the same moment by another process
        return existing.get()


def _lock_group(notice: Notice) -> list[Notice]:
    """Lock this notice and the open ones handled with it, in one statement and in id order, so two recipients
    acting at once cannot deadlock. The first look waits for anyone working on the group (an escalation sweep adding
    notices); the second sees what they committed meanwhile, so an escalation raised at that moment closes too."""
    group = Notice.objects.select_for_update().filter(
        Q(pk=notice.pk) | Q(pk__in=handled_together(notice).open().values("pk"))
    )
    list(group.order_by("pk"))
    return list(group.order_by("pk"))


@transaction.atomic
@requires(is_recipient, on="notice")
def acknowledge_notice(*, notice: Notice, action_taken: str, by: User, request=None) -> Notice:
    """Close a notice: who, when, and what was done about it. Only its recipient may.

    The action is recorded once for everyone the notice went to: every open notice of the kinds handled together
    about the same record (the practitioner's and the coordinators' notices of a risk answer, and its escalations)
    closes with the same who, when and action, so nobody is left told to act on something already done.
    """
    group = _lock_group(notice)
    notice = next(n for n in group if n.pk == notice.pk)
    if not notice.is_open:
        raise ActionRefused(f"This notice was already acknowledged: {handled_text(notice)}.")
    action_taken = action_taken.strip()
    if not action_taken:
        raise ValidationError({"action_taken": "Enter what you did about it"})
    check_text(action_taken, field="action_taken", label="Action taken")
    now = timezone.now()
    closing = [n for n in group if n.is_open]
    Notice.objects.filter(pk__in=[n.pk for n in closing]).update(
        acknowledged_at=now, acknowledged_by=by, action_taken=action_taken
    )
    notice.refresh_from_db()
    others = sorted(
        {str(n.recipient) for n in Notice.objects.filter(pk__in=[n.pk for n in closing]).select_related("recipient")}
        - {str(by)}
    )
    if notice.referral_id:
        record_change(
            referral=notice.referral,
            by=by,
            kind="notice_acknowledged",
            summary=f"Notice acknowledged: {notice.get_kind_display()}",
            changes={
                "action taken": [None, action_taken],
                **({"also closed for": [None, ", ".join(others)]} if others else {}),
            },
            request=request,
            obj=notice,
        )
    else:
        log_access(action=AccessAction.UPDATE, request=request, user=by, obj=notice)
    return notice


def handled_text(notice: Notice) -> str:
    """Who handled a notice, when and what they did, in words, for refusals: "handled by Sam Jones on …"."""
    when = timezone.localtime(notice.acknowledged_at)
    return f"handled by {notice.acknowledged_by} on {when:%-d %b %Y} at {when:%H:%M}: {notice.action_taken}"


# The settings a service admin sets, with the words their history shows.
SETTINGS_LABELS = {
    "escalate_after_hours": "working hours before escalation",
    "working_day_starts": "working day starts",
    "working_day_ends": "working day ends",
    "tell_coordinators": "tell coordinators",
    "tell_managers": "tell managers",
    "duty_contact": "duty contact",
    "remind_awaiting_after_days": "days before a reminder about information not received",
}
SETTINGS_FIELDS = tuple(SETTINGS_LABELS)


def _shown(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value.strftime("%H:%M") if isinstance(value, time) else value


@transaction.atomic
@requires(Perm.NOTICE_SETTINGS_MANAGE, on=lambda kwargs: settings_for(kwargs["service"]))
def save_notice_settings(
    *,
    service,
    escalate_after_hours: int,
    working_day_starts: time,
    working_day_ends: time,
    tell_coordinators: bool,
    tell_managers: bool,
    duty_contact: str = "",
    remind_awaiting_after_days: int = DEFAULT_REMIND_AWAITING_AFTER_DAYS,
    by: User,
    request=None,
) -> NoticeSettings:
    """Set when a risk answer nobody acted on escalates and who is told, and when a coordinator is reminded of
    information not received; each change kept with who and when, so a missed escalation or reminder can be traced
    to the setting in force."""
    found = settings_for(service)
    if found.pk:
        found = NoticeSettings.objects.select_for_update().get(pk=found.pk)
    before = {f: _shown(getattr(found, f)) for f in SETTINGS_FIELDS}
    values = {
        "escalate_after_hours": escalate_after_hours,
        "working_day_starts": working_day_starts,
        "working_day_ends": working_day_ends,
        "tell_coordinators": tell_coordinators,
        "tell_managers": tell_managers,
        "duty_contact": duty_contact.strip(),
        "remind_awaiting_after_days": remind_awaiting_after_days,
    }
    for field, value in values.items():
        setattr(found, field, value)
    errors = {}
    if not 1 <= escalate_after_hours <= 40:
        errors["escalate_after_hours"] = "Enter a number of working hours from 1 to 40"
    low, high = REMIND_AWAITING_DAYS_RANGE
    if not low <= remind_awaiting_after_days <= high:
        errors["remind_awaiting_after_days"] = f"Enter a number of days from {low} to {high}"
    if working_day_starts >= working_day_ends:
        errors["working_day_ends"] = "The working day must end after it starts"
    if not (tell_coordinators or tell_managers):
        errors["tell_coordinators"] = "Choose who is told: coordinators, managers or both"
    if errors:
        raise ValidationError(errors)
    check_text_fields(found)
    changed = [f for f in SETTINGS_FIELDS if before[f] != _shown(values[f])]
    changes = {SETTINGS_LABELS[f]: [before[f], _shown(values[f])] for f in changed}
    if not changes and found.pk:
        return found
    found.updated_at, found.updated_by = timezone.now(), by
    found.save()
    NoticeSettingsChange.objects.create(service=service, changed_by=by, changed_at=found.updated_at, changes=changes)
    log_access(action=AccessAction.UPDATE, request=request, user=by, obj=found, detail={"fields": changed})
    return found
