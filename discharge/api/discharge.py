"""Discharge API: discharge a family (answers with the discharge and its drafted letters) and reopen one."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Perm
from referrals.models import Referral
from referrals.serializers.entered_in_error import EnteredInErrorIn
from web.api import ACTION_RESPONSES, ActionView, SavedOnce, load_visible, run_action

from .. import actions
from ..models import Discharge
from ..serializers.discharge import DischargeIn, DischargeOut, ReopenIn

TAGS = ["discharge"]


class _FamilyActionView(ActionView):
    def load(self, request, pk: int):
        queryset = Referral.objects.visible_to(request.user).with_record_details()
        return load_visible(queryset, request._request, pk, self.permission)


class DischargeView(_FamilyActionView):
    input_serializer, permission, action = DischargeIn, Perm.REFERRAL_DISCHARGE, actions.discharge_family

    @extend_schema(
        operation_id="referrals_discharge",
        tags=TAGS,
        request=DischargeIn,
        responses={201: DischargeOut, **ACTION_RESPONSES},
        description="Discharge an allocated family: the referral closes, the allocation ends, the footage's "
        "destruction dates are set, and the family letter (and the referrer and handover letters, if the family "
        "agreed) are drafted. Missing required end measures need missing_measures_reason. 409 if not allocated.",
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def respond(self, request, record, result) -> Response:
        discharge = Discharge.objects.select_related("referral").get(pk=result.pk)
        return Response(DischargeOut(discharge).data, status=status.HTTP_201_CREATED)


class ReopenView(_FamilyActionView):
    input_serializer, permission, action = ReopenIn, Perm.REFERRAL_REOPEN, actions.reopen_family

    @extend_schema(
        operation_id="referrals_reopen",
        tags=TAGS,
        request=ReopenIn,
        responses={200: DischargeOut, **ACTION_RESPONSES},
        description="A coordinator reopens a discharged family with a reason: back on the waiting list, or back "
        "with their practitioner (allocate_again). The discharge is kept, marked reopened. 409 if not discharged.",
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def respond(self, request, record, result) -> Response:
        discharge = Discharge.objects.filter(referral=record).select_related("referral").order_by("-pk").first()
        return Response(DischargeOut(discharge).data)


class RequestedActionEnteredInErrorView(SavedOnce, APIView):
    @extend_schema(
        operation_id="referrals_discharge_requested_action_entered_in_error",
        tags=TAGS,
        request=EnteredInErrorIn,
        responses={200: DischargeOut, **ACTION_RESPONSES},
        description="Mark requested action `number` (from 1) of the family's current discharge entered in error, "
        "with the reason: it stays in the discharge with entered_in_error, entered_in_error_reason, "
        "entered_in_error_by and entered_in_error_at, and leaves the letters drafted from then on. Who discharged "
        "the family or a coordinator of the service may (403 otherwise); 404 without a current discharge or such "
        "an action; 409 if marked already.",
    )
    def post(self, request, pk: int, number: int):
        referral = load_visible(Referral.objects.visible_to(request.user).with_record_details(), request._request, pk)
        current = Discharge.objects.current().filter(referral=referral).first()
        if current is None or not 1 <= number <= len(current.requested_actions):
            raise NotFound("No such requested action on the family's current discharge.")
        data = EnteredInErrorIn(data=request.data)
        data.is_valid(raise_exception=True)
        marked = run_action(
            actions.mark_requested_action_entered_in_error,
            discharge=current,
            number=number,
            by=request.user,
            request=request._request,
            **data.validated_data,
        )
        return Response(DischargeOut(Discharge.objects.select_related("referral").get(pk=marked.pk)).data)
