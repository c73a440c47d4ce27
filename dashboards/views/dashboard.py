"""The managers' dashboard, the list behind each figure, and their CSV exports."""

import csv

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.audit import log_access, log_list
from accounts.models import AccessAction
from accounts.permissions import Perm, has_permission, require_permission
from core.replica import lag_tolerant
from dashboards.reads import dashboard, figure_lists, summary
from notices.reads import escalated_in_service, family_labels
from vault.reads import storage_use
from web.listing import list_page

from .. import exporting
from ..charts import bar_chart
from .common import filter_refused, scope_from, scope_query
from .exports import export_offer, too_long_for_now

FIGURE_PAGE_SIZE = 50


@require_permission(Perm.DASHBOARD_VIEW)
@lag_tolerant
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """One service's state for a period: every figure with a link to the families behind it."""
    scope, form = scope_from(request)
    figures = dashboard(scope)
    log_access(
        action=AccessAction.VIEW,
        request=request,
        object_type="dashboards.dashboard",
        object_id=scope.service.pk,
        detail={"site": scope.site.pk if scope.site else None, "start": str(scope.start), "end": str(scope.end)},
    )
    list_url = reverse("dashboards:figure_list")
    # Risk answers escalated because nobody acted on them: red, above the figures.
    escalated = escalated_in_service(request.user, service=scope.service, site=scope.site)
    context = {
        "form": form,
        "scope": scope,
        "figures": figures,
        "summary": summary(figures, escalated=len(escalated)),
        "data_quality": _with_names(request.user, figures["data_quality"]),
        "query": scope_query(scope),
        "list_url": list_url,
        "charts": {
            "by_month": bar_chart(figures["referrals_in"]["by_month"]),
            "by_source": bar_chart(figures["referrals_in"]["by_source"]),
            "bands": bar_chart(figures["waiting"]["bands"]),
            "cycles": bar_chart(figures["delivery"]["cycles_per_family"]),
        },
        "can_see_waiting_list": has_permission(request.user, Perm.WAITING_LIST_VIEW),
        "can_see_caseloads": has_permission(request.user, Perm.PRACTITIONER_VIEW),
        "escalated": escalated,
        "vault_use": storage_use(scope.service),  # the film vault's quota (vault.reads)
    }
    if escalated:
        log_list(request=request, object_type="notices.notice", ids=[n.pk for n in escalated], detail={})
    if context["data_quality"]:
        log_list(
            request=request,
            object_type="referrals.referral",
            ids=[item["referral_id"] for item in context["data_quality"]],
            detail={"figure": "contradictory"},
        )
    return render(request, "dashboards/dashboard.html", context)


def _with_names(user, items: list[dict]) -> list[dict]:
    """Each data-quality item with its family's name where `user` may open the family (`family`; None otherwise:
    the reference alone). Two queries, and none when every record agrees."""
    labels = family_labels(user, [item["referral_id"] for item in items])
    return [{**item, "family": labels.get(item["referral_id"])} for item in items]


class _BadFilter(Exception):
    def __init__(self, response):
        self.response = response


def _figure(request: HttpRequest):
    """The figure named in the query string, for the scope it names; a bad filter refuses (see `filter_refused`)."""
    scope, form = scope_from(request)
    refused = filter_refused(form)
    if refused is not None:
        raise _BadFilter(refused)
    lists = figure_lists(scope)
    key = request.GET.get("figure", "")
    if key not in lists:
        raise Http404
    title, build = lists[key]
    referrals = build().select_related("site", "referral_source").order_by("date_received", "pk")
    return scope, key, title, referrals


@require_permission(Perm.DASHBOARD_VIEW)
@lag_tolerant
def figure_list(request: HttpRequest) -> HttpResponse:
    """The families behind one figure (references only: open a family for its details), a page at a time: a figure
    of thousands of families (a backlog's waiting list) costs the page shown, counted up to the download limit."""
    try:
        scope, key, title, referrals = _figure(request)
    except _BadFilter as bad:
        return bad.response
    page = list_page(
        request, referrals, FIGURE_PAGE_SIZE, order=("date_received", "pk"), cap=settings.DASHBOARD_EXPORT_INLINE_LIMIT
    )
    rows = page.object_list
    log_list(request=request, object_type="referrals.referral", ids=[r.pk for r in rows], detail={"figure": key})
    context = {
        "scope": scope,
        "title": title,
        "rows": rows,
        "page_obj": page,
        "count": page.paginator.count,
        "count_label": page.paginator.count_label,
        "csv_url": f"{reverse('dashboards:figure_csv')}?{scope_query(scope, figure=key)}",
        "back_url": f"{reverse('dashboards:dashboard')}?{scope_query(scope)}",
        "export": export_offer(request, scope, key, paginator=page.paginator),
    }
    return render(request, "dashboards/figure_list.html", context)


@require_permission(Perm.DASHBOARD_VIEW)
@lag_tolerant
def figure_csv(request: HttpRequest) -> HttpResponse:
    """The families behind one figure as CSV: references, dates and statuses; no names and no free text. A list
    longer than DASHBOARD_EXPORT_INLINE_LIMIT is prepared in the background instead (dashboards.views.exports)."""
    try:
        scope, key, _title, referrals = _figure(request)
    except _BadFilter as bad:
        return bad.response
    if too_long_for_now(referrals):
        messages.info(request, "This list is too long to download straight away: prepare the CSV export instead.")
        return redirect(f"{reverse('dashboards:figure_list')}?{scope_query(scope, figure=key)}#export")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exporting.download_name(key)}"'
    writer = csv.writer(response)
    writer.writerow(exporting.header(include_free_text=False))
    ids = []
    for r in referrals.select_related("service").iterator(chunk_size=1000):
        ids.append(r.pk)
        writer.writerow(exporting.row(r, include_free_text=False))
    log_list(
        request=request,
        object_type="referrals.referral",
        ids=ids,
        action=AccessAction.EXPORT,
        detail={"export": "dashboard_figure", "figure": key, "service": scope.service.pk, **_period(scope)},
    )
    return response


def _period(scope) -> dict:
    return {"site": scope.site.pk if scope.site else None, "start": str(scope.start), "end": str(scope.end)}
