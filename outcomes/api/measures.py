"""Outcomes API: instrument definitions (no family data), a family's measures (list, record), one measure, and a
correction. The same actions and scoping as the pages."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import log_access, log_list
from accounts.models import AccessAction
from accounts.permissions import Perm
from referrals.models import Referral
from web.api import ACTION_RESPONSES, NOT_FOUND, load_visible, run_action

from .. import actions, definitions
from ..models import Measure
from ..serializers import CorrectionIn, InstrumentOut, MeasureIn, MeasureOut

TAGS = ["outcomes"]


class InstrumentListView(APIView):
    """Every shipped instrument's scoring definition. No wording we may not ship; no family data."""

    @extend_schema(operation_id="instruments_list", tags=TAGS, responses={200: InstrumentOut(many=True)})
    def get(self, request):
        return Response(InstrumentOut(list(definitions.instruments().values()), many=True).data)


class InstrumentDetailView(APIView):
    @extend_schema(operation_id="instruments_retrieve", tags=TAGS, responses={200: InstrumentOut, 404: NOT_FOUND})
    def get(self, request, code: str):
        if code not in definitions.instruments():
            raise Http404
        return Response(InstrumentOut(definitions.get(code)).data)


def _measure_out(measure: Measure) -> dict:
    return MeasureOut(measure).data


class ReferralMeasureListView(APIView):
    """A family's completed measures (current and corrected versions), and recording a new one."""

    @extend_schema(
        operation_id="referral_measures_list", tags=TAGS, responses={200: MeasureOut(many=True), 404: NOT_FOUND}
    )
    def get(self, request, pk: int):
        referral = load_visible(
            Referral.objects.visible_to(request.user).with_record_details(), request, pk, Perm.REFERRAL_VIEW
        )
        measures = list(
            Measure.objects.filter(referral=referral).select_related("recorded_by").order_by("completed_on", "pk")
        )
        log_list(request=request._request, object_type="outcomes.measure", ids=[m.pk for m in measures])
        return Response(MeasureOut(measures, many=True).data)

    @extend_schema(
        operation_id="referral_measures_create",
        tags=TAGS,
        request=MeasureIn,
        responses={201: MeasureOut, **ACTION_RESPONSES},
        description="Score and keep a measure. A risk answer (EPDS item 10, PHQ-9 item 9, CORE-10 item 6 above 0) "
        "comes back in `risk` and raises urgent notices to the allocated practitioner and the coordinators. Answers "
        "the instrument's missing-item rule cannot score are 400 (an error per missing item) unless "
        "`not_scored_reason` is given; a blank risk item is 400 unless `risk_responses` says it was declined.",
    )
    def post(self, request, pk: int):
        referral = load_visible(
            Referral.objects.visible_to(request.user).with_record_details(), request, pk, Perm.OUTCOME_RECORD
        )
        data = MeasureIn(data=request.data)
        data.is_valid(raise_exception=True)
        measure = run_action(
            actions.record_measure, referral=referral, by=request.user, request=request._request, **data.validated_data
        )
        return Response(_measure_out(measure), status=status.HTTP_201_CREATED)


def _load_measure(request, pk: int, perm: Perm) -> Measure:
    return load_visible(Measure.objects.visible_to(request.user).with_details(), request, pk, perm)


class MeasureDetailView(APIView):
    @extend_schema(operation_id="measures_retrieve", tags=TAGS, responses={200: MeasureOut, 404: NOT_FOUND})
    def get(self, request, pk: int):
        measure = _load_measure(request, pk, Perm.REFERRAL_VIEW)
        log_access(action=AccessAction.VIEW, request=request._request, obj=measure)
        return Response(_measure_out(measure))


class MeasureCorrectView(APIView):
    @extend_schema(
        operation_id="measures_correct",
        tags=TAGS,
        request=CorrectionIn,
        responses={201: MeasureOut, **ACTION_RESPONSES},
        description="Replace a measure with corrected answers and a reason; the original stays (its `is_current` "
        "becomes false) and the correction's `corrects` names it.",
    )
    def post(self, request, pk: int):
        measure = _load_measure(request, pk, Perm.OUTCOME_RECORD)
        data = CorrectionIn(data=request.data)
        data.is_valid(raise_exception=True)
        corrected = run_action(
            actions.correct_measure, measure=measure, by=request.user, request=request._request, **data.validated_data
        )
        return Response(_measure_out(corrected), status=status.HTTP_201_CREATED)
