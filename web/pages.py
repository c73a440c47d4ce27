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
from web import submissions
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
    success_message: str | Callable[[object], str],
    success_url: str | Callable[[object], str],
    error_aliases: dict[str, str] | None = None,
) -> HttpResponse:
    """The shape every write page shares: validate, call one action once, put refusals beside the form.

    A ValidationError goes next to its field (400); a refused state change goes to the top (409). The form carries
    a one-time token (web.submissions): sent again (Back and resubmit, a double click), it lands on the first
    submission's page with "This was already saved. Here it is." instead of running the action twice.
    `success_url` and `success_message` may be functions of what the action returned.
    """
    submissions.add_token_field(form, request)  # a repeat never gets here: SavedOnceMiddleware answers it
    status = 200
    if request.method == "POST" and form.is_valid():
        data = submissions.take_token(form)
        try:
            result, url = submissions.save_form_once(request, lambda: perform(data), success_url)
        except submissions.AlreadySaved as saved:
            return landed_on(request, saved.first)
        except submissions.TokenRefused as refused:
            form.add_error(None, str(refused))
            submissions.renew_token(form, request)
        except ValidationError as error:
            add_errors(form, error, error_aliases)
        except ActionRefused as refusal:
            form.add_error(None, str(refusal))
            status = 409
        else:
            message = success_message(result) if callable(success_message) else success_message
            if message:
                messages.success(request, message)
            return redirect(url)
    if form.errors:
        repeat = already_saved(request)  # a double click whose twin saved while this one was being checked
        if repeat is not None:
            return repeat
    if form.errors and status == 200:
        status = 400
    return render(request, template, {**context, "form": form}, status=status)


def already_saved(request: HttpRequest) -> HttpResponse | None:
    """For a POST whose form token was already used by this user: the first submission's page, with the plain
    message. None otherwise."""
    first = submissions.earlier_form_submission(request)
    return landed_on(request, first) if first is not None else None


def landed_on(request: HttpRequest, first) -> HttpResponse:
    """Send a repeated submission to where the first one went, saying it was saved (never an error to retry)."""
    messages.success(request, submissions.ALREADY_SAVED)
    return redirect(first.result_url or request.path)


class SavedOnceMiddleware:
    """A page POST whose form token this user already used goes to the first submission's page, before the view
    runs: so a view that refuses early (a family already discharged, a cycle already signed off) never answers a
    repeat with an error. After the CSRF check (it sits below CsrfViewMiddleware); the API has its own key."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.path.startswith("/api/") or not request.user.is_authenticated:
            return None
        if submissions.TOKEN_FIELD not in request.POST:
            return None
        return already_saved(request)
