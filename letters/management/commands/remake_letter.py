"""`manage.py remake_letter <letter id> --by <username>`: an operator makes a failed letter again.

For a letter that stopped as `failed` (say "Stopped after 3 attempts (the worker was lost each time)") once the
cause is fixed, when no one can use the letter's *Make again* button. It calls the same action as the button
(`letters.actions.regenerate_letter`), as the named member of staff, so the same permission is checked and the
family's history and the access log record who sent it and when; it never bypasses them.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from core.refusals import ActionRefused
from letters import actions
from letters.models import Letter

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Make a failed letter (or one whose PDF is missing) again, as the named member of staff."

    def add_arguments(self, parser):
        parser.add_argument("letter_id", type=int, help="The letter's id (in its page's address: /letters/<id>/).")
        parser.add_argument("--by", required=True, help="The username of the member of staff who asks for it.")

    def handle(self, *args, letter_id: int, by: str, **options):
        """Thin: find the letter and the person, call the action, say what happened."""
        user = get_user_model().objects.filter(username=by, is_active=True).first()
        if user is None:
            raise CommandError(f"No active member of staff has the username {by!r}.")
        letter = Letter.objects.filter(pk=letter_id).select_related("referral").first()
        if letter is None:
            raise CommandError(f"There is no letter {letter_id}.")
        try:
            letter = actions.regenerate_letter(letter=letter, by=user)
        except PermissionDenied:
            raise CommandError(f"{by} may not make this family's letters (letter.write).") from None
        except ActionRefused as refusal:
            raise CommandError(str(refusal)) from None
        logger.info("Letter %s sent to be made again by user %s (manage.py remake_letter)", letter.pk, user.pk)
        self.stdout.write(f"Letter {letter.pk} sent to be made again; its status is now {letter.status}.")
