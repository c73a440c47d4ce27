"""Triage API: decide, record information received, withdraw. The same actions as the triage pages."""

from accounts.permissions import Perm

from .. import actions
from ..serializers import TRIAGE_SCHEMA, InformationReceivedIn, TriageIn, WithdrawIn
from .referrals import ReferralActionView, action_schema


@action_schema(
    "referrals_triage",
    TRIAGE_SCHEMA,
    "Accept onto the waiting list, decline (with a reason), or request information (saying what is missing). "
    "Accepting a referral the rules found ineligible needs an override_reason.",
)
class ReferralTriageView(ReferralActionView):
    input_serializer, permission, action = TriageIn, Perm.REFERRAL_TRIAGE, actions.triage_referral


@action_schema(
    "referrals_information_received",
    InformationReceivedIn,
    "The information asked for arrived without other changes: the referral goes back to the triage queue.",
)
class ReferralInformationReceivedView(ReferralActionView):
    input_serializer, permission, action = (
        InformationReceivedIn,
        Perm.REFERRAL_TRIAGE,
        actions.record_information_received,
    )


@action_schema(
    "referrals_withdraw",
    WithdrawIn,
    "The family or referrer withdrew: close the referral (and end any allocation) with the reason.",
)
class ReferralWithdrawView(ReferralActionView):
    input_serializer, permission, action = WithdrawIn, Perm.REFERRAL_WITHDRAW, actions.withdraw_referral
