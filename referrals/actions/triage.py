"""Triage decisions, information received, and withdrawal."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Perm, requires
from core.text import check_text, check_text_fields

from ..history import added, record_change
from ..models import Referral, TriageDecision, TriageDecisionKind
from ..states import check_transition
from .common import lock_referral

# The timeline says what happened, in the past tense; the choices' labels are instructions ("Accept onto ...").
DECISION_SUMMARIES = {
    TriageDecisionKind.ACCEPT: "Accepted onto the waiting list",
    TriageDecisionKind.DECLINE: "Declined",
    TriageDecisionKind.REQUEST_INFORMATION: "More information requested",
}


def return_to_queue(referral: Referral, *, by: User, note: str, request=None) -> Referral:
    """Awaiting information → received, keeping the days spent waiting for it. Called inside an action."""
    referral.status = check_transition(referral.status, "information_received")
    referral.days_awaiting_information = referral.total_days_awaiting_information()
    referral.awaiting_information_since = None
    referral.save(update_fields=["status", "days_awaiting_information", "awaiting_information_since", "updated_at"])
    record_change(
        referral=referral,
        by=by,
        kind="information_received",
        summary="Information received: back in the triage queue",
        changes={"note": [None, note]},
        request=request,
    )
    return referral


@transaction.atomic
@requires(Perm.REFERRAL_TRIAGE, on="referral")
def record_information_received(*, referral: Referral, note: str, by: User, request=None) -> Referral:
    """The missing information arrived (by phone, say) without other changes: back to the queue."""
    referral = lock_referral(referral)
    check_text(note, field="note", label="What was received")
    return return_to_queue(referral, by=by, note=note, request=request)


def _check_reasons(referral: Referral, decision: str, reason: str, missing_information: str, override: str) -> None:
    if decision == TriageDecisionKind.DECLINE and not reason:
        raise ValidationError({"reason": "Enter why the referral is declined"})
    if decision == TriageDecisionKind.REQUEST_INFORMATION and not missing_information:
        raise ValidationError({"missing_information": "Enter what information is missing"})
    if decision == TriageDecisionKind.ACCEPT and referral.eligible is False and not override:
        raise ValidationError(
            {"override_reason": "This referral does not meet the service's criteria: enter why you accept it"}
        )


@transaction.atomic
@requires(Perm.REFERRAL_TRIAGE, on="referral")
def triage_referral(
    *,
    referral: Referral,
    decision: str,
    by: User,
    reason: str = "",
    missing_information: str = "",
    override_reason: str = "",
    request=None,
) -> TriageDecision:
    """Accept onto the waiting list, decline with a reason, or ask for what is missing.

    Accepting a referral the rules found ineligible needs a written override reason.
    """
    referral = lock_referral(referral)
    new_status = check_transition(referral.status, decision)
    reason, missing_information, override_reason = reason.strip(), missing_information.strip(), override_reason.strip()
    _check_reasons(referral, decision, reason, missing_information, override_reason)
    triage = TriageDecision(
        referral=referral,
        decision=decision,
        reason=reason,
        missing_information=missing_information,
        override_reason=override_reason if decision == TriageDecisionKind.ACCEPT else "",
        eligible_when_decided=referral.eligible,
        decided_by=by,
    )
    check_text_fields(triage)
    triage.save()
    now = timezone.now()
    referral.status = new_status
    referral.triaged_at = referral.triaged_at or now
    if decision == TriageDecisionKind.REQUEST_INFORMATION:
        referral.awaiting_information_since = timezone.localdate()
    if decision == TriageDecisionKind.DECLINE:
        referral.closed_at, referral.closed_reason = now, reason
    referral.save()
    details = {"reason": reason, "missing information": missing_information, "override reason": override_reason}
    record_change(
        referral=referral,
        by=by,
        kind=f"triage_{decision}",
        summary=DECISION_SUMMARIES[decision],
        changes=added(details),
        request=request,
        detail={"triage": decision},
    )
    return triage


@transaction.atomic
@requires(Perm.REFERRAL_WITHDRAW, on="referral")
def withdraw_referral(*, referral: Referral, reason: str, by: User, request=None) -> Referral:
    """The family or referrer withdrew: close the referral (and end any allocation) with the reason."""
    referral = lock_referral(referral)
    new_status = check_transition(referral.status, "withdraw")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the referral is withdrawn"})
    check_text(reason, field="reason", label="Reason")
    now = timezone.now()
    referral.allocations.filter(ended_at__isnull=True).update(ended_at=now, ended_by=by, end_reason="Withdrawn")
    if referral.awaiting_information_since:
        referral.days_awaiting_information = referral.total_days_awaiting_information()
        referral.awaiting_information_since = None
    referral.status, referral.closed_at, referral.closed_reason = new_status, now, reason.strip()
    referral.save()
    record_change(
        referral=referral,
        by=by,
        kind="withdrawn",
        summary="Referral withdrawn",
        changes={"reason": [None, reason.strip()]},
        request=request,
        detail={"withdrawn": True},
    )
    return referral
