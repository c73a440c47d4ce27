"""Every write to a referral, by topic. Keyword-only, the acting user passed in, one transaction, and one call to
`referrals.history.record_change` for the family's history and the access log.

Status changes go through `referrals.states.check_transition` on a row locked with SELECT … FOR UPDATE, so two
coordinators deciding at the same moment cannot both succeed. Callers import from here (`actions.triage_referral`).
"""

from .allocation import (
    allocate_referral,
    change_practitioner_details,
    reallocate_referral,
    unallocate_referral,
)
from .common import lock_referral
from .referrals import DuplicateSuspected, create_referral, possible_duplicates, record_birth, update_referral
from .triage import record_information_received, triage_referral, withdraw_referral

__all__ = [
    "DuplicateSuspected",
    "allocate_referral",
    "change_practitioner_details",
    "create_referral",
    "lock_referral",
    "possible_duplicates",
    "reallocate_referral",
    "record_birth",
    "record_information_received",
    "triage_referral",
    "unallocate_referral",
    "update_referral",
    "withdraw_referral",
]
