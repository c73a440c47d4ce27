"""Entered in error through the API: one endpoint for every casework record type, keyed by type and id.

`POST /api/v1/entered-in-error/{record_type}/{id}/` with `{"reason": "..."}`. The same loader, rule and action as
the page (`referrals.views.entered_in_error`): a record the user may not see is a 404, one they may see but neither
wrote nor coordinate is a 403, a missing reason a field error, a record already marked a 409.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.entered_in_error import correctable_models
from web.api import ACTION_RESPONSES, SavedOnce, load_visible, run_action

from ..actions.entered_in_error import mark_entered_in_error
from ..loading import correctable_visible_to
from ..serializers.entered_in_error import EnteredInErrorIn, EnteredInErrorOut


class EnteredInErrorView(SavedOnce, APIView):
    @extend_schema(
        operation_id="entered_in_error_mark",
        tags=["entered in error"],
        parameters=[
            OpenApiParameter(
                "record_type",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=sorted(correctable_models()),
                description="The kind of record.",
            ),
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The record's id."),
        ],
        request=EnteredInErrorIn,
        responses={200: EnteredInErrorOut, **ACTION_RESPONSES},
        description="Mark a casework record entered in error, with the reason. Nothing is deleted: the record stays "
        "in the family's history and on their record, struck through, and drops out of figures, letters, counts and "
        "limits, so its place is freed. Its author (while they may still see the family) or a coordinator of the "
        "service may mark it (403 otherwise); a record already marked, or one another record still rests on (a "
        "filming whose shared review is in force), is a 409.",
    )
    def post(self, request, record_type: str, id: int):
        record = load_visible(correctable_visible_to(request.user, record_type), request._request, id)
        data = EnteredInErrorIn(data=request.data)
        data.is_valid(raise_exception=True)
        marked = run_action(
            mark_entered_in_error, record=record, by=request.user, request=request._request, **data.validated_data
        )
        return Response(EnteredInErrorOut(marked).data)
