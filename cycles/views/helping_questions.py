"""Helping-question pages: the family's questions with every rating and earlier wording; add, reword and rate."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.audit import log_list
from accounts.permissions import Perm, check_permission
from cycles.reads.helping_questions import (
    MAX_QUESTIONS,
    questions_visible_to,
    questions_with_ratings,
    with_progress,
    wording_history,
)
from cycles.rules import may_record_casework
from referrals.loading import referral_for_page
from referrals.models import Referral
from referrals.reads.entered_in_error import entered_in_error_of
from web.pages import form_action_page, load_visible

from .. import actions
from ..forms.consent import HelpingQuestionForm, RatingForm
from ..models import HelpingQuestion, HelpingQuestionRating


def load_family(request: HttpRequest, pk: int, perm: Perm = Perm.REFERRAL_VIEW) -> Referral:
    return referral_for_page(request, pk, perm)


def load_question(request: HttpRequest, question_id: int, perm: Perm):
    question = load_visible(questions_visible_to(request.user), request, question_id)
    question.referral = Referral.objects.with_record_details().get(pk=question.referral_id)
    check_permission(request.user, perm, obj=question.referral)
    return question


def helping_questions(request: HttpRequest, pk: int) -> HttpResponse:
    """The family's questions: start → latest, every rating, and each earlier wording."""
    referral = load_family(request, pk)
    questions = with_progress(questions_with_ratings(referral))
    log_list(
        request=request, object_type="cycles.helpingquestion", ids=[q.pk for q in questions], detail={"referral": pk}
    )
    can_record = may_record_casework(request.user, referral)
    context = {
        "referral": referral,
        "questions": questions,
        "history": wording_history(referral),
        "entered_in_error": entered_in_error_of(referral, HelpingQuestion, HelpingQuestionRating),
        "can_record": can_record,
        "can_add": can_record and len(questions) < MAX_QUESTIONS,
    }
    return render(request, "cycles/helping_questions.html", context)


def _back(referral_id: int) -> str:
    return reverse("cycles:helping_questions", kwargs={"pk": referral_id})


def add_helping_question(request: HttpRequest, pk: int) -> HttpResponse:
    referral = load_family(request, pk, Perm.CASEWORK_RECORD)
    return form_action_page(
        request,
        form=HelpingQuestionForm(request.POST or None),
        template="cycles/helping_question_form.html",
        context={"referral": referral, "heading": "Add a helping question"},
        perform=lambda data: actions.add_helping_question(
            referral=referral, text=data["text"], by=request.user, request=request
        ),
        success_message="Helping question added.",
        success_url=_back(referral.pk),
    )


def reword_helping_question(request: HttpRequest, question_id: int) -> HttpResponse:
    question = load_question(request, question_id, Perm.CASEWORK_RECORD)
    return form_action_page(
        request,
        form=HelpingQuestionForm(request.POST or None, initial={"text": question.text}),
        template="cycles/helping_question_form.html",
        context={
            "referral": question.referral,
            "question": question,
            "heading": f"Change the wording of helping question {question.number}",
        },
        perform=lambda data: actions.change_helping_question_wording(
            question=question, text=data["text"], by=request.user, request=request
        ),
        success_message="Wording changed. The old wording is kept in the history.",
        success_url=_back(question.referral_id),
    )


def rate_helping_question(request: HttpRequest, question_id: int) -> HttpResponse:
    question = load_question(request, question_id, Perm.CASEWORK_RECORD)
    return form_action_page(
        request,
        form=RatingForm(request.POST or None),
        template="cycles/helping_question_rate.html",
        context={"referral": question.referral, "question": question},
        perform=lambda data: actions.rate_helping_question(question=question, by=request.user, request=request, **data),
        success_message="Rating recorded.",
        success_url=_back(question.referral_id),
    )
