"""Session time-outs and the second-factor gate.

The idle time-out comes from the session cookie's age (refreshed on every request); the absolute time-out and an
explicit idle check live here so both end the server-side session, not just the cookie.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

# Paths a signed-in user may reach before passing the second factor (the API refuses such sessions itself).
SECOND_FACTOR_EXEMPT_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/two-step/",
    "/static/",
    "/healthz",
    "/api/",
)


class SessionTimeoutMiddleware:
    """Sign out after SESSION_IDLE_TIMEOUT_SECONDS of inactivity or SESSION_ABSOLUTE_TIMEOUT_SECONDS in all."""

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
                logout(request)
                messages.info(request, "You were signed out to keep families' information safe. Please sign in.")
                return redirect(settings.LOGIN_URL)
            request.session["vig_last_seen"] = now
        return self.get_response(request)


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
