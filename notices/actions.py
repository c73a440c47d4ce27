"""Raising and acknowledging notices. Keyword-only, one transaction; acknowledgement goes into the family's history."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction, User
from accounts.permissions import requires
from core.refusals import ActionRefused
from core.text import check_text
from referrals.history import record_change
from referrals.models import Referral

from .models import Notice
from .rules import is_recipient


@transaction.atomic
def raise_notice(
    *, recipient: User, kind: str, summary: str, referral: Referral | None = None, obj=None, urgent: bool = False
) -> Notice:
    """Put a notice on someone's home page, once: an open notice of the same kind about the same record is kept.

    Called by actions and beat tasks (no acting user: the system raises it). Idempotent, so a sweep can run twice.
    """
    object_type = obj._meta.label_lower if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
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


@transaction.atomic
@requires(is_recipient, on="notice")
def acknowledge_notice(*, notice: Notice, action_taken: str, by: User, request=None) -> Notice:
    """Close a notice: who, when, and what was done about it. Only its recipient may."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not notice.is_open:
        raise ActionRefused("This notice was already acknowledged.")
    action_taken = action_taken.strip()
    if not action_taken:
        raise ValidationError({"action_taken": "Enter what you did about it"})
    check_text(action_taken, field="action_taken", label="Action taken")
    notice.acknowledged_at, notice.acknowledged_by, notice.action_taken = timezone.now(), by, action_taken
    notice.save(update_fields=["acknowledged_at", "acknowledged_by", "action_taken"])
    if notice.referral_id:
        record_change(
            referral=notice.referral,
            by=by,
            kind="notice_acknowledged",
            summary=f"Notice acknowledged: {notice.get_kind_display()}",
            changes={"action taken": [None, action_taken]},
            request=request,
            obj=notice,
        )
    else:
        log_access(action=AccessAction.UPDATE, request=request, user=by, obj=notice)
    return notice
