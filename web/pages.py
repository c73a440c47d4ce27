"""Shared plumbing for every app's pages: load what the user may see, run one action, show refusals by the form.

Every write page in every app has the same shape (STYLE.md 7): load the record the user may see (or a logged
404), check the action's permission (or a logged 403), validate the form, call one action, redirect. The pieces
live here once so `cycles`, `outcomes` and `letters` pages use them as `referrals` does, and no app imports
another app's views.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.audit import get_visible_or_404
from accounts.permissions import Perm, check_permission
from core.refusals import ActionRefused
from web.tombstones import RecordGone, find_tombstone


def load_visible(queryset, request: HttpRequest, pk, perm: Perm | None = None):
    """The record from the user's visible queryset (a logged 404 otherwise), then `perm` on it (a logged 403).

    A destroyed record answers 410 with its tombstone to those who held a role in its service (web.tombstones).
    """
    try:
        record = get_visible_or_404(queryset, request=request, pk=pk)
    except Http404:
        tombstone = find_tombstone(queryset.model, request.user, pk)
        if tombstone is not None:
            raise RecordGone(tombstone) from None
        raise
    if perm is not None:
        check_permission(request.user, perm, obj=record)
    return record


def add_errors(form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put an action's ValidationError beside its field, or at the top when the form has no such field.

    `aliases` maps an action's field name to the form's (the action says `parent_nhs_number`, the form has
    `parent1_nhs_number`).
    """
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, field_messages in error.message_dict.items():
        target = (aliases or {}).get(field, field)
        for message in field_messages:
            form.add_error(target if target in form.fields else None, message)


def form_action_page(
    request: HttpRequest,
    *,
    form,
    template: str,
    context: dict,
    perform: Callable[[dict], object],
    success_message: str,
    success_url: str,
    error_aliases: dict[str, str] | None = None,
) -> HttpResponse:
    """The shape every write page shares: validate, call one action, put refusals beside the form.

    A ValidationError goes next to its field (400); a refused state change goes to the top (409).
    """
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            perform(form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error, error_aliases)
        except ActionRefused as refusal:
            form.add_error(None, str(refusal))
            status = 409
        else:
            if success_message:
                messages.success(request, success_message)
            return redirect(success_url)
    if form.errors and status == 200:
        status = 400
    return render(request, template, {**context, "form": form}, status=status)
