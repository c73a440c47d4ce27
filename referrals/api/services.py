"""Service configuration for API clients: what a referral to each service needs. An API client cannot record a
referral without knowing a service's sites, referral sources, questions and the fields its criteria require.

Open to anyone holding a role in the service; another service is a 404 (not revealed). Each read is logged.
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import log_access, log_list
from accounts.models import AccessAction, Service
from accounts.permissions import memberships_for
from web.api import NOT_FOUND
from web.pagination import PAGE_PARAMETERS, Page, page_of

from ..eligibility import required_fields
from ..serializers.services import ServiceDetailOut, ServiceOut

TAGS = ["services"]
OBJECT_TYPE = "accounts.service"


def _my_services(user):
    return Service.objects.filter(pk__in={m.service_id for m in memberships_for(user)}, is_active=True)


class ServiceListView(APIView):
    @extend_schema(
        operation_id="services_list",
        tags=TAGS,
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(ServiceOut)},
        description="The services where you hold any role, by name. Empty for anyone else.",
    )
    def get(self, request):
        page = Page(request, _my_services(request.user).order_by("name", "pk"))
        log_list(request=request._request, object_type=OBJECT_TYPE, ids=[s.pk for s in page.rows])
        return page.response(ServiceOut(page.rows, many=True).data)


class ServiceDetailView(APIView):
    @extend_schema(
        operation_id="services_retrieve",
        tags=TAGS,
        responses={200: ServiceDetailOut, 404: NOT_FOUND},
        description=(
            "What a referral to this service needs: its sites, active referral sources, referral questions and "
            "the referral fields its eligibility criteria require. 404 unless you hold a role in it."
        ),
    )
    def get(self, request, slug: str):
        service = _my_services(request.user).prefetch_related("sites", "referral_questions").filter(slug=slug).first()
        if service is None:
            log_access(
                action=AccessAction.PERMISSION_DENIED,
                request=request._request,
                object_type=OBJECT_TYPE,
                detail={"answer": "404: not found or not visible"},
            )
            raise Http404
        log_access(action=AccessAction.VIEW, request=request._request, obj=service)
        service.active_sources = list(service.referral_sources.filter(is_active=True).order_by("name"))
        service.required_fields = required_fields(service)
        return Response(ServiceDetailOut(service).data)
