"""What every referral action starts with: the permission check and the row lock."""

from django.core.exceptions import PermissionDenied

from accounts.models import User
from accounts.permissions import Perm, has_permission

from ..models import Referral


def check(user: User, perm: Perm, obj) -> None:
    """Refuse (403) unless `user` holds `perm` on `obj`; actions check even when the view already did."""
    if not has_permission(user, perm, obj=obj):
        raise PermissionDenied


def locked(referral: Referral) -> Referral:
    """Re-read the referral under a row lock: the status we check is the status we change."""
    return Referral.objects.select_for_update().get(pk=referral.pk)
