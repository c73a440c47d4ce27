"""A service admin sets when a risk answer nobody acted on escalates, the working day, and who is told; the page
shows every earlier change with who made it and when."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from accounts.models import Service
from accounts.permissions import Perm, check_permission, shares_a_service
from web.pages import form_action_page

from .. import actions
from ..forms import NoticeSettingsForm
from ..models import NoticeSettingsChange
from ..reads import settings_for

HISTORY_SHOWN = 50


def notice_settings(request: HttpRequest, service: str) -> HttpResponse:
    service = get_object_or_404(Service, slug=service)
    if not shares_a_service(request.user, service.pk):
        raise Http404
    current = settings_for(service)
    check_permission(request.user, Perm.NOTICE_SETTINGS_MANAGE, obj=current)
    initial = {f: getattr(current, f) for f in actions.SETTINGS_FIELDS}
    history = NoticeSettingsChange.objects.filter(service=service).select_related("changed_by")[:HISTORY_SHOWN]
    return form_action_page(
        request,
        form=NoticeSettingsForm(request.POST or None, initial=initial),
        template="notices/settings.html",
        context={"service": service, "history": history},
        perform=lambda data: actions.save_notice_settings(service=service, by=request.user, request=request, **data),
        success_message="Notice settings saved.",
        success_url=reverse("notices:settings", kwargs={"service": service.slug}),
    )
