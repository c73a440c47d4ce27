"""API authentication that honours the second factor."""

from django.conf import settings
from django.utils import timezone
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.signals import token_expired
from rest_framework.authentication import SessionAuthentication


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token check, without reading every other token of the user on every call.

    knox's `_cleanup_token` loads all the user's tokens on each request to delete the expired ones: a query and a
    model per token, per API call. Here only the token presented is checked (expired: deleted, signalled and
    refused, as knox does); the user's other expired tokens are deleted by the hourly `purge_expired_api_tokens`
    and before a new token is issued (`web.api`), so they never count and are never accepted.
    """

    def _cleanup_token(self, auth_token) -> bool:
        """True (skip this token) if it has expired, after deleting it as knox does."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


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


class TokenScheme(KnoxTokenScheme):
    """Tell drf-spectacular this is knox's token scheme (the same name and definition as knox's own)."""

    target_class = "accounts.api_auth.TokenAuthentication"


class VerifiedSessionScheme(SessionScheme):
    """Tell drf-spectacular this is cookie session auth."""

    target_class = "accounts.api_auth.VerifiedSessionAuthentication"
    name = "cookieAuth"
