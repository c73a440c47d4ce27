"""One family's referral for a page or an API call, as every app loads it, and the one-form page that acts on it.

The referral comes from the user's visible referrals with what the record shows (`with_record_details`); one they
may not see is a logged 404 (410 with its tombstone once destroyed), and `perm` on it is checked (a logged 403).
Pages and the API answer those refusals differently, so there is one loader for each. `referral_action_view` is
the whole of a one-form page on a family (load, check, validate, call one action, redirect): a new app's page copies
it from here, as its API view copies `web.api.ActionView`.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from accounts.permissions import Perm, scope_shape
from core.entered_in_error import correctable_models
from core.prepared import ReadByPk, prepared_by_shape
from web import api, pages

from .models import Referral


def _visible(request, *, for_api: bool):
    return Referral.objects.visible_to(request.user).with_record_details(for_api=for_api)


def referral_for_page(request, pk: int, perm: Perm | None = None) -> Referral:
    """For a page: the referral, or the page's 404/410/403. Without what only the API's record shows (the timeline,
    which the record page reads itself, `reads.events.timeline_of`)."""
    user = request.user
    visible = ReadByPk(Referral, lambda pk: _record_for_page(scope_shape(user, Perm.REFERRAL_VIEW), user, pk))
    return pages.load_visible(visible, request, pk, perm)


@prepared_by_shape()
def _record_for_page(user, pk):
    """The referral if `user` may see it, with what its pages show; compiled once per shape of the user's access
    (`scope_shape`), so most page loads only run it."""
    return Referral.objects.visible_to(user).with_record_details(for_api=False).filter(pk=pk)


def referral_for_api(request, pk: int, perm: Perm | None = None) -> Referral:
    """For the API: the referral, or the API's JSON 404/410/403."""
    return api.load_visible(_visible(request, for_api=True), request, pk, perm)


def correctable_visible_to(user, record_type: str):
    """The records of one correctable type (core.entered_in_error) the user may see; an unknown type is a 404."""
    model = correctable_models().get(record_type)
    if model is None:
        raise Http404("No such record type.")
    return model.error_visible_to(user)


# The action says `parent_nhs_number`; the referral form's field is `parent1_nhs_number`.
REFERRAL_ERROR_ALIASES = {"parent_nhs_number": "parent1_nhs_number", "parent_date_of_birth": "parent1_date_of_birth"}


def referral_action_page(
    request: HttpRequest, referral: Referral, *, form, template: str, perform, success_message: str
) -> HttpResponse:
    """A one-form page that acts on one referral and returns to its record."""
    return pages.form_action_page(
        request,
        form=form,
        template=template,
        context={"referral": referral},
        perform=perform,
        success_message=success_message,
        success_url=reverse("referrals:detail", kwargs={"pk": referral.pk}),
        error_aliases=REFERRAL_ERROR_ALIASES,
    )


def referral_action_view(
    request: HttpRequest, pk: int, *, perm: Perm, form_class, template: str, action, success_message: str
) -> HttpResponse:
    """The whole of a one-form page on one referral: load it (404/403), then call
    `action(referral=…, by=…, request=…, **cleaned_data)` when the form is valid."""
    referral = referral_for_page(request, pk, perm)
    return referral_action_page(
        request,
        referral,
        form=form_class(request.POST or None),
        template=template,
        perform=lambda data: action(referral=referral, by=request.user, request=request, **data),
        success_message=success_message,
    )
