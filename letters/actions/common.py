"""What every letter action starts with: the row lock, the permission check, and who may approve."""

from django.core.exceptions import PermissionDenied

from accounts.models import Membership, Role
from accounts.permissions import Perm, has_permission
from core.refusals import ActionRefused

from ..models import Letter


def check(user, perm: Perm, obj) -> None:
    """Refuse (403) unless `user` holds `perm` on `obj`; actions check even when the view already did."""
    if not has_permission(user, perm, obj=obj):
        raise PermissionDenied


def locked(letter: Letter) -> Letter:
    """Re-read the letter under a row lock: the status we check is the status we change."""
    return Letter.objects.select_for_update(of=("self",)).select_related("referral").get(pk=letter.pk)


def check_current(letter: Letter) -> None:
    if not letter.is_current:
        raise ActionRefused("This is an old version of the letter: open the current version instead.")


def trainee_supervisor_ids(letter: Letter) -> set[int] | None:
    """The supervisors who may approve this letter if its author is a trainee in the family's service, else None.

    The trainee's named supervisor (their practitioner details) and the supervisor on the family's allocation
    (kept in step with it).
    """
    memberships = Membership.objects.active().filter(
        user_id=letter.created_by_id, service_id=letter.referral.service_id, role=Role.PRACTITIONER
    )
    trainee = next((m for m in memberships.select_related("practitioner_details") if m.is_trainee), None)
    if trainee is None:
        return None
    details = trainee.details_or_none
    named = {details.supervisor_id} if details is not None and details.supervisor_id else set()
    return named | letter.referral.case_supervisor_ids()


def check_may_approve(user, letter: Letter) -> None:
    """A trainee's letter is approved by their supervisor only; anyone else's by a letter writer for the family."""
    supervisors = trainee_supervisor_ids(letter)
    if supervisors is not None:
        check(user, Perm.REFERRAL_VIEW, letter)
        if user.pk not in supervisors:
            raise ActionRefused("This letter was written by a trainee: their supervisor approves it.")
        return
    check(user, Perm.LETTER_WRITE, letter)
