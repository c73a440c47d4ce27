"""The page that marks one casework record entered in error: what it is, who recorded it, and the reason box.

Any record type in `core.entered_in_error.correctable_models()`; the same loader, rule and action as the API.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.permissions import may_mark_entered_in_error
from web import pages

from ..actions.entered_in_error import mark_entered_in_error
from ..forms import EnteredInErrorForm
from ..loading import correctable_visible_to


def mark_entered_in_error_page(request: HttpRequest, record_type: str, pk: int) -> HttpResponse:
    """Load the record (404), check who may (403), take the reason, mark it, go back to where it is shown."""
    record = pages.load_visible(correctable_visible_to(request.user, record_type), request, pk)
    if not may_mark_entered_in_error(request.user, record):
        raise PermissionDenied
    return pages.form_action_page(
        request,
        form=EnteredInErrorForm(request.POST or None),
        template="referrals/entered_in_error.html",
        context={"record": record, "family": record.error_family(), "back": record.error_return_url()},
        perform=lambda data: mark_entered_in_error(record=record, by=request.user, request=request, **data),
        success_message=f"The {record.error_label} is marked entered in error.",
        success_url=record.error_return_url(),
    )
