"""Who may see or do what in the film vault (ADR 0012), built from the permission layer and cycles' rules.

Seeing a film or clip follows the family: a film of a family you may not see is a 404. Playing it needs
referral.view on the family; uploading, cutting and the family's copy are casework (the allocated practitioner);
destroying is footage.confirm_destruction. Nobody has a download of a film: only the family's copy, on the day.
"""

from accounts.permissions import Perm, has_permission


def may_play(user, film) -> bool:
    """May `user` watch this family's film and clips (logged at every request)?"""
    return has_permission(user, Perm.REFERRAL_VIEW, obj=film.referral)


def may_destroy_film(user, film) -> bool:
    """Destroy the film and its clips on the destruction date (the practitioner or a coordinator)."""
    return has_permission(user, Perm.FOOTAGE_DESTRUCTION_CONFIRM, obj=film.referral)
