"""Referral API: record, list and search, read, correct, record a birth. The same actions as the pages, with the
same scoping.

Thin views: load what the user may see (404 otherwise: a record's existence is not revealed), check the action's
permission (403), validate the input (400), call one action, answer with the record. A refused state change is a
409. Every view, list and search is written to the access log with the ids shown, as the pages do.
"""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import hash_term, log_access, log_list
from accounts.models import AccessAction
from accounts.permissions import Perm, services_with
from web.api import (
    ACTION_RESPONSES,
    FIELD_ERRORS,
    FORBIDDEN,
    NOT_FOUND,
    ActionView,
    SavedOnce,
    require,
    run_action,
)
from web.pagination import CURSOR_PARAMETERS, PAGE_PARAMETERS, page_of

from .. import actions
from ..loading import referral_for_api
from ..models import Referral
from ..reads.lists import api_first_page
from ..rules import duplicates_shown_to
from ..serializers import (
    BirthIn,
    ConflictOrDuplicatesOut,
    PossibleDuplicateOut,
    PossibleDuplicatesOut,
    ReferralIn,
    ReferralListOut,
    ReferralListParams,
    ReferralOut,
    ReferralUpdateIn,
)

TAGS = ["referrals"]
OBJECT_TYPE = "referrals.referral"


def load_referral(request, pk: int, perm: Perm | None = None) -> Referral:
    """The referral if the user may see it (a logged 404 otherwise), then `perm` on it or 403."""
    return referral_for_api(request, pk, perm)


def referral_out(request, pk: int) -> dict:
    """The record as it is now, after an action changed it."""
    referral = Referral.objects.with_record_details().get(pk=pk)
    return ReferralOut(referral, context={"request": request}).data


class ReferralActionView(ActionView):
    """POST input to one action on one visible referral; answer with the referral as it is now."""

    def load(self, request, pk: int):
        return load_referral(request, pk, self.permission)

    def respond(self, request, record, result) -> Response:
        return Response(referral_out(request, record.pk))


def action_schema(operation_id: str, request, description: str, tags=TAGS, responses: dict | None = None):
    """The OpenAPI description of a POST that acts on one referral and answers with it."""
    return extend_schema_view(
        post=extend_schema(
            operation_id=operation_id,
            tags=tags,
            request=request,
            responses={200: ReferralOut, **ACTION_RESPONSES, **(responses or {})},
            description=description,
        )
    )


# ---------------------------------------------------------------------------------------------------------------
# List, search and create
# ---------------------------------------------------------------------------------------------------------------


class ReferralListView(SavedOnce, GenericAPIView):
    """Referrals you may see, oldest first (the order they wait in); with search terms, a search, newest first."""

    serializer_class = ReferralListOut
    filter_backends: list = []
    keyset_order: tuple[str, str] | None = None  # set per request: the list's order, for cursor links
    keyset_details = None  # set for a search: the page's ids are found first, then only its rows read in full
    keyset_first_page = None  # set for a plain list: its first page, read with SQL compiled once (`reads.lists`)
    keyset_row_details = None  # set for a plain list: what its other pages' rows show (not built for a first page)

    @extend_schema(
        operation_id="referrals_list",
        tags=TAGS,
        parameters=[ReferralListParams, *PAGE_PARAMETERS, *CURSOR_PARAMETERS],
        responses={200: page_of(ReferralListOut), 400: FIELD_ERRORS, 403: FORBIDDEN},
        description=(
            "Filter with status, site (id) and service (slug). Any of nhs_number, name, date_of_birth or postcode "
            "makes this a search, which needs the referral.search permission and is logged with the terms hashed."
        ),
    )
    def get(self, request):
        params = ReferralListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        terms = params.search_terms()
        user = request.user
        if terms:
            require(user, Perm.REFERRAL_SEARCH)
            queryset = Referral.objects.visible_to(user, Perm.REFERRAL_SEARCH).search(
                **terms, service_ids=services_with(user, Perm.REFERRAL_SEARCH)
            )
            self.keyset_order = ("-date_received", "-pk")
            self.keyset_details = lambda rows: rows.with_api_row_details()
        else:
            require(user, Perm.REFERRAL_VIEW)
            queryset = Referral.objects.visible_to(user)
            self.keyset_order = ("date_received", "pk")  # next/previous links carry a cursor (web.pagination)
        filters = {k: v for k, v in params.validated_data.items() if k not in params.SEARCH_FIELDS}
        if "status" in filters:
            queryset = queryset.filter(status=filters["status"])
        if "site" in filters:
            queryset = queryset.filter(site_id=filters["site"])
        if "service" in filters:
            queryset = queryset.filter(service__slug=filters["service"])
        if not terms:
            self.keyset_first_page = lambda size: api_first_page(user, filters, size)
            self.keyset_row_details = lambda rows: rows.with_api_row_details()
        page = self.paginate_queryset(queryset)
        if terms:
            detail = {"fields": sorted(terms), "terms_hashed": {k: hash_term(str(v)) for k, v in terms.items()}}
            action = AccessAction.SEARCH
        else:
            detail, action = {"list": "api"}, AccessAction.LIST
        if filters:
            detail["filters"] = {k: str(v) for k, v in filters.items()}
        log_list(
            request=request._request, object_type=OBJECT_TYPE, ids=[r.pk for r in page], action=action, detail=detail
        )
        return self.get_paginated_response(ReferralListOut(page, many=True).data)

    @extend_schema(
        operation_id="referrals_create",
        tags=TAGS,
        request=ReferralIn,
        responses={
            201: ReferralOut,
            400: FIELD_ERRORS,
            403: FORBIDDEN,
            409: OpenApiResponse(
                PossibleDuplicatesOut,
                description="Possible duplicates in the same service; nothing saved. Send confirm_not_duplicate.",
            ),
        },
        description="Record a referral. Possible duplicates in the same service are reported (409) before saving.",
    )
    def post(self, request):
        user = request.user
        require(user, Perm.REFERRAL_CREATE)
        data = ReferralIn(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        service = data.validated_data["service"]
        # May this user record a referral at this site? Checked before duplicates are shown.
        require(user, Perm.REFERRAL_CREATE, Referral(service=service, site=data.validated_data["site"]))
        try:
            referral = run_action(
                actions.create_referral,
                service=service,
                data=data.referral_data(),
                parents=data.parents_data(),
                other_children=data.other_children_data(),
                by=user,
                confirmed_not_duplicate=data.validated_data["confirm_not_duplicate"],
                request=request._request,
            )
        except actions.DuplicateSuspected as suspected:
            return possible_duplicates_conflict(request, suspected, doing="record this one")
        location = reverse("api:referral-detail", kwargs={"pk": referral.pk})
        return Response(
            referral_out(request, referral.pk), status=status.HTTP_201_CREATED, headers={"Location": location}
        )


def possible_duplicates_conflict(request, suspected, *, doing: str) -> Response:
    """409 listing the open referrals that may be the same family (and the access-log row that they were shown);
    nothing was saved. Sent again with `confirm_not_duplicate`, the call goes through."""
    duplicates, hidden = duplicates_shown_to(request.user, suspected.referrals)
    log_list(
        request=request._request,
        object_type=OBJECT_TYPE,
        ids=[r.pk for r in duplicates],
        detail={"list": "possible_duplicates", **({"not_shown": hidden} if hidden else {})},
    )
    body = {
        "detail": (
            "This family may already have an open referral in this service. Check the referrals below; "
            f'to {doing} anyway, send it again with "confirm_not_duplicate": true.'
        ),
        "possible_duplicates": PossibleDuplicateOut(duplicates, many=True).data,
        "hidden_duplicates": hidden,
    }
    return Response(body, status=status.HTTP_409_CONFLICT)


CONFLICT_OR_DUPLICATES = OpenApiResponse(
    ConflictOrDuplicatesOut,
    description="A refused state change (detail), or possible duplicates in the same service (detail and "
    "possible_duplicates; send it again with confirm_not_duplicate to save anyway). Nothing saved.",
)


# ---------------------------------------------------------------------------------------------------------------
# One referral
# ---------------------------------------------------------------------------------------------------------------


class ReferralDetailView(APIView):
    """One referral: the whole record (each look is logged), or a full correction of it."""

    @extend_schema(
        operation_id="referrals_retrieve",
        tags=TAGS,
        responses={200: ReferralOut, 404: NOT_FOUND},
        description="The whole record, including a confidential address (the access log notes that it was shown).",
    )
    def get(self, request, pk: int):
        referral = load_referral(request, pk)
        log_access(
            action=AccessAction.VIEW,
            request=request._request,
            obj=referral,
            detail={"confidential_address_shown": True} if referral.confidential_address else {},
        )
        return Response(ReferralOut(referral, context={"request": request}).data)

    @extend_schema(
        operation_id="referrals_update",
        tags=TAGS,
        request=ReferralUpdateIn,
        responses={200: ReferralOut, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT_OR_DUPLICATES},
        description=(
            "Replace the referral's details (fields left out are cleared to their defaults). "
            "A referral awaiting information goes back to the triage queue. Closed referrals cannot change (409). "
            "An NHS number, or a parent's name and date of birth, that the correction adds is checked for possible "
            "duplicates in the same service (409, nothing saved) unless confirm_not_duplicate is sent."
        ),
    )
    def put(self, request, pk: int):
        referral = load_referral(request, pk, Perm.REFERRAL_UPDATE)
        data = ReferralUpdateIn(data=request.data, context={"request": request, "referral": referral})
        data.is_valid(raise_exception=True)
        try:
            run_action(
                actions.update_referral,
                referral=referral,
                data=data.referral_data(),
                parents=data.parents_data(),
                other_children=data.other_children_data(),
                by=request.user,
                confirmed_not_duplicate=data.validated_data["confirm_not_duplicate"],
                request=request._request,
            )
        except actions.DuplicateSuspected as suspected:
            return possible_duplicates_conflict(request, suspected, doing="save the correction")
        return Response(referral_out(request, referral.pk))


@action_schema(
    "referrals_record_birth",
    BirthIn,
    "The unborn baby has arrived: record the date of birth (and name and NHS number if known). The baby's NHS "
    "number is checked against the service's other open referrals (409 with possible_duplicates, nothing saved) "
    "unless confirm_not_duplicate is sent.",
    responses={409: CONFLICT_OR_DUPLICATES},
)
class ReferralBirthView(ReferralActionView):
    input_serializer, permission, action = BirthIn, Perm.REFERRAL_UPDATE, actions.record_birth

    def perform(self, request, record, data: dict):
        data = dict(data)
        confirmed = data.pop("confirm_not_duplicate")
        try:
            return run_action(
                actions.record_birth,
                referral=record,
                by=request.user,
                confirmed_not_duplicate=confirmed,
                request=request._request,
                **data,
            )
        except actions.DuplicateSuspected as suspected:
            return possible_duplicates_conflict(request, suspected, doing="record the birth")

    def respond(self, request, record, result) -> Response:
        """The referral as it is now, or the 409 of possible duplicates that `perform` answered."""
        return result if isinstance(result, Response) else super().respond(request, record, result)
