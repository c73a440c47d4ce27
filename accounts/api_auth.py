"""API authentication that honours the second factor."""

from django.conf import settings
from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication


class VerifiedSessionAuthentication(SessionAuthentication):
    """Session auth that, outside demo mode, ignores a session that has not passed the second factor."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, auth = result
        if not settings.DEMO_MODE and not user.is_verified():
            return None
        return user, auth


class VerifiedSessionScheme(SessionScheme):
    """Tell drf-spectacular this is cookie session auth."""

    target_class = "accounts.api_auth.VerifiedSessionAuthentication"
    name = "cookieAuth"
