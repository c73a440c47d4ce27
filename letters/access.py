"""What a user may do to a letter, for showing only the links and buttons they may follow (pages and API alike)."""

from django.core.exceptions import PermissionDenied

from accounts.permissions import Perm, has_permission
from core.refusals import ActionRefused

from .actions.common import check_may_approve
from .states import LetterStatus


def may_approve(user, letter) -> bool:
    try:
        check_may_approve(user, letter)
    except (PermissionDenied, ActionRefused):
        return False
    return True


def letter_user_can(user, letter) -> dict[str, bool]:
    """What the letter page and the API's letter answer offer. A ready letter whose file is gone offers "Make
    again", not a download that cannot work. One look in storage: for one letter, never for a list."""
    current = letter.is_current
    missing = letter.file_is_missing()
    write = has_permission(user, Perm.LETTER_WRITE, obj=letter)
    draft = letter.status == LetterStatus.DRAFT
    return {
        "edit": write and current,
        "preview": has_permission(user, Perm.REFERRAL_VIEW, obj=letter),
        "approve": current and draft and may_approve(user, letter),
        "confirm_bereavement": current
        and letter.referral.bereavement
        and not letter.bereavement_confirmed_at
        and has_permission(user, Perm.LETTER_COORDINATE, obj=letter),
        "download": letter.status == LetterStatus.READY and not missing,
        "mark_sent": write and current and letter.status == LetterStatus.READY and not letter.sent_at,
        "regenerate": write and current and (letter.status == LetterStatus.FAILED or missing),
    }
