"""Values every page needs: demo mode and the navigation the user's roles allow."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from .permissions import Perm, has_permission

# (label, url name, permission needed or None for any signed-in user)
NAVIGATION = [
    ("Home", "home", None),
    ("Triage queue", "referrals:triage_queue", Perm.TRIAGE_QUEUE_VIEW),
    ("Find a family", "referrals:search", Perm.REFERRAL_SEARCH),
    ("Waiting list", "referrals:waiting_list", Perm.WAITING_LIST_VIEW),
    ("Caseloads", "referrals:caseloads", Perm.PRACTITIONER_VIEW),
    ("Staff", "accounts:staff", Perm.STAFF_MANAGE),
    ("Supervision", "cycles:supervision", Perm.SUPERVISION_RECORD),
    ("Account security", "accounts:security", None),
]


def site_settings(request):
    """Demo mode and the navigation this person's roles allow, for every page."""
    user = getattr(request, "user", None)
    nav_items = []
    if user is not None and user.is_authenticated:
        for label, url_name, perm in NAVIGATION:
            if perm is not None and not has_permission(user, perm):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            current = request.path == url if url == "/" else request.path.startswith(url)
            nav_items.append({"label": label, "url": url, "current": current})
    return {"demo_mode": settings.DEMO_MODE, "nav_items": nav_items, "service_name": "VIG Service"}
