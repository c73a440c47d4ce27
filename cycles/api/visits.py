"""Visits, the diary and liaison through the API: the same reads and actions as the pages.

A visit is loaded from the visits of families the user may see (another family's visit id is a logged 404);
booking, recording and liaison need Perm.CASEWORK_RECORD on the family (the allocated practitioner), reading
needs Perm.REFERRAL_VIEW (coordinators and managers in scope, the trainee's supervisor too).
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import get_visible_or_404, log_access, log_list
from accounts.models import AccessAction
from accounts.permissions import Perm
from cycles.reads.visits import diary_visits, visible_visits, visits_with_details
from referrals.loading import referral_for_api
from web.api import ACTION_RESPONSES, FORBIDDEN, NOT_FOUND, ActionView, SavedOnce, require, run_action
from web.pagination import PAGE_PARAMETERS, Page, page_of

from .. import actions
from ..models import Liaison, Visit
from ..serializers.visits import (
    DiaryParams,
    LiaisonIn,
    LiaisonOut,
    VisitBookIn,
    VisitOut,
    VisitRecordIn,
    VisitRescheduleIn,
)

TAGS = ["visits"]


load_referral = referral_for_api


def load_visit(request, pk: int, perm: Perm) -> Visit:
    visit = get_visible_or_404(visible_visits(request.user), request=request._request, pk=pk)
    require(request.user, perm, visit.referral)
    return visit


def visit_out(pk: int) -> dict:
    return VisitOut(visits_with_details().get(pk=pk)).data


class ReferralVisitsView(SavedOnce, GenericAPIView):
    """A family's visits, newest first; or book one."""

    serializer_class = VisitOut
    queryset = Visit.objects.none()  # for the schema; get() reads the family's visits
    filter_backends: list = []

    @extend_schema(
        operation_id="visits_list",
        tags=TAGS,
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(VisitOut), 403: FORBIDDEN, 404: NOT_FOUND},
        description="The family's visits, newest first, with their activities and outcomes.",
    )
    def get(self, request, pk: int):
        referral = load_referral(request, pk, Perm.REFERRAL_VIEW)
        visits = visits_with_details(Visit.objects.filter(referral=referral)).order_by("-planned_at", "-pk")
        page = self.paginate_queryset(visits)
        log_list(request=request._request, object_type="cycles.visit", ids=[v.pk for v in page], detail={})
        return self.get_paginated_response(VisitOut(page, many=True).data)

    @extend_schema(
        operation_id="visits_book",
        tags=TAGS,
        request=VisitBookIn,
        responses={201: VisitOut, **ACTION_RESPONSES},
        description="Book a visit for the family's allocated practitioner (only they may). Place 'other' needs "
        "place_details.",
    )
    def post(self, request, pk: int):
        referral = load_referral(request, pk, Perm.CASEWORK_RECORD)
        data = VisitBookIn(data=request.data)
        data.is_valid(raise_exception=True)
        visit = run_action(
            actions.book_visit, referral=referral, by=request.user, request=request._request, **data.validated_data
        )
        location = reverse("api:visit-detail", kwargs={"pk": visit.pk})
        return Response(visit_out(visit.pk), status=status.HTTP_201_CREATED, headers={"Location": location})


class VisitDetailView(APIView):
    @extend_schema(
        operation_id="visits_retrieve",
        tags=TAGS,
        responses={200: VisitOut, 403: FORBIDDEN, 404: NOT_FOUND},
        description="One visit (each look is logged).",
    )
    def get(self, request, pk: int):
        visit = load_visit(request, pk, Perm.REFERRAL_VIEW)
        log_access(action=AccessAction.VIEW, request=request._request, obj=visit)
        return Response(VisitOut(visit).data)


class VisitActionView(ActionView):
    permission = Perm.CASEWORK_RECORD
    record_kwarg = "visit"

    def load(self, request, pk: int):
        return load_visit(request, pk, self.permission)

    def respond(self, request, record, result):
        return Response(visit_out(record.pk))


@extend_schema_view(
    post=extend_schema(
        operation_id="visits_record",
        tags=TAGS,
        request=VisitRecordIn,
        responses={200: VisitOut, **ACTION_RESPONSES},
        description="Record what happened. Attended needs duration_minutes and cannot be recorded before the visit's "
        "time; did not attend and the cancellations need outcome_reason. Recorded already: 409.",
    )
)
class VisitRecordView(VisitActionView):
    input_serializer, action = VisitRecordIn, actions.record_visit


@extend_schema_view(
    post=extend_schema(
        operation_id="visits_reschedule",
        tags=TAGS,
        request=VisitRescheduleIn,
        responses={200: VisitOut, **ACTION_RESPONSES},
        description="Move a planned visit to another time. Recorded already: 409.",
    )
)
class VisitRescheduleView(VisitActionView):
    input_serializer, action = VisitRescheduleIn, actions.reschedule_visit


class DiaryView(APIView):
    @extend_schema(
        operation_id="diary",
        tags=TAGS,
        parameters=[DiaryParams, *PAGE_PARAMETERS],
        responses={200: page_of(VisitOut), 403: FORBIDDEN},
        description="Your planned visits across your caseload in time order: first those whose time has passed but "
        "are not yet recorded (`not_yet_recorded`), then those of the coming `weeks`. Practitioners only.",
    )
    def get(self, request):
        require(request.user, Perm.CASEWORK_RECORD)
        params = DiaryParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        until = timezone.now() + timedelta(weeks=params.validated_data["weeks"])
        page = Page(request, diary_visits(request.user).filter(planned_at__lt=until))
        ids = [v.pk for v in page.rows]
        log_list(request=request._request, object_type="cycles.visit", ids=ids, detail={"list": "diary"})
        return page.response(VisitOut(page.rows, many=True).data)


class ReferralLiaisonsView(SavedOnce, GenericAPIView):
    """The family's liaison with the referrer; or record one."""

    serializer_class = LiaisonOut
    queryset = Liaison.objects.none()
    filter_backends: list = []

    @extend_schema(
        operation_id="liaisons_list",
        tags=TAGS,
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(LiaisonOut), 403: FORBIDDEN, 404: NOT_FOUND},
        description="Contacts with the referrer, newest first.",
    )
    def get(self, request, pk: int):
        referral = load_referral(request, pk, Perm.REFERRAL_VIEW)
        liaisons = Liaison.objects.filter(referral=referral).select_related("recorded_by")
        page = self.paginate_queryset(liaisons.order_by("-contacted_on", "-pk"))
        log_list(request=request._request, object_type="cycles.liaison", ids=[x.pk for x in page], detail={})
        return self.get_paginated_response(LiaisonOut(page, many=True).data)

    @extend_schema(
        operation_id="liaisons_create",
        tags=TAGS,
        request=LiaisonIn,
        responses={201: LiaisonOut, **ACTION_RESPONSES},
        description="Record contact with the referrer after allocation (the allocated practitioner only).",
    )
    def post(self, request, pk: int):
        referral = load_referral(request, pk, Perm.CASEWORK_RECORD)
        data = LiaisonIn(data=request.data)
        data.is_valid(raise_exception=True)
        liaison = run_action(
            actions.record_liaison, referral=referral, by=request.user, request=request._request, **data.validated_data
        )
        return Response(LiaisonOut(liaison).data, status=status.HTTP_201_CREATED)
