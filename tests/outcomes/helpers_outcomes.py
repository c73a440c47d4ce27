"""Shared set-up for outcome-measure tests: an allocated family, answers by position, measures through the actions,
and (until the cycles actions land on this branch) consent and helping-question ratings made directly."""

from datetime import timedelta

from cycles.models import (
    Consent,
    ConsentDecision,
    ConsentGiver,
    ConsentItem,
    HelpingQuestion,
    HelpingQuestionRating,
    RatingPoint,
)
from outcomes import actions
from tests.referrals.allocation_helpers import allocated_referral, set_details
from tests.referrals.helpers import today

EPDS_13 = [1, 1, 1, 2, 2, 1, 2, 1, 2, 3]  # INSTRUMENTS.md worked example: total 13, item 10 = 0
EPDS_RISK = [1, 1, 1, 2, 2, 1, 2, 1, 2, 2]  # item 10 at position 2: total 14, self-harm flag


def answers(values) -> dict:
    return {str(n): v for n, v in enumerate(values, start=1)}


def family(service, coordinator, practitioner, **overrides):
    """A family received and allocated 90 days ago (the baby five months old): measures may be dated since then,
    not before the allocation."""
    set_details(practitioner, service, coordinator, capacity=60)
    overrides.setdefault("date_received", today() - timedelta(days=90))
    if not overrides.get("child_unborn"):
        overrides.setdefault("child_date_of_birth", today() - timedelta(days=150))  # born before the referral
    return allocated_referral(service, coordinator, practitioner, **overrides)


def record(
    referral, by, *, instrument="epds", time_point="baseline", values=EPDS_13, days_ago=0, request=None, **completion
):
    return actions.record_measure(
        **completion,
        referral=referral,
        instrument=instrument,
        time_point=time_point,
        completed_on=today() - timedelta(days=days_ago),
        answers=answers(values),
        by=by,
        request=request,
    )


def give_consent(referral, by, *, evaluation=True, withdrawn_on=None, parents=None):
    """A consent from each parent (or those given), agreeing or not to evaluation use."""
    consent = Consent.objects.create(referral=referral, given_on=today() - timedelta(days=30), recorded_by=by)
    for parent in parents if parents is not None else referral.parents.all():
        giver = ConsentGiver.objects.create(consent=consent, parent=parent)
        ConsentDecision.objects.create(giver=giver, item=ConsentItem.FILMING, agreed=True)
        ConsentDecision.objects.create(
            giver=giver,
            item=ConsentItem.EVALUATION,
            agreed=evaluation,
            withdrawn_on=withdrawn_on,
            withdrawn_by=by if withdrawn_on else None,
        )
    return consent


def goal_ratings(referral, by, pairs):
    """Helping questions with start and end ratings, e.g. [(2, 7), (3, 5)]."""
    for number, (start, end) in enumerate(pairs, start=1):
        question = HelpingQuestion.objects.create(
            referral=referral, number=number, text=f"What am I doing well ({number})?", recorded_by=by
        )
        HelpingQuestionRating.objects.create(
            question=question,
            point=RatingPoint.START,
            rated_on=today() - timedelta(days=60),
            score=start,
            recorded_by=by,
        )
        if end is not None:
            HelpingQuestionRating.objects.create(
                question=question, point=RatingPoint.END, rated_on=today(), score=end, recorded_by=by
            )
