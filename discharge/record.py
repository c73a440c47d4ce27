"""The "Discharge" section of the family's record page, registered with `referrals.record` (two queries)."""

from accounts.permissions import Perm, has_permission, may_mark_entered_in_error
from core.prepared import prepared
from referrals.record import record_section
from referrals.states import ReferralStatus

from .models import Discharge, RequestedAction


@prepared()
def _discharges(referral_id):
    """Every discharge of the family with who discharged and reopened it (compiled once per process)."""
    return Discharge.objects.filter(referral_id=referral_id).select_related("discharged_by", "reopened_by")


@record_section(75)
def discharge_section(request, referral) -> list[dict]:
    """Every discharge of the family (a reopened one says why), and the discharge or reopen button for who may."""
    user = request.user
    discharges = _discharges(referral.pk)
    can_discharge = referral.status == ReferralStatus.ALLOCATED and has_permission(
        user, Perm.REFERRAL_DISCHARGE, obj=referral
    )
    can_reopen = referral.status == ReferralStatus.DISCHARGED and has_permission(
        user, Perm.REFERRAL_REOPEN, obj=referral
    )
    if not discharges and not can_discharge:
        return []
    current = next((d for d in discharges if d.reopened_at is None), None)
    return [
        {
            "template": "discharge/_discharge_section.html",
            "referral": referral,
            "discharges": discharges,
            "current": current,
            "can_discharge": can_discharge,
            "can_reopen": can_reopen,
            "can_mark_actions": current is not None
            and bool(current.requested_actions)
            and may_mark_entered_in_error(user, RequestedAction(current, 1), family=referral),
        }
    ]
