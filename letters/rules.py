"""Who may do what to a letter: the rules that need the letters' models, built from the permission layer's
primitives (ADR 0012). The actions declare them (`@requires(may_approve_letter, on="letter")`) and the pages and
API show only the links and buttons they allow (`letter_user_can`), so the two cannot disagree."""

from accounts.models import Membership, Role
from accounts.permissions import Perm, has_permission

from .models import Letter
from .states import LetterStatus


def _trainees(user_ids, service_id) -> list[Membership]:
    """The trainee practitioner memberships in this service among these users."""
    memberships = Membership.objects.active().filter(
        user_id__in=user_ids, service_id=service_id, role=Role.PRACTITIONER
    )
    return [m for m in memberships.select_related("practitioner_details") if m.is_trainee]


def letter_author_ids(letter: Letter) -> set[int]:
    """Everyone who wrote or edited this letter or any earlier version of it (the drafter counts even on letters
    made before authors were kept)."""
    return {letter.created_by_id, *letter.authors.values_list("pk", flat=True)}


def trainee_supervisor_ids(letter: Letter) -> set[int] | None:
    """The supervisors who may approve this letter if a trainee in the family's service wrote or edited any
    version of it, else None.

    Each such trainee's named supervisor (their practitioner details) and the supervisor on the family's allocation
    (kept in step with it). With two trainees' hands on one letter, either's supervisor may approve it.
    """
    trainees = _trainees(letter_author_ids(letter), letter.referral.service_id)
    if not trainees:
        return None
    named = set().union(*(m.case_supervisor_ids() for m in trainees))
    return named | letter.referral.case_supervisor_ids()


def may_approve_letter(user, letter: Letter) -> bool:
    """A trainee never approves a letter. A letter any version of which a trainee wrote or edited is approved by
    their supervisor only (who may see the family); anyone else's by a letter writer for the family. Who may
    approve is a rule about the person (a refusal is a 403), not the letter's state."""
    if _trainees([user.pk], letter.referral.service_id):
        return False
    supervisors = trainee_supervisor_ids(letter)
    if supervisors is not None:
        return user.pk in supervisors and has_permission(user, Perm.REFERRAL_VIEW, obj=letter)
    return has_permission(user, Perm.LETTER_WRITE, obj=letter)


def letter_user_can(user, letter: Letter) -> dict[str, bool]:
    """What `user` may do to this letter now, for showing only the links and buttons they may follow. A ready
    letter whose file is gone offers "Make again", not a download that cannot work: one look in storage, for one
    letter, never for a list."""
    current = letter.is_current
    missing = letter.file_is_missing()
    write = has_permission(user, Perm.LETTER_WRITE, obj=letter)
    draft = letter.status == LetterStatus.DRAFT
    return {
        "edit": write and current,
        "preview": has_permission(user, Perm.REFERRAL_VIEW, obj=letter),
        "approve": current and draft and may_approve_letter(user, letter),
        "confirm_bereavement": current
        and letter.referral.bereavement
        and not letter.bereavement_confirmed_at
        and has_permission(user, Perm.LETTER_COORDINATE, obj=letter),
        "download": letter.status == LetterStatus.READY and not missing,
        "mark_sent": write and current and letter.status == LetterStatus.READY and not letter.sent_at,
        "regenerate": write and current and (letter.status == LetterStatus.FAILED or missing),
    }
