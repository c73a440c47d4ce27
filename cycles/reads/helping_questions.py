"""Reads of a family's helping questions (Goal Based Outcomes): each question with every rating, start → latest,
and the wording it had before, for the pages, the API and the family's record. Fixed queries per family."""

from django.db.models import Prefetch

from core.prepared import attach, prepared
from cycles.models import HelpingQuestion, HelpingQuestionRating, RatingPoint
from referrals.models import Referral, ReferralEvent

MAX_QUESTIONS = 3


def questions_visible_to(user):
    """Helping questions of the families the user may see (others are a logged 404)."""
    return HelpingQuestion.objects.filter(referral__in=Referral.objects.visible_to(user).values("pk"))


def questions_with_ratings(referral: Referral):
    """The family's questions in force in number order, each with its ratings in force oldest first (two queries).
    What was entered in error is listed apart (`entered_in_error_of`)."""
    ratings = HelpingQuestionRating.objects.in_force().select_related("recorded_by").order_by("rated_on", "pk")
    return (
        HelpingQuestion.objects.in_force()
        .filter(referral=referral)
        .prefetch_related(Prefetch("ratings", queryset=ratings))
    )


def family_questions(referral_id) -> list:
    """`questions_with_ratings` as a list, for the record: the questions and their ratings read by the family's id
    with SQL compiled once per process (`core.prepared`), the ratings attached as its prefetch would."""
    questions = _family_questions(referral_id)
    if questions:
        attach(questions, "ratings", _family_ratings(referral_id), _ratings_in_order)
    return questions


def _ratings_in_order():
    return HelpingQuestionRating.objects.in_force().select_related("recorded_by").order_by("rated_on", "pk")


@prepared()
def _family_questions(referral_id):
    return HelpingQuestion.objects.in_force().filter(referral_id=referral_id)


@prepared()
def _family_ratings(referral_id):
    return _ratings_in_order().filter(question__referral_id=referral_id)


def start_and_latest(question: HelpingQuestion) -> tuple[HelpingQuestionRating | None, HelpingQuestionRating | None]:
    """The start rating and the latest one after it (None when there is nothing after the start)."""
    ratings = list(question.ratings.all())
    start = next((r for r in ratings if r.point == RatingPoint.START), None)
    later = [r for r in ratings if r is not start]
    return start, (later[-1] if later else None)


def with_progress(questions) -> list[HelpingQuestion]:
    """The questions as a list, each with `.start` and `.latest` set for templates and serializers."""
    questions = list(questions)
    for question in questions:
        question.start, question.latest = start_and_latest(question)
    return questions


def wording_history(referral: Referral) -> list[ReferralEvent]:
    """Every change of wording, newest first, from the family's history (one query)."""
    return list(
        ReferralEvent.objects.filter(referral=referral, kind="helping_question_reworded")
        .select_related("actor")
        .order_by("-at", "-pk")
    )
