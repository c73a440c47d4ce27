"""The audit viewer: who looked at or changed a family's record, and what a member of staff opened."""

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.audit import log_access, log_list
from accounts.models import AccessAction
from accounts.permissions import Perm, require_permission
from audit.reads import REFERRAL_TYPE, Cursor, Filters, timeline
from core.replica import lag_tolerant

from ..forms import AuditFilterForm

EXPORT_LIMIT = 100_000
CSV_HEADER = [
    "time",
    "source",
    "row_id",
    "staff",
    "staff_id",
    "action",
    "record",
    "family",
    "families_shown",
    "families_outside_your_services",
    "summary",
    "path",
    "ip_address",
]


def _shown_ids(rows) -> list[int]:
    ids = {row.family_id for row in rows if row.family_id}
    for row in rows:
        ids.update(row.families_shown or [])
    return sorted(ids)


def _with(query, **extra) -> str:
    query = query.copy()
    for key, value in extra.items():
        query[key] = value
    return f"?{query.urlencode()}"


@require_permission(Perm.AUDIT_VIEW)
@lag_tolerant
def audit_log(request: HttpRequest) -> HttpResponse:
    """GET: the filters and one page of rows, newest first. The page itself is logged with the families it showed."""
    form = AuditFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if request.GET else Filters()
    rows, next_cursor = [], None
    if filters is not None:
        rows, next_cursor = timeline(request.user, filters, cursor=Cursor.parse(request.GET.get("after")))
        log_list(
            request=request,
            object_type=REFERRAL_TYPE,
            ids=_shown_ids(rows),
            detail={"list": "audit", **filters.as_detail()},
        )
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "form": form,
        "rows": rows,
        "next_url": _with(query, after=str(next_cursor)) if next_cursor else "",
        "first_url": f"?{query.urlencode()}" if request.GET.get("after") else "",
        "hidden_filters": [(k, v) for k, values in query.lists() for v in values],
    }
    return render(request, "audit/log.html", context, status=400 if form.errors else 200)


@require_POST
@require_permission(Perm.AUDIT_VIEW)
@lag_tolerant
def audit_export(request: HttpRequest) -> HttpResponse:
    """Every row the filters match (up to EXPORT_LIMIT) as CSV, for an investigation. The export is logged."""
    form = AuditFilterForm(request.POST, user=request.user)
    filters = form.filters()
    if filters is None:
        return render(request, "audit/log.html", {"form": form, "rows": []}, status=400)
    rows, cursor = [], None
    while len(rows) < EXPORT_LIMIT:
        page, cursor = timeline(request.user, filters, cursor=cursor, limit=1000)
        rows += page
        if cursor is None:
            break
    log_access(
        action=AccessAction.EXPORT,
        request=request,
        object_type=REFERRAL_TYPE,
        object_id=filters.referral.pk if filters.referral else "",
        detail={"export": "audit", **filters.as_detail(), "rows": len(rows), "ids_shown": _shown_ids(rows)},
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            [
                row.at.isoformat(),
                "history" if row.source else "access log",
                row.id,
                row.staff,
                row.staff_id or "",
                row.action,
                "outside your services" if row.hidden else row.what,
                row.family_reference,
                " ".join(row.shown_references),
                row.outside or "",
                row.summary,
                row.path,
                row.ip,
            ]
        )
    return response
