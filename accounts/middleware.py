"""Session time-outs and the second-factor gate.

The idle time-out comes from the session cookie's age (refreshed on every request); the absolute time-out and an
explicit idle check live here so both end the server-side session, not just the cookie.
"""

import logging
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils.functional import SimpleLazyObject, empty
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Paths a signed-in user may reach before passing the second factor (the API refuses such sessions itself).
SECOND_FACTOR_EXEMPT_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/two-step/",
    "/static/",
    "/healthz",
    "/api/",
)


class ResolvedUserMiddleware:
    """`request.user` as the user itself, not wrapped in lazy proxies.

    Django's authentication middleware and django-otp's each wrap the user in a `SimpleLazyObject`, so every read of
    an attribute (a page's permission checks and templates make hundreds) passed through two proxies. Every page
    needs the user anyway (the time-out below asks whether they are signed in), so resolving it here costs nothing
    and the proxies' share of a page's CPU goes. Placed straight after django-otp's middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        while isinstance(user, SimpleLazyObject):
            if user._wrapped is empty:
                user._setup()
            user = user._wrapped
        request.user = user
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """Sign out after SESSION_IDLE_TIMEOUT_SECONDS of inactivity or SESSION_ABSOLUTE_TIMEOUT_SECONDS in all.

    The moment last seen is written at most once every SESSION_TOUCH_SECONDS: a session written on every request
    cost each page an UPDATE and a commit. Its copy is then up to that much older than the last request, so an
    idle sign-out comes at most that much early, never late."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault("vig_login_at", now)
            last_seen = request.session.get("vig_last_seen", now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS
            too_long = now - started > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
            if idle or too_long:
                kept = keep_draft(request)
                logout(request)
                messages.info(request, "You were signed out to keep families' information safe. Please sign in.")
                if kept:
                    messages.info(request, "What you were writing was kept as a draft: it is there when you return.")
                    return redirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.path})}")
                return redirect(settings.LOGIN_URL)
            if now - last_seen >= settings.SESSION_TOUCH_SECONDS or "vig_last_seen" not in request.session:
                request.session["vig_last_seen"] = now
        return self.get_response(request)


def keep_draft(request) -> bool:
    """Before a time-out sign-out, hand a POST to a draftable page to the draft saver, so its text is not lost.

    The page must be named in DRAFTABLE_URL_NAMES; the saver (SESSION_TIMEOUT_DRAFT_SAVER, a dotted path, so this
    module imports no app) decides which fields to keep. The CSRF check runs first: the view's own check never
    runs for a request stopped here, and a forged POST must not plant text in someone's draft. Never raises.
    """
    saver_path = getattr(settings, "SESSION_TIMEOUT_DRAFT_SAVER", "")
    if request.method != "POST" or not saver_path:
        return False
    if not settings.DEMO_MODE and not request.user.is_verified():
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    if match.view_name not in getattr(settings, "DRAFTABLE_URL_NAMES", ()):
        return False
    if CsrfViewMiddleware(lambda r: None).process_view(request, match.func, match.args, match.kwargs) is not None:
        return False
    try:
        return bool(import_string(saver_path)(request, match))
    except Exception:  # losing a draft must never stop the sign-out
        logger.exception("Could not keep a draft at idle sign-out")
        return False


class RequireSecondFactorMiddleware:
    """Outside demo mode nothing but the log-in pages is reachable until the second factor is passed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not settings.DEMO_MODE
            and not user.is_verified()
            and not request.path.startswith(SECOND_FACTOR_EXEMPT_PREFIXES)
        ):
            from .mfa import has_confirmed_device

            target = "accounts:mfa_verify" if has_confirmed_device(user) else "accounts:mfa_enrol"
            return redirect(reverse(target))
        return self.get_response(request)
