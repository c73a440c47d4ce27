"""Marking one of a discharge's requested actions entered in error: the item stays, with who, when and why, and
leaves the letters drafted from then on (issue 18: nothing is deleted, everything can be corrected)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import may_mark_entered_in_error
from core.refusals import ActionRefused
from referrals.actions.entered_in_error import clean_reason
from referrals.history import record_change

from ..models import Discharge, RequestedAction


@transaction.atomic
def mark_requested_action_entered_in_error(
    *, discharge: Discharge, number: int, reason: str, by: User, request=None
) -> Discharge:
    """Mark requested action `number` (from 1) of the discharge entered in error, with the reason.

    Who discharged the family or a coordinator of the service may (403 otherwise); an unknown number is a field
    error; a second mark is refused (409).
    """
    locked = Discharge.objects.select_for_update().select_related("referral").get(pk=discharge.pk)
    if not isinstance(number, int) or not 1 <= number <= len(locked.requested_actions):
        raise ValidationError({"number": "Choose one of the discharge's requested actions"})
    action = RequestedAction(locked, number)
    if not may_mark_entered_in_error(by, action):
        raise PermissionDenied
    reason = clean_reason(reason)
    if action.entered_in_error:
        raise ActionRefused(f"Requested action {number} was already marked entered in error.")
    action.item.update(
        entered_in_error=True,
        entered_in_error_reason=reason,
        entered_in_error_by=by.pk,
        entered_in_error_at=timezone.now().isoformat(),
    )
    locked.save(update_fields=["requested_actions"])
    record_change(
        referral=locked.referral,
        by=by,
        kind="entered_in_error",
        summary=f"{action.error_description()} – marked entered in error",
        changes={"status": ["in force", "entered in error"], "reason": [None, reason]},
        request=request,
        obj=locked,
        detail={"entered_in_error": action.error_type, "number": number},
    )
    return locked
