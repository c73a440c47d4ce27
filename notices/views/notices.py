"""A person's notices and acknowledging one. Only the recipient sees a notice (others get a logged 404)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.audit import log_list
from web.pages import form_action_page, load_visible

from .. import actions
from ..forms import AcknowledgeForm
from ..models import Notice

PAGE_SIZE = 25


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    """Open notices first, then acknowledged ones with who acted and what they did."""
    notices = (
        Notice.objects.for_user(request.user)
        .select_related("acknowledged_by")
        .order_by("acknowledged_at", "-created_at", "-pk")
    )
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    log_list(request=request, object_type="notices.notice", ids=[n.pk for n in page], detail={"list": "notices"})
    return render(request, "notices/notice_list.html", {"page_obj": page})


@login_required
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """Record what was done about a notice; it then leaves the home page but stays in the history."""
    notice = load_visible(
        Notice.objects.filter(recipient=request.user).select_related("referral", "acknowledged_by"), request, pk
    )
    return form_action_page(
        request,
        form=AcknowledgeForm(request.POST or None),
        template="notices/acknowledge.html",
        context={"notice": notice},
        perform=lambda data: actions.acknowledge_notice(
            notice=notice, action_taken=data["action_taken"], by=request.user, request=request
        ),
        success_message="Notice acknowledged.",
        success_url=reverse("notices:list"),
    )
