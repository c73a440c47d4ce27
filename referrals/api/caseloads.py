"""Practitioner and caseload API: the same reads and permission rules as the caseload pages.

The reads use `referrals.reads.caseloads`, in a fixed number of queries, and every list of families is written to the
access log with the ids shown.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import log_list
from accounts.models import Membership, Role
from accounts.permissions import Perm, memberships_for, services_with
from referrals.reads.caseloads import (
    caseload_rows,
    my_caseload_allocations,
    practitioner_caseload_allocations,
    practitioner_membership_for,
    practitioners_in,
)
from web.api import FIELD_ERRORS, ErrorOut, ServiceParam, membership_of_user
from web.pagination import PAGE_PARAMETERS, Page, page_of

from ..serializers.allocation import CaseloadMineParams, CaseloadRowOut, PractitionerOut
from .referrals import OBJECT_TYPE

TAGS = ["caseloads"]


def _rows_out(request, rows, detail: dict) -> Response:
    """One page of caseload rows, after logging exactly which families were shown."""
    page = Page(request, rows)
    log_list(request=request._request, object_type=OBJECT_TYPE, ids=[r.referral.pk for r in page.rows], detail=detail)
    return page.response(CaseloadRowOut(page.rows, many=True).data)


class PractitionerListView(APIView):
    @extend_schema(
        operation_id="practitioners_list",
        tags=TAGS,
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(PractitionerOut)},
        description=(
            "Practitioners of the services where you hold practitioner.view, with their open families and "
            "capacity, by surname. Empty for anyone else."
        ),
    )
    def get(self, request):
        page = Page(request, practitioners_in(services_with(request.user, Perm.PRACTITIONER_VIEW)))
        log_list(
            request=request._request,
            object_type="accounts.membership",
            ids=[m.pk for m in page.rows],
            detail={"list": "practitioners"},
        )
        return page.response(PractitionerOut(page.rows, many=True).data)


class CaseloadMineView(APIView):
    @extend_schema(
        operation_id="caseloads_mine",
        tags=TAGS,
        parameters=[CaseloadMineParams, *PAGE_PARAMETERS],
        responses={200: page_of(CaseloadRowOut), 400: FIELD_ERRORS},
        description=(
            "Your open families, longest allocated first; with as=supervisor, the families of the trainees you "
            "supervise. Only services where you hold that role count; empty if you hold it nowhere."
        ),
    )
    def get(self, request):
        params = CaseloadMineParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        if params.validated_data["as"] == "supervisor":
            role, listed = Role.SUPERVISOR, "trainees' caseloads"
        else:
            role, listed = Role.PRACTITIONER, "own caseload"
        rows = caseload_rows(my_caseload_allocations(request.user, role))
        return _rows_out(request, rows, {"list": listed})


class CaseloadDetailView(APIView):
    @extend_schema(
        operation_id="caseloads_retrieve",
        tags=TAGS,
        responses={
            200: page_of(CaseloadRowOut),
            400: FIELD_ERRORS,
            403: OpenApiResponse(ErrorOut, description="Not your caseload, your trainee's, or your service's."),
            404: OpenApiResponse(ErrorOut, description="No such practitioner in your services."),
        },
        parameters=[ServiceParam, *PAGE_PARAMETERS],
        description=(
            "One practitioner's (user id, as in practitioners/) open families in one service. Open to the "
            "practitioner, their supervisor, and those holding practitioner.view in the service. Name the "
            "`service` if they practise in more than one of yours (400 otherwise)."
        ),
    )
    def get(self, request, user_id: int):
        params = ServiceParam(data=request.query_params)
        params.is_valid(raise_exception=True)
        mine = Membership.objects.active().filter(
            role=Role.PRACTITIONER, service_id__in={m.service_id for m in memberships_for(request.user)}
        )
        found = membership_of_user(mine, request, user_id, params.validated_data.get("service"))
        membership = practitioner_membership_for(request.user, found.pk)  # 403, logged by the handler
        rows = caseload_rows(practitioner_caseload_allocations(request.user, membership))
        return _rows_out(request, rows, {"list": "caseload", "membership": membership.pk})
