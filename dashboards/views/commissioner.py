"""The commissioner return: one NHS financial quarter, chosen from a list, as a page and as CSV. Counts only."""

import csv

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction
from accounts.permissions import Perm, require_permission
from core.replica import lag_tolerant
from dashboards.reads import Quarter, commissioner_return, recent_quarters

from .common import filter_refused, scope_from, scope_query


def today():
    """Today in the service's time zone (one place, so a test can set the day)."""
    return timezone.localdate()


class QuarterRefused(Exception):
    """The quarter asked for cannot be returned (not a quarter, or not begun): the message names the field."""


def chosen_quarter(request: HttpRequest, scope, day) -> Quarter:
    """The quarter in the query string (`quarter=2026-Q3`), or the one the period ends in (never one after today).
    A quarter still to come is refused: its return would be figures for dates that have not happened."""
    asked = request.GET.get("quarter", "")
    if not asked:
        return Quarter.of(min(scope.end, day))
    quarter = Quarter.parse(asked)
    if quarter is None:
        raise QuarterRefused("Quarter: choose a quarter from the list, for example 2026/27 Q3")
    if not quarter.has_begun(day):
        raise QuarterRefused(f"Quarter: {quarter.label} has not begun yet: choose a quarter up to today")
    return quarter


def _return_for(request: HttpRequest):
    """The scope narrowed to the chosen quarter as counted, the quarter, whether it is in progress, and the rows."""
    scope, form = scope_from(request)
    refused = filter_refused(form)
    if refused is not None:
        return None, refused
    quarter = chosen_quarter(request, scope, today())
    start, end, to_date = quarter.counted(today())
    scope = type(scope)(user=scope.user, service=scope.service, site=scope.site, start=start, end=end)
    rows = commissioner_return(scope, quarter, to_date=to_date)
    log_access(
        action=AccessAction.EXPORT if request.resolver_match.url_name == "commissioner_csv" else AccessAction.VIEW,
        request=request,
        object_type="dashboards.commissioner_return",
        object_id=scope.service.pk,
        detail={
            "export": "commissioner_return",
            "service": scope.service.pk,
            "quarter": quarter.label,
            "site": scope.site.pk if scope.site else None,
            "start": str(start),
            "end": str(end),
        },
    )
    return (scope, quarter, to_date, rows), None


def _offered(chosen: Quarter | None) -> list[dict]:
    """The quarters to choose from, newest first, the one in progress marked "to date" (and the chosen one, if
    older than the list)."""
    day = today()
    quarters = recent_quarters(day)
    if chosen is not None and chosen not in quarters:
        quarters.append(chosen)
    return [{"quarter": q, "to_date": q.counted(day)[2]} for q in quarters]


@require_permission(Perm.DASHBOARD_VIEW)
@lag_tolerant
def commissioner_page(request: HttpRequest) -> HttpResponse:
    """The return for the quarter chosen from a list (default: the one in progress, to date), with its CSV."""
    try:
        made, refused = _return_for(request)
    except QuarterRefused as problem:
        scope, _form = scope_from(request)
        context = {"scope": scope, "error": str(problem), "quarters": _offered(None), "chosen": None}
        return render(request, "dashboards/commissioner_return.html", context, status=400)
    if refused is not None:
        return refused
    scope, quarter, to_date, rows = made
    quarters = _offered(quarter)
    context = {
        "scope": scope,
        "quarter": quarter,
        "to_date": to_date,
        "rows": rows,
        "quarters": quarters,
        "chosen": quarter,
        "csv_url": f"{reverse('dashboards:commissioner_csv')}?{scope_query(scope, quarter=quarter.key)}",
        "back_url": f"{reverse('dashboards:dashboard')}?{scope_query(scope)}",
    }
    return render(request, "dashboards/commissioner_return.html", context)


@require_permission(Perm.DASHBOARD_VIEW)
@lag_tolerant
def commissioner_csv(request: HttpRequest) -> HttpResponse:
    """The return for commissioners as CSV: counts only, no family named. `?quarter=2026-Q3` (financial year
    2026/27, October to December); a quarter in progress stops at today and says "to date"; one to come is a 400."""
    try:
        made, refused = _return_for(request)
    except QuarterRefused as problem:
        return HttpResponseBadRequest(str(problem), content_type="text/plain; charset=utf-8")
    if refused is not None:
        return refused
    _scope, quarter, to_date, rows = made
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"commissioner-return-{quarter.year}-{(quarter.year + 1) % 100:02d}-Q{quarter.quarter}"
    response["Content-Disposition"] = f'attachment; filename="{name}{"-to-date" if to_date else ""}.csv"'
    writer = csv.writer(response)
    writer.writerow(["Figure", "Value"])
    for label, value in rows:
        writer.writerow([label, "" if value is None else value])
    return response
