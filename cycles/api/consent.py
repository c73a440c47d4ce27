"""Consent and helping-question API: the same reads, actions and scoping as the pages.

Load what the user may see (a logged 404 otherwise), check the permission on the family (403), validate (400),
call one action (its refusals: 400 or 409), answer with the record. Reads and downloads go into the access log.
"""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import log_access, log_list
from accounts.models import AccessAction
from accounts.permissions import Perm
from cycles.reads.consents import consents_visible_to, consents_with_decisions
from cycles.reads.helping_questions import questions_visible_to, questions_with_ratings, with_progress
from referrals.loading import referral_for_api
from referrals.models import Referral
from web.api import ACTION_RESPONSES, NOT_FOUND, ActionView, SavedOnce, load_visible, require, run_action
from web.pagination import PAGE_PARAMETERS, Page, page_of

from .. import actions
from ..models import ConsentGiver
from ..serializers.consent import (
    ConsentIn,
    ConsentOut,
    ConsentWithdrawIn,
    HelpingQuestionIn,
    HelpingQuestionOut,
    RatingIn,
)
from ..uploads import download_signed_form

TAGS = ["consent and helping questions"]


def load_family(request, pk: int, perm: Perm = Perm.REFERRAL_VIEW) -> Referral:
    return referral_for_api(request, pk, perm)


def load_on_family(queryset, request, pk: int, perm: Perm):
    """A consent or question of a family the user may see (a logged 404 otherwise), then `perm` on the family."""
    record = load_visible(queryset, request, pk)
    record.referral = Referral.objects.with_record_details().get(pk=record.referral_id)
    require(request.user, perm, record.referral)
    return record


def consent_out(consent) -> dict:
    """The consent as it is now, with every giver and decision."""
    return ConsentOut(consents_with_decisions(consent.referral_id).get(pk=consent.pk)).data


def questions_out(referral: Referral) -> list:
    return HelpingQuestionOut(with_progress(questions_with_ratings(referral)), many=True).data


class ConsentListView(SavedOnce, APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="consents_list",
        tags=TAGS,
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(ConsentOut), 404: NOT_FOUND},
        description="The family's consents, newest first, with each person's answer to each item and withdrawals.",
    )
    def get(self, request, pk: int):
        referral = load_family(request, pk)
        page = Page(request, consents_with_decisions(referral))
        log_list(request=request._request, object_type="cycles.consent", ids=[c.pk for c in page.rows])
        return page.response(ConsentOut(page.rows, many=True).data)

    @extend_schema(
        operation_id="consents_create",
        tags=TAGS,
        request={"application/json": ConsentIn, "multipart/form-data": ConsentIn},
        responses={201: ConsentOut, **ACTION_RESPONSES},
        description="Record written consent before filming (allocated practitioner, allocated family). Each giver "
        "is a parent or an older child of this referral, with a boolean per item. The signed form, if sent "
        "(multipart), must really be a PDF, JPEG or PNG (checked by content) within the size limit. Sharing clips "
        "needs sharing_with.",
    )
    def post(self, request, pk: int):
        referral = load_family(request, pk, Perm.CASEWORK_RECORD)
        data = ConsentIn(data=request.data)
        data.is_valid(raise_exception=True)
        consent = run_action(
            actions.record_consent,
            referral=referral,
            by=request.user,
            request=request._request,
            **data.action_data(referral),
        )
        location = reverse("api:consent-detail", kwargs={"consent_id": consent.pk})
        return Response(consent_out(consent), status=status.HTTP_201_CREATED, headers={"Location": location})


class ConsentDetailView(APIView):
    @extend_schema(operation_id="consents_retrieve", tags=TAGS, responses={200: ConsentOut, 404: NOT_FOUND})
    def get(self, request, consent_id: int):
        consent = load_on_family(consents_visible_to(request.user), request, consent_id, Perm.REFERRAL_VIEW)
        log_access(action=AccessAction.VIEW, request=request._request, obj=consent)
        return Response(consent_out(consent))


class ConsentWithdrawView(ActionView):
    input_serializer, permission, action, record_kwarg = ConsentWithdrawIn, Perm.CASEWORK_RECORD, None, "consent"

    def load(self, request, pk: int):
        return load_on_family(consents_visible_to(request.user), request, pk, self.permission)

    def perform(self, request, record, data: dict):
        givers = None
        if data.get("givers"):
            givers = list(ConsentGiver.objects.filter(consent=record, pk__in=data["givers"]))
            if len(givers) != len(set(data["givers"])):
                raise ValidationError({"givers": ["Choose people who gave this consent."]})
        return run_action(
            actions.withdraw_consent,
            consent=record,
            givers=givers,
            items=data.get("items") or "all",
            withdrawn_on=data["withdrawn_on"],
            reason=data["reason"],
            by=request.user,
            request=request._request,
        )

    def respond(self, request, record, result):
        return Response(consent_out(record))

    @extend_schema(
        operation_id="consents_withdraw",
        tags=TAGS,
        request=ConsentWithdrawIn,
        responses={200: ConsentOut, **ACTION_RESPONSES},
        description="Withdraw consent wholly or for some items, for everyone who gave it or some of them, from a "
        "date. Nothing agreed is deleted; from that date the app refuses what is no longer covered.",
    )
    def post(self, request, consent_id: int):
        return super().post(request, consent_id)


class ConsentSignedFormView(APIView):
    @extend_schema(
        operation_id="consents_signed_form",
        tags=TAGS,
        responses={(200, "application/octet-stream"): OpenApiResponse(description="The file, as an attachment")},
        description="Download the signed form (PDF, JPEG or PNG). Each download is written to the access log.",
    )
    def get(self, request, consent_id: int):
        consent = load_on_family(consents_visible_to(request.user), request, consent_id, Perm.REFERRAL_VIEW)
        return download_signed_form(consent, request=request._request)


class HelpingQuestionListView(SavedOnce, APIView):
    @extend_schema(
        operation_id="helping_questions_list",
        tags=TAGS,
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(HelpingQuestionOut), 404: NOT_FOUND},
        description="The family's helping questions with every rating and start → latest.",
    )
    def get(self, request, pk: int):
        referral = load_family(request, pk)
        page = Page(request, questions_out(referral))  # at most three a family
        log_list(request=request._request, object_type="cycles.helpingquestion", ids=[q["id"] for q in page.rows])
        return page.response(page.rows)

    @extend_schema(
        operation_id="helping_questions_create",
        tags=TAGS,
        request=HelpingQuestionIn,
        responses={201: HelpingQuestionOut, **ACTION_RESPONSES},
        description="Add a helping question in the parent's own words; a family has at most three (409 after).",
    )
    def post(self, request, pk: int):
        referral = load_family(request, pk, Perm.CASEWORK_RECORD)
        data = HelpingQuestionIn(data=request.data)
        data.is_valid(raise_exception=True)
        question = run_action(
            actions.add_helping_question,
            referral=referral,
            by=request.user,
            request=request._request,
            **data.validated_data,
        )
        body = next(q for q in questions_out(referral) if q["id"] == question.pk)
        return Response(body, status=status.HTTP_201_CREATED)


class QuestionActionView(ActionView):
    permission, record_kwarg = Perm.CASEWORK_RECORD, "question"

    def load(self, request, pk: int):
        return load_on_family(questions_visible_to(request.user), request, pk, self.permission)

    def respond(self, request, record, result):
        body = next(q for q in questions_out(record.referral) if q["id"] == record.pk)
        return Response(body)


class HelpingQuestionRatingsView(QuestionActionView):
    input_serializer, action = RatingIn, actions.rate_helping_question

    @extend_schema(
        operation_id="helping_questions_rate",
        tags=TAGS,
        request=RatingIn,
        responses={200: HelpingQuestionOut, **ACTION_RESPONSES},
        description="Rate a helping question 0–10 at the start, part-way (mid) or at the end. Part-way and end "
        "need the start rating first (409); the start and end are rated once; earlier ratings are kept.",
    )
    def post(self, request, question_id: int):
        return super().post(request, question_id)


class HelpingQuestionWordingView(QuestionActionView):
    input_serializer, action = HelpingQuestionIn, actions.change_helping_question_wording

    @extend_schema(
        operation_id="helping_questions_reword",
        tags=TAGS,
        request=HelpingQuestionIn,
        responses={200: HelpingQuestionOut, **ACTION_RESPONSES},
        description="Change a question's wording; the family's history keeps the old words.",
    )
    def post(self, request, question_id: int):
        return super().post(request, question_id)
