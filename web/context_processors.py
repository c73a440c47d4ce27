"""Values every page needs: demo mode and the navigation the user's roles allow."""

from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from accounts.models import Role
from accounts.permissions import Perm, has_permission, memberships_for

# (label, url name, permission needed or None for any signed-in user)
NAVIGATION = [
    ("Home", "home", None),
    ("Your caseload", "referrals:practitioner_caseload", Role.PRACTITIONER),
    ("Triage queue", "referrals:triage_queue", Perm.TRIAGE_QUEUE_VIEW),
    ("Find a family", "referrals:search", Perm.REFERRAL_SEARCH),
    ("Waiting list", "referrals:waiting_list", Perm.WAITING_LIST_VIEW),
    ("Caseloads", "referrals:caseloads", Perm.PRACTITIONER_VIEW),
    ("Staff", "accounts:staff", Perm.STAFF_MANAGE),
    ("Diary", "cycles:diary", Perm.CASEWORK_RECORD),  # practitioners only: their own planned visits
    ("Supervision", "cycles:supervision", Perm.SUPERVISION_RECORD),
    ("Audit", "audit:log", Perm.AUDIT_VIEW),
    ("Account security", "accounts:security", None),
]


def cached_url(url_name: str, *args) -> str | None:
    """`reverse(url_name, args=args)`, remembered: the navigation reversed the same eleven addresses on every page
    (a few per cent of a small page's CPU), and an address depends only on its name, its arguments, the URL
    configuration and the script prefix, which are all in the key. None where the name does not reverse."""
    return _reversed(url_name, args, get_urlconf(), get_script_prefix())


@lru_cache(maxsize=4096)
def _reversed(url_name: str, args: tuple, urlconf, prefix: str) -> str | None:
    try:
        return reverse(url_name, args=args, urlconf=urlconf)
    except NoReverseMatch:
        return None


def _own_caseload_url(user, url_name: str) -> str | None:
    """A practitioner's own caseload page (their first practitioner membership); "" for anyone else."""
    own = sorted(m.pk for m in memberships_for(user) if m.role == Role.PRACTITIONER)
    return cached_url(url_name, own[0]) if own else ""


def site_settings(request):
    """Demo mode and the navigation this person's roles allow, for every page."""
    user = getattr(request, "user", None)
    nav_items = []
    if user is not None and user.is_authenticated:
        for label, url_name, perm in NAVIGATION:
            url = _own_caseload_url(user, url_name) if perm == Role.PRACTITIONER else cached_url(url_name)
            if not url or (perm not in (None, Role.PRACTITIONER) and not has_permission(user, perm)):
                continue
            current = request.path == url if url == "/" else request.path.startswith(url)
            nav_items.append({"label": label, "url": url, "current": current})
    return {"demo_mode": settings.DEMO_MODE, "nav_items": nav_items, "service_name": "VIG Service"}
