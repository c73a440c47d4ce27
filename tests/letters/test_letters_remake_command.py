"""`manage.py remake_letter`: how an operator makes again a letter that failed after three lost workers. It calls
the action as a named member of staff, so the permission is checked and the history and access log record it."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AccessAction, AccessEvent
from core.jobs import lost_workers_message
from letters import actions
from letters.models import Letter, LetterStatus
from referrals.models import ReferralEvent
from tests.letters.helpers_letters import decline_letter

pytestmark = pytest.mark.django_db


def failed_after_lost_workers(service, coordinator) -> Letter:
    letter = actions.approve_letter(letter=decline_letter(service, coordinator), by=coordinator)
    Letter.objects.filter(pk=letter.pk).update(status=LetterStatus.FAILED, attempts=3, error=lost_workers_message(3))
    letter.refresh_from_db()
    return letter


def test_operator_remakes_a_letter_that_failed_after_three_lost_workers(
    service, coordinator, django_capture_on_commit_callbacks, capsys
):
    letter = failed_after_lost_workers(service, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remake_letter", str(letter.pk), "--by", "coordinator")
    assert f"Letter {letter.pk} sent to be made again" in capsys.readouterr().out
    letter.refresh_from_db()
    assert letter.status == LetterStatus.READY and letter.attempts == 1 and not letter.error
    event = ReferralEvent.objects.get(referral=letter.referral, kind="letter_regenerated")
    assert event.actor_id == coordinator.pk
    assert AccessEvent.objects.filter(
        user_id=coordinator.pk, action=AccessAction.UPDATE, object_id=str(letter.pk)
    ).exists()


@pytest.mark.parametrize("username", ["nobody-here", "", " coordinator", "COORDINATOR"])
def test_unknown_people_are_refused(service, coordinator, username):
    letter = failed_after_lost_workers(service, coordinator)
    with pytest.raises(CommandError, match="No active member of staff"):
        call_command("remake_letter", str(letter.pk), "--by", username)
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.FAILED


def test_someone_who_may_not_write_the_familys_letters_is_refused(service, coordinator, other_coordinator, manager):
    letter = failed_after_lost_workers(service, coordinator)
    for who in (other_coordinator, manager):
        with pytest.raises(CommandError, match="may not"):
            call_command("remake_letter", str(letter.pk), "--by", who.username)
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.FAILED
    assert not ReferralEvent.objects.filter(kind="letter_regenerated").exists()


def test_a_deactivated_account_is_refused(service, coordinator):
    letter = failed_after_lost_workers(service, coordinator)
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="No active member of staff"):
        call_command("remake_letter", str(letter.pk), "--by", "coordinator")


def test_a_letter_that_is_fine_or_missing_is_refused(service, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        letter = actions.approve_letter(letter=decline_letter(service, coordinator), by=coordinator)
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.READY
    with pytest.raises(CommandError, match="already"):
        call_command("remake_letter", str(letter.pk), "--by", "coordinator")
    with pytest.raises(CommandError, match="There is no letter"):
        call_command("remake_letter", "999999", "--by", "coordinator")
