"""Footage API: a filming's footage record (read, record or correct) and confirming its destruction."""

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import log_access, log_list
from accounts.models import AccessAction
from accounts.permissions import Perm
from referrals.models import Allocation, Referral
from web.api import (
    ACTION_RESPONSES,
    FIELD_ERRORS,
    FORBIDDEN,
    NOT_FOUND,
    ActionView,
    SavedOnce,
    load_visible,
    require,
    run_action,
)
from web.pagination import PAGE_PARAMETERS, Page, page_of

from .. import actions
from ..models import Filming, Footage
from ..serializers.footage import DestructionIn, DestructionListParams, FootageDueOut, FootageIn, FootageOut

TAGS = ["footage"]


def load_filming(request, pk: int) -> Filming:
    queryset = (
        Filming.objects.filter(cycle__referral__in=Referral.objects.visible_to(request.user))
        .select_related("cycle__referral__service")
        .prefetch_related(Prefetch("cycle__referral__allocations", queryset=Allocation.objects.with_holding()))
    )
    return load_visible(queryset, request._request, pk)


def footage_out(pk: int) -> dict:
    return FootageOut(Footage.objects.select_related("filming__cycle", "destruction_confirmed_by").get(pk=pk)).data


class FilmingFootageView(SavedOnce, APIView):
    @extend_schema(
        operation_id="filmings_footage_retrieve",
        tags=TAGS,
        responses={200: FootageOut, 403: FORBIDDEN, 404: NOT_FOUND},
        description="Where the filming's footage is held, the family's copy and its destruction (404 if none yet).",
    )
    def get(self, request, pk: int):
        filming = load_filming(request, pk)
        require(request.user, Perm.REFERRAL_VIEW, filming.cycle.referral)
        footage = Footage.objects.filter(filming=filming).first()
        if footage is None:
            raise NotFound("No footage recorded for this filming yet.")
        log_access(action=AccessAction.VIEW, request=request._request, obj=footage)
        return Response(footage_out(footage.pk))

    @extend_schema(
        operation_id="filmings_footage_record",
        tags=TAGS,
        request=FootageIn,
        responses={200: FootageOut, 201: FootageOut, **ACTION_RESPONSES},
        description="Record (201) or correct (200) where the footage is held and whether the family has its copy. "
        "Destroyed footage cannot be changed (409).",
    )
    def post(self, request, pk: int):
        filming = load_filming(request, pk)
        require(request.user, Perm.CASEWORK_RECORD, filming.cycle.referral)
        data = FootageIn(data=request.data)
        data.is_valid(raise_exception=True)
        existed = Footage.objects.filter(filming=filming).exists()
        footage = run_action(
            actions.record_footage, filming=filming, by=request.user, request=request._request, **data.validated_data
        )
        return Response(footage_out(footage.pk), status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class FootageDestructionListView(APIView):
    @extend_schema(
        operation_id="footage_destruction_list",
        tags=TAGS,
        parameters=[DestructionListParams, *PAGE_PARAMETERS],
        responses={200: page_of(FootageDueOut), 400: FIELD_ERRORS, 403: FORBIDDEN},
        description="Footage whose destruction date is set (at discharge) and whose destruction is not yet "
        "confirmed, soonest first, for the families where you may confirm it (footage.confirm_destruction): the "
        'list behind the dashboard\'s "footage past its destruction date" and the daily overdue notices.',
    )
    def get(self, request):
        require(request.user, Perm.FOOTAGE_DESTRUCTION_CONFIRM)
        params = DestructionListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        today = timezone.localdate()
        families = Referral.objects.visible_to(request.user, Perm.FOOTAGE_DESTRUCTION_CONFIRM)
        due = Footage.objects.filter(
            filming__cycle__referral__in=families, destroy_by__isnull=False, destroyed_on__isnull=True
        )
        if params.validated_data["overdue"]:
            due = due.past_destruction_date(today)
        due = due.select_related("filming__cycle__referral", "destruction_confirmed_by").order_by("destroy_by", "pk")
        page = Page(request, due)
        for footage in page.rows:
            footage.overdue = footage.destroy_by < today
        log_list(
            request=request._request,
            object_type="cycles.footage",
            ids=[f.pk for f in page.rows],
            detail={"list": "footage destruction"},
        )
        return page.response(FootageDueOut(page.rows, many=True).data)


@extend_schema_view(
    post=extend_schema(
        operation_id="footage_confirm_destruction",
        tags=TAGS,
        request=DestructionIn,
        responses={200: FootageOut, **ACTION_RESPONSES},
        description="Confirm the footage was destroyed on a date (the practitioner or a coordinator). Twice: 409.",
    )
)
class FootageDestructionView(ActionView):
    input_serializer, permission, record_kwarg = DestructionIn, Perm.FOOTAGE_DESTRUCTION_CONFIRM, "footage"
    action = actions.confirm_footage_destroyed

    def load(self, request, pk: int):
        queryset = (
            Footage.objects.filter(filming__cycle__referral__in=Referral.objects.visible_to(request.user))
            .select_related("filming__cycle__referral__service")
            .prefetch_related(
                Prefetch("filming__cycle__referral__allocations", queryset=Allocation.objects.with_holding())
            )
        )
        footage = load_visible(queryset, request._request, pk)
        require(request.user, self.permission, footage.filming.cycle.referral)
        return footage

    def respond(self, request, record, result):
        return Response(footage_out(record.pk))
