"""One family's referral for a page or an API call, as every app loads it.

The referral comes from the user's visible referrals with what the record shows (`with_record_details`); one they
may not see is a logged 404 (410 with its tombstone once destroyed), and `perm` on it is checked (a logged 403).
Pages and the API answer those refusals differently, so there is one loader for each.
"""

from accounts.permissions import Perm
from web import api, pages

from .models import Referral


def _visible(request):
    return Referral.objects.visible_to(request.user).with_record_details()


def referral_for_page(request, pk: int, perm: Perm | None = None) -> Referral:
    """For a page: the referral, or the page's 404/410/403."""
    return pages.load_visible(_visible(request), request, pk, perm)


def referral_for_api(request, pk: int, perm: Perm | None = None) -> Referral:
    """For the API: the referral, or the API's JSON 404/410/403."""
    return api.load_visible(_visible(request), request, pk, perm)
