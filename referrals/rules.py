"""Who may do what to a referral: the rules that need the referrals' models, built from the permission layer's
primitives (ADR 0012). Who may see a family at all is `Referral.objects.visible_to` for lists and
`has_permission(..., obj=referral)` for one record, both read from one definition of who holds a family
(`AllocationQuerySet.holding`)."""

from accounts.permissions import Perm, has_permission

from .models import Referral


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


def duplicates_shown_to(user, referrals) -> tuple[list, int]:
    """Of the possible duplicates a save found, those this user may open (shown in full: reference, child, parents)
    and how many others there are that they may not (a practitioner correcting their own family, a coordinator of
    one site): those are only counted, so the check cannot show a family to someone it does not belong to, while
    still saying that there is something a colleague must check. One query."""
    visible = set(
        Referral.objects.visible_to(user).filter(pk__in=[r.pk for r in referrals]).values_list("pk", flat=True)
    )
    shown = [r for r in referrals if r.pk in visible]
    return shown, len(referrals) - len(shown)
