"""Cycles API: a family's cycles (list, start), one cycle with its filming, clips and review, and the three actions
that record a cycle's work. The same actions, scoping and refusals as the pages: a family or cycle the user may not
see is a logged 404; reading needs referral.view, recording casework.record (403); a refused order or consent is a
409 whose detail says why.
"""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import log_access, log_list
from accounts.models import AccessAction
from accounts.permissions import Perm
from cycles.reads.timeline import cycles_of, filming_of, step_of, summary, visible_cycles, with_work
from referrals.loading import referral_for_api
from referrals.models import Referral
from web.api import (
    ACTION_RESPONSES,
    FORBIDDEN,
    NOT_FOUND,
    ActionView,
    Conflict,
    SavedOnce,
    load_visible,
    require,
    run_action,
)
from web.pagination import PAGE_PARAMETERS, Page, page_of

from .. import actions
from ..models import Cycle
from ..serializers.cycles import ClipIn, CycleOut, CyclePlanOut, FilmingIn, SharedReviewIn, StartCycleIn

TAGS = ["cycles"]


_referral = referral_for_api


def _cycle(request, pk: int, perm: Perm) -> Cycle:
    cycle = load_visible(with_work(visible_cycles(request.user), people=True), request, pk)
    require(request.user, perm, cycle.referral)
    return cycle


def cycle_out(pk: int) -> dict:
    """One cycle as it is now, with its work."""
    cycle = with_work(Cycle.objects.filter(pk=pk), people=True).get()
    return CycleOut(step_of(cycle, timezone.localdate())).data


def _own(ids: list[int], records, field: str, what: str) -> list:
    """The family's own records with these ids; any other id is a 400 naming the field (existence not revealed)."""
    found = {record.pk: record for record in records}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise serializers.ValidationError({field: [f"Not {what}: {', '.join(map(str, missing))}"]})
    return [found[pk] for pk in dict.fromkeys(ids)]


def _visit(referral: Referral, pk: int | None):
    if pk is None:
        return None
    return _own([pk], referral.visits.in_force(), "visit", "a visit to this family")[0]


class ReferralCycleListView(SavedOnce, APIView):
    """A family's cycles with where each stands; POST starts the next."""

    @extend_schema(
        operation_id="cycles_list",
        tags=TAGS,
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(CycleOut), 403: FORBIDDEN, 404: NOT_FOUND},
        description="The family's cycles in order, each with its filming, clips and shared review, what is next "
        "and whether the review is overdue. The service's planned number and whether another may start: plan/.",
    )
    def get(self, request, pk: int):
        referral = _referral(request, pk, Perm.REFERRAL_VIEW)
        cycles = list(cycles_of(referral, people=True))  # a handful a family; each step looks at the one before
        page = Page(request, summary(referral, cycles, timezone.localdate())["steps"])
        ids = [step.cycle.pk for step in page.rows]
        log_list(request=request._request, object_type="cycles.cycle", ids=ids, detail={})
        return page.response(CycleOut(page.rows, many=True).data)

    @extend_schema(
        operation_id="cycles_start",
        tags=TAGS,
        request=StartCycleIn,
        responses={201: CycleOut, **ACTION_RESPONSES},
        description="Start the family's next cycle. Refused (409) until the previous cycle has its shared review; "
        "beyond the service's max_cycles it needs beyond_maximum_reason (400 otherwise).",
    )
    def post(self, request, pk: int):
        referral = _referral(request, pk, Perm.CASEWORK_RECORD)
        data = StartCycleIn(data=request.data)
        data.is_valid(raise_exception=True)
        cycle = run_action(
            actions.start_cycle, referral=referral, by=request.user, request=request._request, **data.validated_data
        )
        location = reverse("api:cycle-detail", kwargs={"pk": cycle.pk})
        return Response(cycle_out(cycle.pk), status=status.HTTP_201_CREATED, headers={"Location": location})


class ReferralCyclePlanView(APIView):
    """Where the family's cycles stand against the service's plan, and whether the next may start now."""

    @extend_schema(
        operation_id="cycles_plan",
        tags=TAGS,
        responses={200: CyclePlanOut, 403: FORBIDDEN, 404: NOT_FOUND},
        description="The service's planned, minimum and maximum number of cycles, how many the family has started, "
        "the next cycle's number and whether it may start now (and if not, why).",
    )
    def get(self, request, pk: int):
        referral = _referral(request, pk, Perm.REFERRAL_VIEW)
        cycles = list(cycles_of(referral, people=False))
        glance = summary(referral, cycles, timezone.localdate())
        log_access(action=AccessAction.VIEW, request=request._request, obj=referral, detail={"api": "cycle plan"})
        data = {
            "planned_cycles": glance["planned"],
            "min_cycles": glance["min"],
            "max_cycles": glance["max"],
            "cycles_started": len(cycles),
            "next_number": glance["next_number"],
            "can_start": not glance["start_refusal"],
            "start_refused_because": glance["start_refusal"],
        }
        return Response(CyclePlanOut(data).data)


class CycleDetailView(APIView):
    @extend_schema(
        operation_id="cycles_read",
        tags=TAGS,
        responses={200: CycleOut, 403: FORBIDDEN, 404: NOT_FOUND},
        description="One cycle with its filming (and clips) and shared review. Each look is logged.",
    )
    def get(self, request, pk: int):
        cycle = _cycle(request, pk, Perm.REFERRAL_VIEW)
        log_access(action=AccessAction.VIEW, request=request._request, obj=cycle)
        return Response(CycleOut(step_of(cycle, timezone.localdate())).data)


def _schema(operation_id: str, request, description: str):
    return extend_schema_view(
        post=extend_schema(
            operation_id=operation_id,
            tags=TAGS,
            request=request,
            responses={201: CycleOut, **ACTION_RESPONSES},
            description=description,
        )
    )


class CycleActionView(ActionView):
    """POST to one action on one cycle of a family the user records; answer with the cycle (201)."""

    permission = Perm.CASEWORK_RECORD
    record_kwarg = "cycle"

    def load(self, request, pk: int):
        return _cycle(request, pk, self.permission)

    def respond(self, request, record, result) -> Response:
        return Response(cycle_out(record.pk), status=status.HTTP_201_CREATED)


@_schema(
    "cycles_filming",
    FilmingIn,
    "Record the cycle's filming. Refused (409, naming who) unless every filmed parent and every filmed child "
    "aged 12+ on filmed_on has current filming consent; also 409 if already recorded or the previous cycle has "
    "no shared review. With a visit, the visit gains a filming activity.",
)
class CycleFilmingView(CycleActionView):
    input_serializer, action = FilmingIn, actions.record_filming

    def perform(self, request, record, data: dict):
        referral = record.referral
        data = {
            **data,
            "filmed_parents": _own(
                data["filmed_parents"], referral.parents.all(), "filmed_parents", "a parent or carer of this family"
            ),
            "filmed_children": _own(
                data["filmed_children"],
                referral.other_children.all(),
                "filmed_children",
                "an older child of this family",
            ),
            "visit": _visit(referral, data["visit"]),
        }
        return super().perform(request, record, data)


@_schema(
    "cycles_clip_add",
    ClipIn,
    "Add a clip chosen in micro-analysis: start and end within the film (end_seconds <= the film's "
    "length_seconds, start < end), principles 1–6, one of the family's helping questions. Marking it for training "
    "is refused (409) without everyone filmed having current training consent; 409 if the cycle is not filmed.",
)
class CycleClipView(CycleActionView):
    input_serializer, action = ClipIn, actions.add_clip

    def perform(self, request, record, data: dict):
        filming = filming_of(record)
        if filming is None:
            raise Conflict(f"Cycle {record.number} has no filming recorded: record it before choosing clips.")
        question = _own(
            [data["helping_question"]],
            record.referral.helping_questions.in_force(),
            "helping_question",
            "one of this family's helping questions",
        )[0]
        return run_action(
            actions.add_clip,
            filming=filming,
            by=request.user,
            request=request._request,
            **{**data, "helping_question": question},
        )


@_schema(
    "cycles_shared_review",
    SharedReviewIn,
    "Record the cycle's shared review. Refused (409) before the cycle's filming and clips, or before the previous "
    "cycle's review; reviewed_on must not be before the filming or in the future (400). With a visit, the visit "
    "gains a shared-review activity.",
)
class CycleSharedReviewView(CycleActionView):
    input_serializer, action = SharedReviewIn, actions.record_shared_review

    def perform(self, request, record, data: dict):
        filming = filming_of(record)
        # Without a filming the action refuses (409, saying why); the ids are not looked at.
        clips = (
            _own(data["clips_watched"], filming.clips.in_force(), "clips_watched", "a clip of this cycle")
            if filming
            else []
        )
        data = {
            **data,
            "clips_watched": clips,
            "visit": _visit(record.referral, data["visit"]),
        }
        return super().perform(request, record, data)
