"""The one way every dashboard page reads its filter: a service and site the user may see, and a period."""

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest

from accounts.permissions import Perm, memberships_with
from dashboards.reads import QUIET_WEEKS, Scope, default_period
from dashboards.reads.scope import services_among, sites_among, sites_of

from ..forms import DashboardFilterForm


def scope_from(request: HttpRequest) -> tuple[Scope, DashboardFilterForm]:
    """The filter form bound to the query string, and the scope it names (defaults where it is empty or wrong).

    Only services where the user holds dashboard.view are offered, and only the sites their memberships there
    cover, so a site-limited manager cannot choose another site; the figures are scoped again by `visible_to`.
    """
    memberships = memberships_with(request.user, Perm.DASHBOARD_VIEW)
    services = services_among(sorted({m.service_id for m in memberships}))
    # The query string is whatever was typed ("abc", "%00"): only a service offered is looked up by it, so a bad
    # value is the form's field error, never a database error.
    asked = request.GET.get("service", "")
    offered = next((s.pk for s in services if str(s.pk) == asked), None)
    chosen_id = offered or (services[0].pk if services else None)
    covering = [m for m in memberships if str(m.service_id) == str(chosen_id)]
    sites = []
    if covering and all(m.site_ids for m in covering):
        sites = sites_among(chosen_id, sorted(set().union(*(m.site_ids for m in covering))))
    elif covering:
        sites = sites_of(chosen_id)
    start, end = default_period()
    data = {"service": chosen_id, "start": start, "end": end, **request.GET.dict()}
    form = DashboardFilterForm(data, services=services, sites=sites)
    if not form.is_valid():
        service = next((s for s in services if s.pk == chosen_id), services[0] if services else None)
        if service is None:
            raise Http404
        cleaned = {**{"site": None, "start": start, "end": end}, **form.cleaned_data, "service": service}
        cleaned["start"] = form.cleaned_data.get("start") or start
        cleaned["end"] = form.cleaned_data.get("end") or end
    else:
        cleaned = form.cleaned_data
    scope = Scope(
        user=request.user,
        service=cleaned["service"],
        site=cleaned.get("site"),
        start=cleaned.get("start") or start,
        end=cleaned.get("end") or end,
        quiet_weeks=cleaned.get("weeks") or QUIET_WEEKS,
    )
    return scope, form


def filter_refused(form: DashboardFilterForm) -> HttpResponse | None:
    """For downloads and exports, which have no form to show an error beside: a bad filter is a 400 naming each
    field, never a file of a different service, site or period than the one asked for."""
    if not form.errors:
        return None
    problems = "; ".join(
        f"{form.fields[name].label if name in form.fields else 'Filter'}: {' '.join(errors)}"
        for name, errors in form.errors.items()
    )
    return HttpResponseBadRequest(f"The filter is not valid. {problems}", content_type="text/plain; charset=utf-8")


def scope_query(scope: Scope, **extra) -> str:
    """The query string that names this scope (and any extra parameters), for links between the pages."""
    params = {"service": scope.service.pk, "start": scope.start.isoformat(), "end": scope.end.isoformat()}
    if scope.site is not None:
        params["site"] = scope.site.pk
    if scope.quiet_weeks != QUIET_WEEKS:
        params["weeks"] = scope.quiet_weeks
    return urlencode({**params, **extra})
