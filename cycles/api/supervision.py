"""Supervision API: sessions (list, record), a trainee's progress, a stage reached. The same reads and actions as
the pages: only the trainee's own supervisor records; the trainee, their supervisor and the service's coordinators
and managers read."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import log_access, log_list
from accounts.models import AccessAction, Membership
from accounts.permissions import Perm
from cycles.reads.progress import stages_reached, trainee_progress, trainees, visible_trainees
from cycles.rules import supervision_sessions_q
from referrals.models import Referral
from web.api import (
    ACTION_RESPONSES,
    FIELD_ERRORS,
    FORBIDDEN,
    NOT_FOUND,
    ActionView,
    SavedOnce,
    ServiceParam,
    membership_of_user,
    require,
    run_action,
)
from web.pagination import PAGE_PARAMETERS, page_of

from .. import actions
from ..models import Cycle, SupervisionSession
from ..serializers.supervision import (
    StageReachedIn,
    SupervisionListParams,
    SupervisionSessionIn,
    SupervisionSessionOut,
    TraineeProgressOut,
)

TAGS = ["supervision"]


def load_trainee(request, user_id: int, perm: Perm, service: str | None = None) -> Membership:
    """The trainee (by user id, in `service` if they train in more than one) the user may load: 404, then 403."""
    membership = membership_of_user(visible_trainees(request.user, perm), request, user_id, service)
    require(request.user, perm, membership)
    return membership


def _service_param(request) -> str | None:
    params = ServiceParam(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data.get("service")


def sessions_visible_to(user):
    """Sessions the user may read (`cycles.rules.supervision_sessions_q`)."""
    return SupervisionSession.objects.filter(supervision_sessions_q(user))


def session_out(pk: int) -> dict:
    session = (
        SupervisionSession.objects.select_related("service", "supervisor", "trainee")
        .prefetch_related("supervised_cycles__cycle")
        .get(pk=pk)
    )
    return SupervisionSessionOut(session).data


class SupervisionSessionListView(SavedOnce, GenericAPIView):
    serializer_class = SupervisionSessionOut
    queryset = SupervisionSession.objects.none()  # for the schema; get() reads what the user may see
    filter_backends: list = []

    @extend_schema(
        operation_id="supervision_sessions_list",
        tags=TAGS,
        parameters=[SupervisionListParams, *PAGE_PARAMETERS],
        responses={200: page_of(SupervisionSessionOut), 403: FORBIDDEN},
        description="Supervision sessions you may read, newest first; `trainee` (user id) for one trainee, "
        "`service` (slug) for one service.",
    )
    def get(self, request):
        require(request.user, Perm.TRAINEE_PROGRESS_VIEW)
        params = SupervisionListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        sessions = sessions_visible_to(request.user)
        if "trainee" in params.validated_data:
            sessions = sessions.filter(trainee_id=params.validated_data["trainee"])
        if "service" in params.validated_data:
            sessions = sessions.filter(service__slug=params.validated_data["service"])
        sessions = sessions.select_related("service", "supervisor", "trainee").prefetch_related(
            "supervised_cycles__cycle"
        )
        page = self.paginate_queryset(sessions.order_by("-held_on", "-pk"))
        log_list(request=request._request, object_type="cycles.supervisionsession", ids=[s.pk for s in page])
        return self.get_paginated_response(SupervisionSessionOut(page, many=True).data)

    @extend_schema(
        operation_id="supervision_sessions_create",
        tags=TAGS,
        request=SupervisionSessionIn,
        responses={201: SupervisionSessionOut, **ACTION_RESPONSES},
        description=(
            "Record a supervision session with your trainee (only their named supervisor may: 403 otherwise). "
            "A cycle whose filmed family members do not consent to viewing by the supervisor on that date, or a "
            "sign-off of a cycle without its shared review, is refused with 409 and the reason."
        ),
    )
    def post(self, request):
        require(request.user, Perm.SUPERVISION_RECORD)
        data = SupervisionSessionIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        membership = load_trainee(request, values["trainee"], Perm.SUPERVISION_RECORD, values.get("service"))
        ids = set(values["cycles"])
        cycles = list(Cycle.objects.filter(pk__in=ids, referral__in=Referral.objects.visible_to(request.user)))
        unknown = sorted(ids - {c.pk for c in cycles})
        if unknown:
            raise serializers.ValidationError({"cycles": [f"No such cycle, or not one you may see: {unknown}"]})
        session = run_action(
            actions.record_supervision,
            trainee=membership,
            held_on=values["held_on"],
            duration_minutes=values["duration_minutes"],
            cycles=cycles,
            signed_off_cycle_ids=values["signed_off"],
            feedback=values["feedback"],
            by=request.user,
            request=request._request,
        )
        return Response(session_out(session.pk), status=status.HTTP_201_CREATED)


class _ProgressRow:
    """A trainee's progress with their stages reached, as TraineeProgressOut reads it."""

    def __init__(self, progress, stages):
        self._progress, self.stages_reached = progress, stages

    def __getattr__(self, name):
        return getattr(self._progress, name)


def progress_out(membership: Membership) -> dict:
    [progress] = trainee_progress(trainees().filter(pk=membership.pk))
    return TraineeProgressOut(_ProgressRow(progress, stages_reached(membership))).data


class TraineeProgressView(APIView):
    @extend_schema(
        operation_id="trainees_progress",
        tags=TAGS,
        parameters=[ServiceParam],
        responses={200: TraineeProgressOut, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
        description="A trainee's (user id) progress towards their current stage's targets (cycles completed, "
        "supervised hours), for the trainee, their supervisor and the service's coordinators and managers.",
    )
    def get(self, request, user_id: int):
        membership = load_trainee(request, user_id, Perm.TRAINEE_PROGRESS_VIEW, _service_param(request))
        log_access(action=AccessAction.VIEW, request=request._request, obj=membership, detail={"api": "progress"})
        return Response(progress_out(membership))


@extend_schema_view(
    post=extend_schema(
        operation_id="trainees_stage_reached",
        tags=TAGS,
        parameters=[ServiceParam],
        request=StageReachedIn,
        responses={200: TraineeProgressOut, **ACTION_RESPONSES},
        description="Your trainee (user id) reached a stage (it becomes their current stage). Recorded already: 409.",
    )
)
class TraineeStageView(ActionView):
    input_serializer, permission, record_kwarg = StageReachedIn, Perm.SUPERVISION_RECORD, "membership"
    action = actions.record_stage_reached

    def load(self, request, pk: int):
        return load_trainee(request, pk, self.permission, _service_param(request))

    def respond(self, request, record, result):
        return Response(progress_out(record))

    def post(self, request, user_id: int):
        return super().post(request, user_id)
