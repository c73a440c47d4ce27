"""A coordinator makes again, in one action, every approved letter of a month that is missing or failed."""

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts.audit import log_access
from accounts.models import AccessAction
from accounts.permissions import Perm, require_permission
from web.pages import form_action_page

from .. import actions
from ..actions.pipeline import month_range
from ..forms import MonthForm
from ..models import Letter
from ..states import LetterStatus


def month_counts(user, month) -> list[tuple[str, int]]:
    """How many of the month's approved letters are in each status: the batch's progress (one query)."""
    start, end = month_range(month)
    rows = (
        Letter.objects.visible_to(user, Perm.LETTER_COORDINATE)
        .current()
        .approved()
        .filter(approved_at__gte=start, approved_at__lt=end)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    found = {row["status"]: row["n"] for row in rows}
    return [(label, found.get(value, 0)) for value, label in LetterStatus.choices if value != LetterStatus.DRAFT]


@require_permission(Perm.LETTER_COORDINATE)
def batch(request: HttpRequest) -> HttpResponse:
    """Choose a month (GET); see its letters by status, refreshing while any are being made; make the failed and
    missing ones again (POST)."""
    chooser = MonthForm(request.GET or None)
    month = chooser.cleaned_data["month"] if chooser.is_valid() else None
    counts = month_counts(request.user, month) if month else []
    waiting = sum(n for label, n in counts if label in WAITING_LABELS)
    if month:
        log_access(
            action=AccessAction.LIST, request=request, object_type="letters.letter", detail={"batch": str(month)}
        )
    initial = {"month": f"{month:%Y-%m}"} if month else {}
    return form_action_page(
        request,
        form=MonthForm(request.POST or None, initial=initial),
        template="letters/batch.html",
        context={"counts": counts, "month": month, "chooser": chooser, "refresh": bool(waiting), "waiting": waiting},
        perform=lambda data: actions.regenerate_month_letters(month=data["month"], by=request.user, request=request),
        success_message="The month's missing and failed letters are being made again.",
        success_url=reverse("letters:batch") + (f"?month={request.POST.get('month', '')}" if request.POST else ""),
    )


WAITING_LABELS = {LetterStatus.APPROVED.label, LetterStatus.QUEUED.label, LetterStatus.RENDERING.label}
