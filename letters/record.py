"""The "Letters" section of the family's record page, registered with `referrals.record` (one query)."""

from accounts.permissions import Perm, has_permission
from core.prepared import prepared
from referrals.record import record_section
from referrals.states import ReferralStatus

from .models import Letter
from .states import STATUS_COLOURS, LetterKind


@prepared()
def _current_letters(referral_id):
    """The family's current letters by kind (compiled once per process: the record reads them on every look)."""
    return Letter.objects.current().filter(referral_id=referral_id).order_by("kind")


@record_section(80)
def letters_section(request, referral) -> list[dict]:
    """The family's current letters with their status; a decline letter can be started once declined."""
    user = request.user
    letters = _current_letters(referral.pk)
    can_write = has_permission(user, Perm.LETTER_WRITE, obj=referral)
    has_decline = any(letter.kind == LetterKind.DECLINE for letter in letters)
    if not letters and not can_write:
        return []
    for letter in letters:
        letter.colour = STATUS_COLOURS[letter.status]
    return [
        {
            "template": "letters/_letters_section.html",
            "referral": referral,
            "letters": letters,
            "can_draft_decline": can_write and referral.status == ReferralStatus.DECLINED and not has_decline,
        }
    ]
