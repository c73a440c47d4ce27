"""Allocation and caseload API: the same actions, reads and permission rules as the allocation pages.

Allocating, reallocating and unallocating load the referral the user may see (404 otherwise), check
referral.allocate on it (403), validate the input (400) and call one action; a refused state change (allocated
by someone else a moment ago, say) is a 409. The reads use `referrals.caseloads`, in a fixed number of queries,
and every list of families is written to the access log with the ids shown.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import log_list
from accounts.models import Role, User
from vig_service.permissions import Perm, memberships_with, services_with

from . import actions
from .allocation_serializers import (
    AllocateIn,
    AllocationOut,
    CandidateOut,
    CaseloadMineParams,
    CaseloadRowOut,
    PractitionerOut,
    ReallocateIn,
    ReferralStatusOut,
    UnallocateIn,
)
from .allocation_views import practitioner_membership_for
from .api import CONFLICT, FIELD_ERRORS, FORBIDDEN, NOT_FOUND, OBJECT_TYPE, run_action, visible_referral
from .caseloads import (
    caseload_allocations,
    caseload_rows,
    practitioner_caseload_allocations,
    practitioners_in,
    ranked_candidates,
)
from .models import Allocation, Referral
from .serializers import ErrorOut

ALLOCATION_TAGS = ["allocation"]
CASELOAD_TAGS = ["caseloads"]
ACTION_RESPONSES = {400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT}
NOT_A_PRACTITIONER = "Choose a practitioner of this service"


# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------


def _practitioner(user_id: int) -> User:
    """The user the body names; an unknown id gets the same answer as another service's practitioner."""
    practitioner = User.objects.filter(pk=user_id).first()
    if practitioner is None:
        raise serializers.ValidationError({"practitioner": [NOT_A_PRACTITIONER]})
    return practitioner


def _allocation_out(allocation: Allocation) -> dict:
    allocation = Allocation.objects.select_related("practitioner", "supervisor", "allocated_by").get(pk=allocation.pk)
    return AllocationOut(allocation).data


def _rows_out(request, rows, detail: dict) -> list[dict]:
    """Caseload rows as JSON, after logging exactly which families were shown."""
    log_list(request=request._request, object_type=OBJECT_TYPE, ids=[r.referral.pk for r in rows], detail=detail)
    return CaseloadRowOut(rows, many=True).data


# ---------------------------------------------------------------------------------------------------------------
# Allocate, reallocate, unallocate
# ---------------------------------------------------------------------------------------------------------------


class ReferralAllocateView(APIView):
    @extend_schema(
        operation_id="referrals_allocate",
        tags=ALLOCATION_TAGS,
        request=AllocateIn,
        responses={200: AllocationOut, **ACTION_RESPONSES},
        description=(
            "Give an accepted referral to a practitioner of its service (see candidates/ for the best first). "
            "A trainee needs a named supervisor; a practitioner at capacity or whose availability is paused needs "
            "an over_capacity_reason. Allocated already (by someone else a moment ago, say) is a 409."
        ),
    )
    def post(self, request, pk: int):
        referral = visible_referral(request, pk, Perm.REFERRAL_ALLOCATE)
        data = AllocateIn(data=request.data)
        data.is_valid(raise_exception=True)
        allocation = run_action(
            actions.allocate_referral,
            referral=referral,
            practitioner=_practitioner(data.validated_data["practitioner"]),
            over_capacity_reason=data.validated_data["over_capacity_reason"],
            by=request.user,
            request=request._request,
        )
        return Response(_allocation_out(allocation))


class ReferralReallocateView(APIView):
    @extend_schema(
        operation_id="referrals_reallocate",
        tags=ALLOCATION_TAGS,
        request=ReallocateIn,
        responses={200: AllocationOut, **ACTION_RESPONSES},
        description=(
            "Move an allocated referral to a different practitioner, with the reason (the practitioner left, the "
            "family moved site). The ended allocation stays in the history; the same checks as allocating apply."
        ),
    )
    def post(self, request, pk: int):
        referral = visible_referral(request, pk, Perm.REFERRAL_ALLOCATE)
        data = ReallocateIn(data=request.data)
        data.is_valid(raise_exception=True)
        allocation = run_action(
            actions.reallocate_referral,
            referral=referral,
            practitioner=_practitioner(data.validated_data["practitioner"]),
            reason=data.validated_data["reason"],
            over_capacity_reason=data.validated_data["over_capacity_reason"],
            by=request.user,
            request=request._request,
        )
        return Response(_allocation_out(allocation))


class ReferralUnallocateView(APIView):
    @extend_schema(
        operation_id="referrals_unallocate",
        tags=ALLOCATION_TAGS,
        request=UnallocateIn,
        responses={200: ReferralStatusOut, **ACTION_RESPONSES},
        description="Back to the waiting list (allocated → accepted), with the reason. The allocation is kept.",
    )
    def post(self, request, pk: int):
        referral = visible_referral(request, pk, Perm.REFERRAL_ALLOCATE)
        data = UnallocateIn(data=request.data)
        data.is_valid(raise_exception=True)
        run_action(
            actions.unallocate_referral,
            referral=referral,
            reason=data.validated_data["reason"],
            by=request.user,
            request=request._request,
        )
        return Response(ReferralStatusOut(Referral.objects.get(pk=referral.pk)).data)


class ReferralCandidatesView(APIView):
    @extend_schema(
        operation_id="referrals_candidates",
        tags=ALLOCATION_TAGS,
        responses={200: CandidateOut(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
        description=(
            "The practitioners of the referral's service, best candidates first: those who can be allocated, "
            "not paused, at the referral's site, with spare capacity, with the earliest protected day, and the "
            "fewest open families. Needs the referral.allocate permission on the referral."
        ),
    )
    def get(self, request, pk: int):
        referral = visible_referral(request, pk, Perm.REFERRAL_ALLOCATE)
        return Response(CandidateOut(ranked_candidates(referral), many=True).data)


# ---------------------------------------------------------------------------------------------------------------
# Practitioners and caseloads
# ---------------------------------------------------------------------------------------------------------------


class PractitionerListView(APIView):
    @extend_schema(
        operation_id="practitioners_list",
        tags=CASELOAD_TAGS,
        responses={200: PractitionerOut(many=True)},
        description=(
            "Practitioners of the services where you hold practitioner.view, with their open families and "
            "capacity, by surname. Empty for anyone else."
        ),
    )
    def get(self, request):
        practitioners = practitioners_in(services_with(request.user, Perm.PRACTITIONER_VIEW))
        log_list(
            request=request._request,
            object_type="accounts.membership",
            ids=[m.pk for m in practitioners],
            detail={"list": "practitioners"},
        )
        return Response(PractitionerOut(practitioners, many=True).data)


class CaseloadMineView(APIView):
    @extend_schema(
        operation_id="caseloads_mine",
        tags=CASELOAD_TAGS,
        parameters=[CaseloadMineParams],
        responses={200: CaseloadRowOut(many=True), 400: FIELD_ERRORS},
        description=(
            "Your open families, longest allocated first; with as=supervisor, the families of the trainees you "
            "supervise. Only services where you hold that role count; empty if you hold it nowhere."
        ),
    )
    def get(self, request):
        params = CaseloadMineParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        user = request.user
        if params.validated_data["as"] == "supervisor":
            role, filters, listed = Role.SUPERVISOR, {"supervisor": user}, "trainees' caseloads"
        else:
            role, filters, listed = Role.PRACTITIONER, {"practitioner": user}, "own caseload"
        # As the permission scopes: a practitioner (supervisor) sees their (trainees') families in the services
        # where they hold that role, so an allocation left in a service they have left is not shown.
        service_ids = {m.service_id for m in memberships_with(user, Perm.CASELOAD_VIEW) if m.role == role}
        rows = caseload_rows(caseload_allocations(referral__service_id__in=service_ids, **filters))
        return Response(_rows_out(request, rows, {"list": listed}))


class CaseloadDetailView(APIView):
    @extend_schema(
        operation_id="caseloads_retrieve",
        tags=CASELOAD_TAGS,
        responses={
            200: CaseloadRowOut(many=True),
            403: OpenApiResponse(ErrorOut, description="Not your caseload, your trainee's, or your service's."),
            404: OpenApiResponse(ErrorOut, description="No such practitioner membership."),
        },
        description=(
            "One practitioner's open families in one service (membership_id from practitioners/). Open to the "
            "practitioner, their supervisor, and those holding practitioner.view in the service."
        ),
    )
    def get(self, request, membership_id: int):
        try:
            membership = practitioner_membership_for(request, membership_id)
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied from error  # the API's handler logs the refusal
        rows = caseload_rows(practitioner_caseload_allocations(request.user, membership))
        return Response(_rows_out(request, rows, {"list": "caseload", "membership": membership.pk}))
