"""Pages that belong to no single app: home, health check, error handlers."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.audit import log_access
from accounts.models import AccessAction
from accounts.permissions import memberships_for
from web import health
from web.home import sections_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each person lands on what their roles need first; the pieces come from the apps' home sections."""
    context = {"memberships": memberships_for(request.user), "sections": sections_for(request)}
    return render(request, "home.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer and docker-compose: database, broker, workers and files, without details (health.py)."""
    body, status = health.report()
    return JsonResponse(body, status=status)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    """Every refusal is logged (who, which path) before the 403 page is shown."""
    log_access(action=AccessAction.PERMISSION_DENIED, request=request)
    return render(request, "403.html", status=403)
