"""Who may do what in governance: the rules that need its models, built from the permission layer's primitives
(ADR 0012)."""

from accounts.permissions import Perm, has_permission


def may_approve_destruction(user, review) -> bool:
    """Destruction takes two people: a reviewer (record.destroy on the family) other than the one who proposed it.
    A refusal is about who is acting (403), not the review's state."""
    return review.reviewed_by_id != user.pk and has_permission(user, Perm.RECORD_DESTROY, obj=review.referral)
