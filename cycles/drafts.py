"""Drafts of half-written forms: what they keep, how a form gets its draft back, and the idle sign-out's hook.

A draft keeps only the fields of its form (never a CSRF token, a password or anything else posted), for the person
who wrote it. `save_from_request` is what `accounts.middleware.SessionTimeoutMiddleware` calls (through the
`SESSION_TIMEOUT_DRAFT_SAVER` setting) when a POST to a page in `DRAFTABLE_URL_NAMES` arrives after the idle
time-out: the text is kept before the person is signed out, and the form shows it after they sign in again.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import MultipleChoiceField

from core.prepared import INT, TEXT, prepared
from core.refusals import ActionRefused
from cycles.reads.visits import visible_visits

from . import actions
from .forms.visits import VisitRecordForm
from .models import Draft, Visit

logger = logging.getLogger(__name__)


def draft_data(form_class, posted) -> dict[str, list[str]]:
    """The form's own fields from a POST (a QueryDict), as lists of strings; everything else is left out."""
    return {name: posted.getlist(name) for name in form_class.base_fields if name in posted}


def draft_initial(form_class, data: dict) -> dict:
    """A draft's data as a form's `initial`: lists for multiple-choice fields, the last value otherwise."""
    initial = {}
    for name, field in form_class.base_fields.items():
        values = data.get(name)
        if not values:
            continue
        values = values if isinstance(values, list) else [values]
        initial[name] = [str(v) for v in values] if isinstance(field, MultipleChoiceField) else str(values[-1])
    return initial


def draft_for(user, key: str) -> Draft | None:
    """The user's draft of this form, if they kept one: read on every visit form, with SQL compiled once."""
    found = _draft(user.pk, key)
    return found[0] if found else None


@prepared(INT, TEXT)
def _draft(user_id, key):
    return Draft.objects.filter(user_id=user_id, key=key).order_by("pk")[:1]


def save_from_request(request, match) -> bool:
    """Keep a visit record posted after the idle time-out as the writer's draft. True if it was kept.

    Only the visit's allocated practitioner can keep a draft of it (the action checks), so a stale or forged
    POST keeps nothing.
    """
    if match.view_name != "cycles:visit_record":
        return False
    visit = visible_visits(request.user).filter(pk=match.kwargs.get("pk")).first()
    if visit is None:
        return False
    try:
        actions.save_draft(
            visit=visit, data=draft_data(VisitRecordForm, request.POST), by=request.user, request=request
        )
    except (PermissionDenied, ActionRefused, ValidationError, Visit.DoesNotExist):
        logger.info("Draft not kept at idle sign-out: not this user's visit to record")
        return False
    return True
