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
from outcomes.reads import family_outcomes
from referrals.models import Referral
from web.api import ACTION_RESPONSES, FORBIDDEN, NOT_FOUND, SavedOnce, load_visible, run_action
from web.pagination import PAGE_PARAMETERS, Page, page_of

from .. import actions, definitions
from ..models import Measure
from ..serializers import CorrectionIn, InstrumentOut, MeasureIn, MeasureOut
from ..serializers.change import OutcomeChangeOut

TAGS = ["outcomes"]


class InstrumentListView(APIView):
    """Every shipped instrument's scoring definition. No wording we may not ship; no family data."""

    @extend_schema(
        operation_id="instruments_list", tags=TAGS, parameters=PAGE_PARAMETERS, responses={200: page_of(InstrumentOut)}
    )
    def get(self, request):
        page = Page(request, list(definitions.instruments().values()))
        return page.response(InstrumentOut(page.rows, many=True).data)


class InstrumentDetailView(APIView):
    @extend_schema(operation_id="instruments_retrieve", tags=TAGS, responses={200: InstrumentOut, 404: NOT_FOUND})
    def get(self, request, code: str):
        if code not in definitions.instruments():
            raise Http404
        return Response(InstrumentOut(definitions.get(code)).data)


def _measure_out(measure: Measure) -> dict:
    return MeasureOut(measure).data


class ReferralMeasureListView(SavedOnce, APIView):
    """A family's completed measures (current and corrected versions), and recording a new one."""

    @extend_schema(
        operation_id="referral_measures_list",
        tags=TAGS,
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(MeasureOut), 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        referral = load_visible(
            Referral.objects.visible_to(request.user).with_record_details(), request, pk, Perm.REFERRAL_VIEW
        )
        page = Page(
            request,
            Measure.objects.filter(referral=referral).select_related("recorded_by").order_by("completed_on", "pk"),
        )
        log_list(request=request._request, object_type="outcomes.measure", ids=[m.pk for m in page.rows])
        return page.response(MeasureOut(page.rows, many=True).data)

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


class ReferralOutcomeChangeView(APIView):
    @extend_schema(
        operation_id="referral_outcomes",
        tags=TAGS,
        responses={200: OutcomeChangeOut, 403: FORBIDDEN, 404: NOT_FOUND},
        description="The family's outcome change, as its outcomes page shows it: each measure's scales by time "
        "point with bands, the change from baseline and reliable change where a threshold exists; the helping "
        "questions' ratings start → end. Each look is logged.",
    )
    def get(self, request, pk: int):
        referral = load_visible(
            Referral.objects.visible_to(request.user).with_record_details(), request, pk, Perm.REFERRAL_VIEW
        )
        data = family_outcomes(referral)
        log_access(action=AccessAction.VIEW, request=request._request, obj=referral, detail={"api": "outcomes"})
        return Response(OutcomeChangeOut({"referral": referral.pk, **data}).data)


def _load_measure(request, pk: int, perm: Perm) -> Measure:
    return load_visible(Measure.objects.visible_to(request.user).with_details(), request, pk, perm)


class MeasureDetailView(APIView):
    @extend_schema(operation_id="measures_retrieve", tags=TAGS, responses={200: MeasureOut, 404: NOT_FOUND})
    def get(self, request, pk: int):
        measure = _load_measure(request, pk, Perm.REFERRAL_VIEW)
        log_access(action=AccessAction.VIEW, request=request._request, obj=measure)
        return Response(_measure_out(measure))


class MeasureCorrectView(SavedOnce, APIView):
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
