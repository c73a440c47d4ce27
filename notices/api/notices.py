"""A person's notices through the API; the same read and action as the pages."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.audit import log_list
from web.api import ACTION_RESPONSES, ActionView, load_visible
from web.pagination import PAGE_PARAMETERS, page_of

from .. import actions
from ..models import Notice
from ..serializers import AcknowledgeIn, NoticeOut

TAGS = ["notices"]


class NoticeListView(GenericAPIView):
    serializer_class = NoticeOut
    queryset = Notice.objects.none()  # for the schema; get() reads only your own notices
    filter_backends: list = []

    @extend_schema(
        operation_id="notices_list",
        tags=TAGS,
        parameters=[
            OpenApiParameter("open", bool, description="true: only those not yet acknowledged"),
            *PAGE_PARAMETERS,
        ],
        responses={200: page_of(NoticeOut)},
        description="Your notices, newest first; `open=true` for those not yet acknowledged.",
    )
    def get(self, request):
        notices = Notice.objects.for_user(request.user).select_related("acknowledged_by")
        if request.query_params.get("open") == "true":
            notices = notices.open()
        page = self.paginate_queryset(notices)
        log_list(request=request._request, object_type="notices.notice", ids=[n.pk for n in page], detail={})
        return self.get_paginated_response(NoticeOut(page, many=True).data)


@extend_schema_view(
    post=extend_schema(
        operation_id="notices_acknowledge",
        tags=TAGS,
        request=AcknowledgeIn,
        responses={200: NoticeOut, **ACTION_RESPONSES},
        description="Acknowledge one of your notices with the action taken. Acknowledged already: 409.",
    )
)
class NoticeAcknowledgeView(ActionView):
    input_serializer, action, record_kwarg = AcknowledgeIn, actions.acknowledge_notice, "notice"

    def load(self, request, pk: int):
        return load_visible(Notice.objects.filter(recipient=request.user), request, pk)

    def respond(self, request, record, result):
        return Response(NoticeOut(Notice.objects.select_related("acknowledged_by").get(pk=record.pk)).data)
