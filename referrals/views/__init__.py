"""Referral pages by topic: `referrals` (record, open, correct, search), `triage`, `allocation` (allocate, the
waiting list) and `caseloads` (caseloads and practitioner details). The one-form page on a referral,
`referral_action_view`, lives in `referrals.loading` so that every app's pages use the same one."""

from django.http import HttpRequest

from accounts.permissions import Perm

from ..loading import REFERRAL_ERROR_ALIASES, referral_action_page, referral_action_view, referral_for_page
from ..models import Referral

__all__ = ["REFERRAL_ERROR_ALIASES", "load_referral", "referral_action_page", "referral_action_view"]


def load_referral(request: HttpRequest, pk: int, perm: Perm | None = None) -> Referral:
    """The referral if the user may see it (a logged 404 otherwise), then `perm` on it (a logged 403)."""
    return referral_for_page(request, pk, perm)
