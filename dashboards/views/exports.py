"""Figure CSVs prepared in the background: asking for one, its status, its download, and the person's own list.

Only the person who asked may see an export, and only while their dashboard.view still covers it; anyone else
(another manager with the id in the URL) gets a logged 404. Every page is in the access log, and the download
lists the families it holds and says whether free text was included.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.audit import log_access, log_list
from accounts.models import AccessAction
from accounts.permissions import Perm, require_permission
from dashboards.reads import figure_lists
from web import submissions
from web.pages import landed_on

from .. import actions, exporting
from ..forms import ExportRequestForm
from ..models import DashboardExport, ExportStatus
from ..rules import may_open_export
from .common import filter_refused, scope_from, scope_query

PAGE_SIZE = 25


def export_offer(request, scope, key: str, *, paginator) -> dict:
    """What the figure list offers: the download made at once (up to DASHBOARD_EXPORT_INLINE_LIMIT families, the
    list's count cap), and the form that prepares the CSV in the background (more families, or free text)."""
    form = ExportRequestForm()
    submissions.add_token_field(form, request)  # a double click prepares one export
    return {
        "count": paginator.count,
        "count_label": paginator.count_label,
        "inline": not paginator.capped,
        "form": form,
        "request_url": f"{reverse('dashboards:export_request')}?{scope_query(scope, figure=key)}",
        "mine_url": reverse("dashboards:export_list"),
    }


def too_long_for_now(referrals) -> bool:
    """More families than a download made in the request may hold."""
    return referrals.count() > settings.DASHBOARD_EXPORT_INLINE_LIMIT


@require_permission(Perm.DASHBOARD_VIEW)
@require_POST
def export_request(request: HttpRequest) -> HttpResponse:
    """Prepare the CSV of the figure (and service, site and period) named in the query string, then show its
    status. The figure's families are chosen when it runs, as the person may see them then."""
    scope, form = scope_from(request)
    refused = filter_refused(form)
    if refused is not None:
        return refused
    key = request.GET.get("figure", "")
    if key not in figure_lists(scope):
        raise Http404
    form = ExportRequestForm(request.POST)
    include_free_text = form.is_valid() and form.cleaned_data["include_free_text"]
    try:
        _, url = submissions.save_form_once(
            request,
            lambda: actions.request_export(
                by=request.user, scope=scope, figure=key, include_free_text=include_free_text, request=request
            ),
            lambda export: reverse("dashboards:export_status", kwargs={"export_id": export.pk}),
        )
    except submissions.AlreadySaved as saved:
        return landed_on(request, saved.first)
    except submissions.TokenRefused as refused:
        messages.error(request, str(refused))
        return redirect(f"{reverse('dashboards:figure_list')}?{scope_query(scope, figure=key)}#export")
    return redirect(url)


def _own_export(request: HttpRequest, export_id: int, *, with_ids: bool = False) -> DashboardExport:
    """The person's own export that they may still open, or a logged 404 (another's is not revealed). The ids in
    the file (up to the whole service) are read only for the download's access-log entry."""
    exports = DashboardExport.objects.requested_by(request.user).select_related("service", "site")
    export = (exports if with_ids else exports.defer("referral_ids")).filter(pk=export_id).first()
    if export is None or not may_open_export(request.user, export):
        log_access(
            action=AccessAction.PERMISSION_DENIED,
            request=request,
            object_type="dashboards.dashboardexport",
            object_id=export_id,
            detail={"answer": "404: not found or not theirs"},
        )
        raise Http404
    return export


def _list_url(export: DashboardExport, user) -> str:
    scope = exporting.export_scope(export, user)
    return f"{reverse('dashboards:figure_list')}?{scope_query(scope, figure=export.figure)}"


@require_permission(Perm.DASHBOARD_VIEW)
def export_status(request: HttpRequest, export_id: int) -> HttpResponse:
    """How far the export has got ("N of M rows", with a link to check again), its download once ready, or why it
    failed. No JavaScript and no automatic refresh: the person checks again when they choose."""
    export = _own_export(request, export_id)
    log_access(action=AccessAction.VIEW, request=request, obj=export, detail={"status": export.status})
    context = {
        "export": export,
        "title": exporting.figure_title(export, request.user),
        "list_url": _list_url(export, request.user),
        "keep_days": settings.DASHBOARD_EXPORT_KEEP_DAYS,
        "available_until": export.finished_at + timedelta(days=settings.DASHBOARD_EXPORT_KEEP_DAYS)
        if export.finished_at
        else None,
        "free_text_labels": exporting.FREE_TEXT_LABELS,
    }
    return render(request, "dashboards/export_status.html", context)


@require_permission(Perm.DASHBOARD_VIEW)
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    """The prepared CSV, to the person who asked for it; the access log lists the families it holds."""
    export = _own_export(request, export_id, with_ids=True)
    if export.status != ExportStatus.READY or not export.file:
        return redirect("dashboards:export_status", export_id=export.pk)
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    log_list(
        request=request,
        object_type="referrals.referral",
        ids=export.referral_ids,
        action=AccessAction.EXPORT,
        detail=actions.export_detail(export),
    )
    name = exporting.download_name(export.figure, export.start, export.end)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type="text/csv; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


@require_permission(Perm.DASHBOARD_VIEW)
def export_list(request: HttpRequest) -> HttpResponse:
    """The person's own exports, newest first; a link only to those they may still open."""
    exports = (
        DashboardExport.objects.requested_by(request.user)
        .select_related("service", "site")
        .defer("referral_ids")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(exports, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "export": export,
            "title": exporting.figure_title(export, request.user),
            "open": may_open_export(request.user, export),
        }
        for export in page
    ]
    log_list(request=request, object_type="dashboards.dashboardexport", ids=[e.pk for e in page], detail={})
    context = {"page_obj": page, "rows": rows, "keep_days": settings.DASHBOARD_EXPORT_KEEP_DAYS}
    return render(request, "dashboards/export_list.html", context)
