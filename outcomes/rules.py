"""Who may record outcome measures (ADR 0012: the outcomes' rules, built from the permission layer's primitives)."""

from accounts.permissions import Perm, has_permission


def may_record_outcome(user, referral) -> bool:
    """May `user` complete or correct an outcome measure for this family now? outcome.record on the family, while
    its referral is open: every link to a measure form asks this, and the actions refuse the same two ways."""
    return referral.is_open and has_permission(user, Perm.OUTCOME_RECORD, obj=referral)
