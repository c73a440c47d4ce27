"""Who may do what to a referral: the rules that need the referrals' models, built from the permission layer's
primitives (ADR 0012). Who may see a family at all is `Referral.objects.visible_to` for lists and
`has_permission(..., obj=referral)` for one record, both read from one definition of who holds a family
(`AllocationQuerySet.holding`)."""

from accounts.permissions import Perm, has_permission


def referral_user_can(user, referral) -> dict[str, bool]:
    """What `user` may do to this referral, for showing only the links and buttons they may follow.

    The referral page and the API's `user_can` both read this, so the two cannot disagree.
    """
    return {
        "update": has_permission(user, Perm.REFERRAL_UPDATE, obj=referral) and referral.is_open,
        "triage": has_permission(user, Perm.REFERRAL_TRIAGE, obj=referral),
        "withdraw": has_permission(user, Perm.REFERRAL_WITHDRAW, obj=referral),
        "allocate": has_permission(user, Perm.REFERRAL_ALLOCATE, obj=referral),
    }
