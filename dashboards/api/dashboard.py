"""Dashboard API: the figures the dashboard page shows, and the families behind each figure. The same reads
(`dashboards.reads`), the same permission (dashboard.view, 403 without it anywhere) and the same scoping (a service
you may see the dashboard of, 404 otherwise; only the sites your memberships there cover) as the pages; each look
is written to the access log, each list with the ids shown."""

from types import SimpleNamespace

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import log_access, log_list
from accounts.models import AccessAction, Service, Site
from accounts.permissions import Perm, memberships_with
from core.replica import lag_tolerant
from dashboards.reads import QUIET_WEEKS, Scope, dashboard, default_period, figure_lists
from web.api import FIELD_ERRORS, ErrorOut, require
from web.pagination import PAGE_PARAMETERS, Page, page_of

from ..serializers import DashboardOut, DashboardParams, FigureFamilyOut

TAGS = ["dashboard"]
NO_SERVICE = OpenApiResponse(ErrorOut, description="No such service, or not one whose dashboard you may see.")
NO_DASHBOARD = OpenApiResponse(ErrorOut, description="You hold dashboard.view in no service.")


def figure_keys() -> list[str]:
    """Every figure with a list behind it, named as `figure_lists` names them (the names do not depend on the
    scope; a stand-in one is enough to read them)."""
    stand_in = SimpleNamespace(quiet_weeks=QUIET_WEEKS, service=SimpleNamespace(planned_cycles=0))
    return list(figure_lists(stand_in))


class FigureParams(DashboardParams):
    figure = serializers.ChoiceField(choices=figure_keys(), help_text="Which figure's families")


def scope_for(request, params: serializers.Serializer) -> Scope:
    """The filter as the pages read it (`dashboards.views.common.scope_from`), but strict: a service or site you
    may not see is refused (404 or 400) rather than swapped for a default."""
    require(request.user, Perm.DASHBOARD_VIEW)
    params.is_valid(raise_exception=True)
    data = params.validated_data
    memberships = memberships_with(request.user, Perm.DASHBOARD_VIEW)
    services = Service.objects.filter(pk__in={m.service_id for m in memberships}).order_by("name", "pk")
    service = services.filter(slug=data["service"]).first() if "service" in data else services.first()
    if service is None:
        log_access(
            action=AccessAction.PERMISSION_DENIED,
            request=request._request,
            object_type="accounts.service",
            detail={"answer": "404: not found or not visible", "api": "dashboard"},
        )
        raise Http404
    site = None
    if "site" in data:
        covering = [m for m in memberships if m.service_id == service.pk]
        sites = Site.objects.filter(service=service)
        if all(m.site_ids for m in covering):
            sites = sites.filter(pk__in=set().union(*(m.site_ids for m in covering)))
        site = sites.filter(pk=data["site"]).first()
        if site is None:
            raise serializers.ValidationError({"site": ["Choose a site of the chosen service that you may see"]})
    start, end = default_period()
    return Scope(
        user=request.user,
        service=service,
        site=site,
        start=data.get("start") or start,
        end=data.get("end") or end,
        quiet_weeks=data.get("weeks") or QUIET_WEEKS,
    )


def _period(scope: Scope) -> dict:
    return {"site": scope.site.pk if scope.site else None, "start": str(scope.start), "end": str(scope.end)}


class DashboardView(APIView):
    @extend_schema(
        operation_id="dashboard_retrieve",
        tags=TAGS,
        parameters=[DashboardParams],
        responses={200: DashboardOut, 400: FIELD_ERRORS, 403: NO_DASHBOARD, 404: NO_SERVICE},
        description="Every figure of one service's dashboard for a period (default: the last 12 months), at one "
        "site or all you may see. Each figure's families: dashboard/families/?figure=<key> with the same filter.",
    )
    @lag_tolerant
    def get(self, request):
        scope = scope_for(request, DashboardParams(data=request.query_params))
        figures = dashboard(scope)
        log_access(
            action=AccessAction.VIEW,
            request=request._request,
            object_type="dashboards.dashboard",
            object_id=scope.service.pk,
            detail={**_period(scope), "api": "dashboard"},
        )
        return Response(DashboardOut({"scope": scope, **figures}).data)


class FigureFamiliesView(APIView):
    @extend_schema(
        operation_id="dashboard_families",
        tags=TAGS,
        parameters=[FigureParams, *PAGE_PARAMETERS],
        responses={200: page_of(FigureFamilyOut), 400: FIELD_ERRORS, 403: NO_DASHBOARD, 404: NO_SERVICE},
        description="The families behind one dashboard figure (the same filter as the dashboard), oldest referral "
        "first: references only, as on the page. Open a family for its details.",
    )
    @lag_tolerant
    def get(self, request):
        params = FigureParams(data=request.query_params)
        scope = scope_for(request, params)
        key = params.validated_data["figure"]
        _title, build = figure_lists(scope)[key]
        families = build().select_related("site", "referral_source").order_by("date_received", "pk")
        page = Page(request, families)
        log_list(
            request=request._request,
            object_type="referrals.referral",
            ids=[r.pk for r in page.rows],
            detail={"figure": key, "service": scope.service.pk, **_period(scope), "api": "dashboard"},
        )
        return page.response(FigureFamilyOut(page.rows, many=True).data)
