"""Entered in error: the one action that marks any casework record as not to be relied on (core.entered_in_error).

Nothing is deleted. The record stays, with who marked it, when and why, in the family's history and on their
record page (struck through); every read that counts, limits or drafts leaves it out, so its place is freed.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction, User
from accounts.permissions import may_mark_entered_in_error, requires
from core.entered_in_error import REASON_MAX_LENGTH, EnteredInError
from core.refusals import ActionRefused
from core.text import check_text
from referrals.history import record_change

REASON_REQUIRED = "Enter why this record was entered in error"


def clean_reason(reason) -> str:
    """The reason is required, safe text and at most REASON_MAX_LENGTH characters: never cut, refused instead."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    check_text(reason, field="reason", label="The reason", max_length=REASON_MAX_LENGTH)
    return reason


@transaction.atomic
@requires(may_mark_entered_in_error, on="record")
def mark_entered_in_error(*, record: EnteredInError, reason: str, by: User, request=None) -> EnteredInError:
    """Mark `record` entered in error (a duplicate, the wrong family, a visit that never happened) with the reason.

    Its author or a coordinator of the service may (accounts.permissions.may_mark_entered_in_error); a record
    already marked is refused (409), as is one another record still rests on (a filming whose shared review is in
    force). Whatever the record did to others is undone (a supervision session's sign-offs), and each family's
    history gets the mark with the old and new state.
    """
    reason = clean_reason(reason)
    locked = type(record).objects.select_for_update().get(pk=record.pk)
    label = locked.error_label
    if locked.entered_in_error:
        raise ActionRefused(
            f"This {label} was already marked entered in error on "
            f"{timezone.localtime(locked.entered_in_error_at):%-d %B %Y at %H:%M}."
        )
    refusal = locked.entered_in_error_refusal()
    if refusal:
        raise ActionRefused(refusal)
    locked.entered_in_error_at, locked.entered_in_error_by, locked.entered_in_error_reason = timezone.now(), by, reason
    locked.save(update_fields=["entered_in_error_at", "entered_in_error_by", "entered_in_error_reason"])
    changes = {
        "status": ["in force", "entered in error"],
        "reason": [None, reason],
        **locked.undo_on_entered_in_error(),
    }
    _record(locked, by=by, changes=changes, request=request)
    return locked


def _record(record: EnteredInError, *, by: User, changes: dict, request) -> None:
    families = record.error_families()
    summary = f"{record.error_description()} – marked entered in error"
    for family in families:
        record_change(
            referral=family,
            by=by,
            kind="entered_in_error",
            summary=summary,
            changes=changes,
            request=request,
            obj=record,
            detail={"entered_in_error": record.error_type},
        )
    if not families:  # a record of no family (a supervision session that discussed no cycle): the access log only
        log_access(
            action=AccessAction.UPDATE,
            request=request,
            user=by,
            obj=record,
            detail={"entered_in_error": record.error_type},
        )
