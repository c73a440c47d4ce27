"""The family's helping questions (Goal Based Outcomes): one to three goals in the parent's own words, each rated
0 (no progress) to 10 (goal reached) at the start, optionally part-way, and at the end.

Every rating is kept, and a change of wording keeps the old words in the history, so the record can show how far
the family came and what exactly they were asked.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import AccessAction, User
from accounts.permissions import Perm, requires
from core.refusals import ActionRefused
from core.text import check_text
from cycles.dates import BACKDATED_HISTORY_LABEL, not_before_allocation
from cycles.reads.helping_questions import MAX_QUESTIONS
from referrals.actions import lock_referral
from referrals.history import record_change
from referrals.models import Referral

from ..models import HelpingQuestion, HelpingQuestionRating, RatingPoint
from .consent import check_allocated, check_past_date

SCORE_MIN, SCORE_MAX = 0, 10
SCORE_MESSAGE = "Enter a rating from 0 (no progress) to 10 (goal reached)"


def _clean_wording(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Enter the helping question in the parent's own words"})
    check_text(text, field="text", label="Helping question", max_length=300, multiline=False)
    return text


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="referral")
def add_helping_question(*, referral: Referral, text: str, by: User, request=None) -> HelpingQuestion:
    """Add one of the family's one to three helping questions, numbered in order."""
    check_allocated(referral, "add a helping question")
    text = _clean_wording(text)
    lock_referral(referral)  # two at once cannot both be number 3
    numbers = set(HelpingQuestion.objects.in_force().filter(referral=referral).values_list("number", flat=True))
    free = [n for n in range(1, MAX_QUESTIONS + 1) if n not in numbers]
    if not free:
        raise ActionRefused("This family already has three helping questions: change the wording of one instead.")
    question = HelpingQuestion.objects.create(referral=referral, number=free[0], text=text, recorded_by=by)
    record_change(
        referral=referral,
        by=by,
        kind="helping_question_added",
        summary=f"Helping question {question.number} added",
        changes={"helping question": [None, text]},
        request=request,
        obj=question,
        access=AccessAction.CREATE,
    )
    return question


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="question.referral")
def change_helping_question_wording(*, question: HelpingQuestion, text: str, by: User, request=None) -> HelpingQuestion:
    """Change a question's words (the parent put it better); the history keeps the old words."""
    referral = question.referral
    check_allocated(referral, "change a helping question")
    _check_in_force(question)
    text = _clean_wording(text)
    old = question.text
    if text == old:
        raise ValidationError({"text": "The new wording is the same as the old"})
    question.text = text
    question.save(update_fields=["text"])
    record_change(
        referral=referral,
        by=by,
        kind="helping_question_reworded",
        summary=f"Helping question {question.number} reworded",
        changes={"wording": [old, text]},
        request=request,
        obj=question,
    )
    return question


def check_score(score) -> int:
    """A GBO rating is a whole number from 0 to 10; anything else is refused beside the score."""
    if isinstance(score, bool) or not isinstance(score, int) or not SCORE_MIN <= score <= SCORE_MAX:
        raise ValidationError({"score": SCORE_MESSAGE})
    return score


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="question.referral")
def rate_helping_question(
    *,
    question: HelpingQuestion,
    point: str,
    rated_on: date,
    score: int,
    backdated_reason: str = "",
    by: User,
    request=None,
) -> HelpingQuestionRating:
    """Record a 0–10 rating at the start, part-way or at the end. Earlier ratings are kept.

    A part-way or end rating needs the start rating first, on or before its date; the start and end are rated once.
    A date before the family's allocation needs `backdated_reason` (`cycles.dates`).
    """
    referral = question.referral
    check_allocated(referral, "rate a helping question")
    _check_in_force(question)
    score = check_score(score)
    if point not in RatingPoint.values:
        raise ValidationError({"point": "Choose when the rating was given: start, part-way or end"})
    check_past_date(
        rated_on,
        field="rated_on",
        label="of the rating",
        not_before=referral.date_received,
        not_before_label=f"the referral's date received ({referral.date_received:%-d %B %Y})",
    )
    backdated_reason = not_before_allocation(
        referral, rated_on, field="rated_on", label="The date of the rating", backdated_reason=backdated_reason
    )
    earlier = list(HelpingQuestionRating.objects.in_force().select_for_update().filter(question=question))
    _check_order(earlier, point, rated_on)
    rating = HelpingQuestionRating.objects.create(
        question=question,
        point=point,
        rated_on=rated_on,
        score=score,
        backdated_reason=backdated_reason,
        recorded_by=by,
    )
    label = RatingPoint(point).label.lower()
    changes = {f"rating ({label})": [None, f"{score}/10 on {rated_on.isoformat()}"]}
    if backdated_reason:
        changes[BACKDATED_HISTORY_LABEL] = [None, backdated_reason]
    record_change(
        referral=referral,
        by=by,
        kind="helping_question_rated",
        summary=f"Helping question {question.number} rated",
        changes=changes,
        request=request,
        obj=rating,
        access=AccessAction.CREATE,
    )
    return rating


def _check_in_force(question: HelpingQuestion) -> None:
    """A question entered in error is neither rated nor reworded (read under a lock: the mark may be newer than
    the caller's copy)."""
    if HelpingQuestion.objects.select_for_update().get(pk=question.pk).entered_in_error:
        raise ActionRefused(
            f"Helping question {question.number} was entered in error: use the family's questions in force."
        )


def _check_order(earlier: list[HelpingQuestionRating], point: str, rated_on: date) -> None:
    start = next((r for r in earlier if r.point == RatingPoint.START), None)
    if point == RatingPoint.START:
        if start is not None:
            raise ActionRefused(f"This question was rated at the start already ({start.score}/10).")
        return
    if start is None:
        raise ActionRefused("Rate this question at the start first: part-way and end ratings are measured from it.")
    if rated_on < start.rated_on:
        raise ValidationError(
            {"rated_on": f"The date of the rating must be on or after the start rating ({start.rated_on:%-d %B %Y})"}
        )
    if point == RatingPoint.END and any(r.point == RatingPoint.END for r in earlier):
        raise ActionRefused("This question was rated at the end already.")
