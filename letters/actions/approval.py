"""Approving a letter (which sends it to the workers after commit), and recording that it was sent."""

from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.permissions import Perm, requires
from core.refusals import ActionRefused
from core.text import check_text
from referrals.history import record_change

from .. import whereabouts
from ..models import RENDER, Letter
from ..rules import may_approve_letter
from ..states import LetterStatus, check_transition
from .common import check_current, locked


def check_safe_to_send(letter: Letter) -> None:
    """The safety flags: a bereaved family's letter needs a coordinator's confirmation; what staff wrote in a
    professional's letter never gives away a confidential address (each field that does is named, with what to
    do). Approval checks, and the render task checks again."""
    if letter.referral.bereavement and not letter.bereavement_confirmed_at:
        raise ActionRefused("This family is marked bereaved: a coordinator must confirm this letter before it is made.")
    found = whereabouts.letter_findings(letter)
    if found:
        raise ValidationError(found)


def check_has_contact(letter: Letter) -> None:
    """A letter tells its reader how to reach the service: one without a phone number, email or postal address
    would leave a family or health visitor with "contact us" and no way to do it."""
    if not any((letter.content.get("contact") or {}).values()):
        raise ActionRefused(
            "This letter has no phone number, email or postal address for the service. A service admin sets them "
            "in the letter settings; then edit this letter (saving it takes them in) and approve it."
        )


@transaction.atomic
@requires(may_approve_letter, on="letter")
def approve_letter(*, letter: Letter, by, request=None, confirmed_no_whereabouts: bool = False) -> Letter:
    """Approve the letter as it reads now: its content and hash are fixed, and the PDF is made in the background.

    A trainee's letter is approved by their supervisor. A letter to a professional about a family with a
    confidential address is approved only when the approver confirms it reveals no whereabouts (kept in the
    family's history with who and when), and is fixed without the family's address fields. The render task is
    sent only after this transaction commits; if the broker is down the letter waits as `queued` and the sweep
    sends it later.
    """
    letter = locked(letter)
    check_current(letter)
    new_status = check_transition(letter.status, "approve")
    check_has_contact(letter)
    withheld = whereabouts.withholds_address(letter.referral, letter.kind)
    errors = {}
    try:
        check_safe_to_send(letter)
    except ValidationError as error:
        errors = error.message_dict
    if withheld and confirmed_no_whereabouts is not True:
        errors[whereabouts.CONFIRM_FIELD] = [whereabouts.CONFIRM_MISSING]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if withheld:
        letter.content = whereabouts.without_address(letter.content)
    letter.content = {**letter.content, "date": timezone.localdate().strftime("%-d %B %Y")}
    letter.content_hash = letter.compute_hash()
    letter.approved_by, letter.approved_at = by, now
    letter.status, letter.status_changed_at = new_status, now
    letter.attempts, letter.error = 0, ""
    letter.save()
    summary = f"{letter.get_kind_display()} approved (version {letter.version})"
    changes = {"content hash": [None, letter.content_hash]}
    if withheld:
        summary += ": the approver confirmed it reveals nothing of where the family lives (confidential address)"
        changes["reveals no whereabouts"] = [None, "confirmed by the approver"]
    record_change(
        referral=letter.referral,
        by=by,
        kind="letter_approved",
        summary=summary,
        changes=changes,
        request=request,
        obj=letter,
        detail={"letter_kind": letter.kind, "version": letter.version, "no_whereabouts_confirmed": withheld},
    )
    RENDER.send_on_commit(letter.pk)
    return letter


@transaction.atomic
@requires(Perm.LETTER_WRITE, on="letter")
def mark_letter_sent(*, letter: Letter, sent_on, how: str, by, request=None) -> Letter:
    """Record how and when the letter went out. Only the current, ready version, and only once."""
    letter = locked(letter)
    check_current(letter)
    if letter.status != LetterStatus.READY:
        raise ActionRefused("Only a letter whose PDF is ready can be marked sent.")
    if letter.sent_at:
        raise ActionRefused(f"This letter was marked sent on {timezone.localtime(letter.sent_at):%-d %B %Y}.")
    how = (how or "").strip()
    if not how:
        raise ValidationError({"how": "Enter how the letter was sent"})
    check_text(how, field="how", label="How it was sent", max_length=200, multiline=False)
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": "The date sent must be today or in the past"})
    if sent_on < timezone.localdate(letter.approved_at):
        raise ValidationError({"sent_on": "The date sent must be on or after the day the letter was approved"})
    letter.sent_at = timezone.make_aware(datetime.combine(sent_on, time(12, 0)))
    letter.sent_how, letter.sent_by = how, by
    letter.save(update_fields=["sent_at", "sent_how", "sent_by"])
    record_change(
        referral=letter.referral,
        by=by,
        kind="letter_sent",
        summary=f"{letter.get_kind_display()} sent ({how})",
        changes={"sent": [None, sent_on.isoformat()], "how": [None, how]},
        request=request,
        obj=letter,
    )
    return letter
