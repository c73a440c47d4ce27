"""Referral pages by topic: `referrals` (record, open, correct, search), `triage`, `allocation` (allocate, the
waiting list) and `caseloads` (caseloads and practitioner details). The two helpers here are the referral-shaped
uses of `web.pages`, shared by those modules."""

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts.permissions import Perm
from web.pages import form_action_page

from ..loading import referral_for_page
from ..models import Referral

# The action says `parent_nhs_number`; the referral form's field is `parent1_nhs_number`.
REFERRAL_ERROR_ALIASES = {"parent_nhs_number": "parent1_nhs_number", "parent_date_of_birth": "parent1_date_of_birth"}


def load_referral(request: HttpRequest, pk: int, perm: Perm | None = None) -> Referral:
    """The referral if the user may see it (a logged 404 otherwise), then `perm` on it (a logged 403)."""
    return referral_for_page(request, pk, perm)


def referral_action_page(
    request: HttpRequest, referral: Referral, *, form, template: str, perform, success_message: str
) -> HttpResponse:
    """A one-form page that acts on one referral and returns to its record."""
    return form_action_page(
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
    referral = load_referral(request, pk, perm)
    return referral_action_page(
        request,
        referral,
        form=form_class(request.POST or None),
        template=template,
        perform=lambda data: action(referral=referral, by=request.user, request=request, **data),
        success_message=success_message,
    )
