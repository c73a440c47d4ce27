"""API authentication that honours the second factor."""

import binascii
from hmac import compare_digest

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from core.prepared import TEXT, prepared


@prepared(TEXT)
def _tokens_with_key(token_key):
    """The tokens whose key (the token's first characters) is this, with their users: compiled once per process
    (`core.prepared`), as every API call reads it."""
    return get_token_model().objects.filter(token_key=token_key).select_related("user")


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token check, without reading every other token of the user on every call.

    knox's `_cleanup_token` loads all the user's tokens on each request to delete the expired ones: a query and a
    model per token, per API call. Here only the token presented is checked (expired: deleted, signalled and
    refused, as knox does); the user's other expired tokens are deleted by the hourly `purge_expired_api_tokens`
    and before a new token is issued (`web.api`), so they never count and are never accepted.
    """

    def authenticate_credentials(self, token):
        """knox's own check, line for line, but the presented token's rows are read with SQL compiled once."""
        msg = _("Invalid token.")
        token = token.decode("utf-8")
        for auth_token in _tokens_with_key(token[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(msg) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(msg)

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
