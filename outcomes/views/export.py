"""The evaluation export: a pseudonymised CSV of consented families' scores, for an independent evaluator."""

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction, Service
from accounts.permissions import Perm, require_permission, services_with
from referrals.models import Referral

from ..export import HEADER, evaluation_rows
from ..forms import ExportForm


@require_permission(Perm.EVALUATION_EXPORT)
def evaluation_export(request: HttpRequest) -> HttpResponse:
    """GET: what the export holds and who is in it. POST: the CSV, written to the access log."""
    services = Service.objects.filter(pk__in=services_with(request.user, Perm.EVALUATION_EXPORT)).order_by("name")
    form = ExportForm(request.POST or None, services=services)
    if request.method == "POST" and form.is_valid():
        service = form.cleaned_data["service"]
        today = timezone.localdate()
        referrals = Referral.objects.visible_to(request.user, Perm.EVALUATION_EXPORT).filter(service=service)
        rows, families = evaluation_rows(referrals=referrals, on=today)
        log_access(
            action=AccessAction.EXPORT,
            request=request,
            object_type="outcomes.measure",
            detail={"export": "evaluation", "service": service.pk, "families": families, "rows": len(rows)},
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="evaluation-{service.slug}-{today:%Y-%m}.csv"'
        writer = csv.writer(response)
        writer.writerow(HEADER)
        writer.writerows(rows)
        return response
    status = 400 if form.errors else 200
    return render(request, "outcomes/export.html", {"form": form, "header": HEADER}, status=status)
