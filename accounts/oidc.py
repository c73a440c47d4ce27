"""Sign in with the trust's OpenID Connect provider (NHS CIS2 or another), through mozilla-django-oidc (ADR 0028).

The library runs the authorisation code flow (state, nonce, PKCE); this module adds what a clinical system needs
on top: endpoints from the provider's discovery document, an ID token checked for issuer, audience, expiry, nonce
and signature, an identity that maps to an account only through a `ProviderIdentity` an admin linked (issuer +
subject, never an email address; signing in creates nothing), the provider's assurance claim deciding whether our
own second step is still needed, and a named reason for every refusal so the access log shows each one.
"""

import time

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from .models import ProviderIdentity

DISCOVERY_CACHE_SECONDS = 3600
_discovered: dict[str, tuple[float, dict]] = {}

# Our settings name for each endpoint the library reads, and its key in the discovery document.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
}


class SignInRefused(Exception):
    """A sign-in through the provider that must not go on; `reason` is the short word the access log keeps."""

    def __init__(self, reason: str, message: str = ""):
        super().__init__(message or reason)
        self.reason = reason


class UnknownIdentity(SignInRefused):
    """The provider vouched for someone no admin has linked to an account here."""

    def __init__(self, subject: str):
        super().__init__("unknown identity")
        self.subject = subject


def enabled() -> bool:
    """Sign-in through a provider is offered only once the install names one (issuer and client id)."""
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def discovery() -> dict:
    """The provider's discovery document, fetched once an hour, so endpoints and keys follow the provider."""
    url = settings.OIDC_DISCOVERY_URL or settings.OIDC_ISSUER.rstrip("/") + "/.well-known/openid-configuration"
    cached = _discovered.get(url)
    if cached and time.monotonic() - cached[0] < DISCOVERY_CACHE_SECONDS:
        return cached[1]
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise SignInRefused("provider unreachable", str(error)) from None
    if document.get("issuer") != settings.OIDC_ISSUER:
        raise SignInRefused("provider misconfigured", "The discovery document names another issuer.")
    _discovered[url] = (time.monotonic(), document)
    return document


def setting(name: str, *default):
    """The library's settings, with the provider's endpoints read from its discovery document."""
    if name in DISCOVERED:
        return discovery().get(DISCOVERED[name], *default) if default else discovery()[DISCOVERED[name]]
    if name == "OIDC_AUTH_REQUEST_EXTRA_PARAMS":
        return {"acr_values": settings.OIDC_ACR_VALUES} if settings.OIDC_ACR_VALUES else {}
    return import_from_settings(name, *default)


def assurance_met(claims: dict) -> bool:
    """True only when the ID token asserts one of the assurance values this install requires.

    The claim is `acr` by default (CIS2 sends e.g. `AAL3_ANY`); `amr` (a list) or CIS2's
    `authentication_assurance_level` work too. No required value configured means never: our own second step
    then always applies.
    """
    required = {str(value) for value in settings.OIDC_REQUIRED_ACR}
    if not required:
        return False
    asserted = claims.get(settings.OIDC_ACR_CLAIM)
    values = asserted if isinstance(asserted, list) else [asserted]
    return any(value is not None and str(value) in required for value in values)


class StartView(OIDCAuthenticationRequestView):
    """Send the browser to the provider with a fresh state, nonce and PKCE challenge, kept in the session."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)  # View's, not the library's settings read
        self.OIDC_OP_AUTH_ENDPOINT = ""
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    get_settings = staticmethod(setting)

    def get(self, request):
        self.OIDC_OP_AUTH_ENDPOINT = setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        return super().get(request)


class ProviderBackend(OIDCAuthenticationBackend):
    """Exchanges the code (with the PKCE verifier), checks the ID token and finds the linked account.

    Only `ProviderIdentity` rows decide who the person is: no lookup by email, no account created. Each refusal is
    a `SignInRefused` naming what failed, for the access log.
    """

    get_settings = staticmethod(setting)

    def __init__(self, *args, **kwargs):
        self.OIDC_OP_TOKEN_ENDPOINT = setting("OIDC_OP_TOKEN_ENDPOINT")
        self.OIDC_OP_USER_ENDPOINT = None
        self.OIDC_OP_JWKS_ENDPOINT = setting("OIDC_OP_JWKS_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.claims: dict = {}
        self.identity: ProviderIdentity | None = None
        self.id_token = ""

    def get_token(self, payload):
        """The token request; a refusal (an expired, replayed or altered code, a wrong verifier) is named."""
        try:
            return super().get_token(payload)
        except requests.HTTPError:
            raise SignInRefused("code refused", "The provider refused the code.") from None
        except requests.RequestException:
            raise SignInRefused("provider unreachable") from None

    def verify_token(self, token, **kwargs):
        """Signature by the provider's published key, then issuer, audience, expiry and the nonce we sent."""
        if not token:
            raise SignInRefused("no id token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise SignInRefused("bad token") from None
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SignInRefused("bad signature", "Unexpected signing algorithm.")
        try:
            key = self.retrieve_matching_jwk(token)
        except SuspiciousOperation:
            raise SignInRefused("bad signature", "No published key matches the token.") from None
        except requests.RequestException:
            raise SignInRefused("provider unreachable") from None
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_ISSUER,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=30,
            )
        except jwt.InvalidSignatureError:
            raise SignInRefused("bad signature") from None
        except jwt.ExpiredSignatureError:
            raise SignInRefused("token expired") from None
        except jwt.PyJWTError as error:
            raise SignInRefused("bad token", type(error).__name__) from None
        if (
            isinstance(claims.get("aud"), list)
            and len(claims["aud"]) > 1
            and claims.get("azp") != self.OIDC_RP_CLIENT_ID
        ):
            raise SignInRefused("bad token", "Token issued to another party.")
        if claims.get("nonce") != kwargs.get("nonce"):
            raise SignInRefused("nonce mismatch")
        return claims

    def store_tokens(self, access_token, id_token):
        """Keep the ID token for the provider's sign-out (`id_token_hint`); the access token is not kept."""
        self.id_token = id_token

    def get_or_create_user(self, access_token, id_token, payload):
        """The account an admin linked to this issuer + subject, or `UnknownIdentity`. Never creates one."""
        self.claims = payload
        identity = (
            ProviderIdentity.objects.select_related("user")
            .filter(issuer=payload["iss"], subject=str(payload["sub"]), confirmed=True)
            .first()
        )
        if identity is None or not identity.user.is_active:
            raise UnknownIdentity(str(payload["sub"]))
        self.identity = identity
        return identity.user


def end_session_url(*, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """Where the browser goes to end the provider's session too, or None if the provider names no such page."""
    from urllib.parse import urlencode

    try:
        endpoint = discovery().get("end_session_endpoint")
    except SignInRefused:
        return None
    if not endpoint:
        return None
    query = {"client_id": settings.OIDC_RP_CLIENT_ID, "post_logout_redirect_uri": post_logout_redirect_uri}
    if id_token:
        query["id_token_hint"] = id_token
    return f"{endpoint}?{urlencode(query)}"
