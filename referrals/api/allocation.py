"""Allocation API: allocate, reallocate, unallocate, and the ranked candidates. The same actions and rules as the
allocation pages.

Each loads the referral the user may see (404 otherwise), checks referral.allocate on it (403), validates the
input (400) and calls one action; a refused state change (allocated by someone else a moment ago, say) is a 409.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import Perm
from referrals.reads.caseloads import ranked_candidates
from web.api import ACTION_RESPONSES, FORBIDDEN, NOT_FOUND, ActionView
from web.pagination import PAGE_PARAMETERS, Page, page_of

from .. import actions
from ..models import Allocation, Referral
from ..serializers.allocation import (
    AllocateIn,
    AllocationOut,
    CandidateOut,
    ReallocateIn,
    ReferralStatusOut,
    UnallocateIn,
)
from .referrals import load_referral

TAGS = ["allocation"]
NOT_A_PRACTITIONER = "Choose a practitioner of this service"


def _practitioner(user_id: int) -> User:
    """The user the body names; an unknown id gets the same answer as another service's practitioner."""
    practitioner = User.objects.filter(pk=user_id).first()
    if practitioner is None:
        raise serializers.ValidationError({"practitioner": [NOT_A_PRACTITIONER]})
    return practitioner


class _AllocationActionView(ActionView):
    """Allocate or reallocate: the body names the practitioner by user id; answer with the new allocation."""

    permission = Perm.REFERRAL_ALLOCATE

    def load(self, request, pk: int):
        return load_referral(request, pk, self.permission)

    def perform(self, request, record, data: dict):
        return super().perform(request, record, {**data, "practitioner": _practitioner(data["practitioner"])})

    def respond(self, request, record, result) -> Response:
        allocation = Allocation.objects.select_related("practitioner", "supervisor", "allocated_by").get(pk=result.pk)
        return Response(AllocationOut(allocation).data)


@extend_schema_view(
    post=extend_schema(
        operation_id="referrals_allocate",
        tags=TAGS,
        request=AllocateIn,
        responses={200: AllocationOut, **ACTION_RESPONSES},
        description=(
            "Give an accepted referral to a practitioner of its service (see candidates/ for the best first). "
            "A trainee needs a named supervisor; a practitioner at capacity or whose availability is paused needs "
            "an over_capacity_reason. Allocated already (by someone else a moment ago, say) is a 409."
        ),
    )
)
class ReferralAllocateView(_AllocationActionView):
    input_serializer, action = AllocateIn, actions.allocate_referral


@extend_schema_view(
    post=extend_schema(
        operation_id="referrals_reallocate",
        tags=TAGS,
        request=ReallocateIn,
        responses={200: AllocationOut, **ACTION_RESPONSES},
        description=(
            "Move an allocated referral to a different practitioner, with the reason (the practitioner left, the "
            "family moved site). The ended allocation stays in the history; the same checks as allocating apply."
        ),
    )
)
class ReferralReallocateView(_AllocationActionView):
    input_serializer, action = ReallocateIn, actions.reallocate_referral


class ReferralUnallocateView(ActionView):
    input_serializer, permission, action = UnallocateIn, Perm.REFERRAL_ALLOCATE, actions.unallocate_referral

    @extend_schema(
        operation_id="referrals_unallocate",
        tags=TAGS,
        request=UnallocateIn,
        responses={200: ReferralStatusOut, **ACTION_RESPONSES},
        description="Back to the waiting list (allocated → accepted), with the reason. The allocation is kept.",
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def load(self, request, pk: int):
        return load_referral(request, pk, self.permission)

    def respond(self, request, record, result) -> Response:
        return Response(ReferralStatusOut(Referral.objects.get(pk=record.pk)).data)


class ReferralCandidatesView(APIView):
    @extend_schema(
        operation_id="referrals_candidates",
        tags=TAGS,
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(CandidateOut), 403: FORBIDDEN, 404: NOT_FOUND},
        description=(
            "The practitioners of the referral's service, best candidates first: those who can be allocated, "
            "not paused, at the referral's site, with spare capacity, with the earliest protected day, and the "
            "fewest open families. Needs the referral.allocate permission on the referral."
        ),
    )
    def get(self, request, pk: int):
        referral = load_referral(request, pk, Perm.REFERRAL_ALLOCATE)
        page = Page(request, ranked_candidates(referral))
        return page.response(CandidateOut(page.rows, many=True).data)
