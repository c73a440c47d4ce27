"""What letter actions share: the letter's row lock and the current-version check. Who may act is declared on each
action (`@requires`, with `letters.rules` for who approves)."""

from core.refusals import ActionRefused

from ..models import Letter


def locked(letter: Letter) -> Letter:
    """Re-read the letter under a row lock: the status we check is the status we change."""
    return Letter.objects.select_for_update(of=("self",)).select_related("referral").get(pk=letter.pk)


def check_current(letter: Letter) -> None:
    if not letter.is_current:
        raise ActionRefused("This is an old version of the letter: open the current version instead.")
