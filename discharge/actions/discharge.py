"""Discharging a family (the referral closes, the allocation ends, the footage clock starts, the letters are drafted)
and reopening a discharged family (history kept)."""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import AccessAction
from accounts.permissions import Perm, requires
from core.text import LONG_TEXT_MAX_LENGTH, NOTE_MAX_LENGTH, check_text
from cycles.actions import set_footage_destruction_dates
from cycles.actions.footage import keep_months
from cycles.dates import discharge_not_before_allocation
from referrals import actions as referral_actions
from referrals.actions import lock_referral
from referrals.history import record_change
from referrals.models import Allocation, Referral
from referrals.states import DISCHARGED_END_REASON, check_transition

from ..models import Discharge, DischargeReason
from ..reads import current_discharge, missing_end_measures
from .letters import draft_discharge_letters

MAX_REQUESTED_ACTIONS = 3  # the README and the handover letter promise the health visitor up to three


def _clean_actions(requested_actions) -> list[dict]:
    """Each requested action needs who, what and by when (a date); at most ten."""
    cleaned = []
    if len(requested_actions or []) > MAX_REQUESTED_ACTIONS:
        raise ValidationError({"requested_actions": f"Enter at most {MAX_REQUESTED_ACTIONS} requested actions"})
    for number, item in enumerate(requested_actions or [], start=1):
        who, what, by_when = (item.get("who") or "").strip(), (item.get("what") or "").strip(), item.get("by_when")
        if not (who or what or by_when):
            continue
        if not who or not what or not by_when:
            raise ValidationError({"requested_actions": f"Requested action {number}: enter who, what and by when"})
        if isinstance(by_when, str):
            try:
                by_when = date.fromisoformat(by_when)
            except ValueError as error:
                raise ValidationError({"requested_actions": f"Requested action {number}: enter a real date"}) from error
        check_text(who, field="requested_actions", label="Who", max_length=200, multiline=False)
        check_text(what, field="requested_actions", label="What", max_length=NOTE_MAX_LENGTH)
        cleaned.append({"who": who, "what": what, "by_when": by_when.isoformat()})
    return cleaned


@transaction.atomic
@requires(Perm.REFERRAL_DISCHARGE, on="referral")
def discharge_family(
    *,
    referral: Referral,
    discharged_on: date,
    reason: str,
    summary: str,
    by,
    request=None,
    reason_details: str = "",
    did_well: str = "",
    ideas: str = "",
    missing_measures_reason: str = "",
    health_visitor: str = "",
    plan: str = "",
    requested_actions=(),
    letter_to_referrer_agreed: bool = False,
    letter_to_health_visitor_agreed: bool = False,
    family_copy_given: bool = False,
) -> Discharge:
    """Close the family's VIG work: the referral is discharged, the allocation ends ("Discharged"), the footage's
    destruction dates are set from the service's policy, and the letters the family agreed to are drafted.

    Required end measures that are missing need a reason. A practitioner discharges only their own families.
    """
    referral = lock_referral(referral, details=True)
    new_status = check_transition(referral.status, "discharge")
    missing = missing_end_measures(referral)
    text = {"reason_details": reason_details, "summary": summary, "did_well": did_well, "ideas": ideas}
    text.update(missing_measures_reason=missing_measures_reason, plan=plan, health_visitor=health_visitor)
    _check_discharge(referral, discharged_on=discharged_on, reason=reason, missing=missing, **text)
    cleaned_actions = _clean_actions(requested_actions)

    # The footage clock starts while the practitioner still holds the family.
    set_footage_destruction_dates(referral=referral, involvement_ended_on=discharged_on, by=by, request=request)
    discharge = Discharge.objects.create(
        referral=referral,
        discharged_on=discharged_on,
        reason=reason,
        reason_details=reason_details.strip(),
        summary=summary.strip(),
        did_well=did_well.strip(),
        ideas=ideas.strip(),
        missing_end_measures=[m["code"] for m in missing],
        missing_measures_reason=missing_measures_reason.strip() if missing else "",
        health_visitor=health_visitor.strip() or referral.named_health_visitor,
        plan=plan.strip(),
        requested_actions=cleaned_actions,
        letter_to_referrer_agreed=letter_to_referrer_agreed,
        letter_to_health_visitor_agreed=letter_to_health_visitor_agreed,
        family_copy_given=family_copy_given,
        footage_destroy_by=discharged_on + relativedelta(months=keep_months(referral.service)),
        discharged_by=by,
    )
    old_status = _close(referral, new_status, by=by)
    record_change(
        referral=referral,
        by=by,
        kind="discharged",
        summary=f"Family discharged: {discharge.get_reason_display().lower()}",
        changes=_discharge_changes(discharge, old_status, new_status),
        request=request,
        obj=discharge,
        access=AccessAction.CREATE,
    )
    draft_discharge_letters(discharge=discharge, by=by, request=request)
    return discharge


def _check_discharge(referral: Referral, *, discharged_on: date, reason: str, missing: list[dict], **text: str) -> None:
    """The discharge's date, reason and summary, and a reason for any required end measure missing: every problem
    at once, each beside its field; then every free-text field (`text`) against the text rules."""
    reason_details, summary = text["reason_details"], text["summary"]
    missing_measures_reason = text["missing_measures_reason"]
    errors = {}
    if discharged_on > timezone.localdate():
        errors["discharged_on"] = "The date of discharge cannot be in the future"
    elif discharged_on < referral.date_received:
        errors["discharged_on"] = "The date of discharge cannot be before the referral was received"
    elif discharge_not_before_allocation(referral, discharged_on):
        errors["discharged_on"] = discharge_not_before_allocation(referral, discharged_on)
    if reason not in DischargeReason.values:
        errors["reason"] = "Choose why the family is discharged"
    elif reason == DischargeReason.OTHER and not reason_details.strip():
        errors["reason_details"] = "Say why the family is discharged"
    if not summary.strip():
        errors["summary"] = "Enter a summary of the work"
    if missing and not missing_measures_reason.strip():
        names = ", ".join(m["label"] for m in missing)
        errors["missing_measures_reason"] = f"End measures missing ({names}): record them, or say why not"
    if errors:
        raise ValidationError(errors)
    for field, label, length in [
        ("reason_details", "Reason", NOTE_MAX_LENGTH),
        ("summary", "Summary", LONG_TEXT_MAX_LENGTH),
        ("did_well", "What the family did well", LONG_TEXT_MAX_LENGTH),
        ("ideas", "Ideas for the future", LONG_TEXT_MAX_LENGTH),
        ("missing_measures_reason", "Why end measures are missing", NOTE_MAX_LENGTH),
        ("plan", "Plan", LONG_TEXT_MAX_LENGTH),
    ]:
        check_text(text[field], field=field, label=label, max_length=length)
    check_text(text["health_visitor"], field="health_visitor", label="Health visitor", max_length=200, multiline=False)


def _close(referral: Referral, new_status: str, *, by) -> str:
    """End the active allocation as "Discharged" (its holder keeps the family while it stays discharged) and close
    the referral; returns the status it had."""
    now = timezone.now()
    Allocation.objects.filter(referral=referral, ended_at__isnull=True).update(
        ended_at=now, ended_by=by, end_reason=DISCHARGED_END_REASON
    )
    old_status = referral.status
    referral.status, referral.closed_at = new_status, now
    referral.save(update_fields=["status", "closed_at", "updated_at"])
    return old_status


def _discharge_changes(discharge: Discharge, old_status: str, new_status: str) -> dict:
    """What the family's history shows of the discharge."""
    agreed = [
        name
        for name, yes in (
            ("referrer", discharge.letter_to_referrer_agreed),
            ("health visitor", discharge.letter_to_health_visitor_agreed),
        )
        if yes
    ]
    changes = {
        "status": [old_status, new_status],
        "reason": [None, discharge.get_reason_display()],
        "discharged on": [None, discharge.discharged_on.isoformat()],
        "letters agreed": [None, ", ".join(agreed) or "none"],
    }
    if discharge.missing_end_measures:
        changes["end measures missing"] = [None, ", ".join(discharge.missing_end_measures)]
    return changes


@transaction.atomic
@requires(Perm.REFERRAL_REOPEN, on="referral")
def reopen_family(
    *,
    referral: Referral,
    reason: str,
    by,
    request=None,
    allocate_again: bool = False,
    over_capacity_reason: str = "",
) -> Referral:
    """A coordinator reopens a discharged family: back on the waiting list, or (`allocate_again`) back with the
    practitioner who discharged them. The discharge is kept, marked reopened with who, when and why. Giving the
    family back to a practitioner who is now full or paused needs `over_capacity_reason`, as allocation does."""
    referral = lock_referral(referral, details=True)
    new_status = check_transition(referral.status, "reopen")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the family's referral is reopened"})
    check_text(reason, field="reason", label="Reason")
    discharge = current_discharge(referral)
    previous = next(
        (a for a in reversed(list(referral.allocations.all())) if a.end_reason == DISCHARGED_END_REASON), None
    )
    if discharge is not None:
        discharge.reopened_at, discharge.reopened_by, discharge.reopen_reason = timezone.now(), by, reason.strip()
        discharge.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    referral.status, referral.closed_at = new_status, None
    referral.save(update_fields=["status", "closed_at", "updated_at"])
    record_change(
        referral=referral,
        by=by,
        kind="reopened",
        summary="Referral reopened after discharge",
        changes={"status": ["discharged", new_status], "reason": [None, reason.strip()]},
        request=request,
        obj=discharge,
    )
    if allocate_again:
        if previous is None:
            raise ValidationError({"allocate_again": "Nobody held this family before the discharge"})
        referral_actions.allocate_referral(
            referral=referral,
            practitioner=previous.practitioner,
            by=by,
            request=request,
            over_capacity_reason=over_capacity_reason,
        )
        referral.refresh_from_db()
    return referral
