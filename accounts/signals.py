"""Log-ins, log-outs and failed log-ins go to the access log; a new practitioner gets the default details."""

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from .actions import ensure_practitioner_details
from .audit import log_access
from .models import AccessAction, Membership


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    """Log the log-in and start the absolute and idle session clocks from this moment (saved with the new session,
    so the first page after signing in has nothing to write)."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session["vig_login_at"] = now
        request.session["vig_last_seen"] = now
    log_access(action=AccessAction.LOGIN, request=request, user=user, detail=getattr(request, "vig_login_detail", None))


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    """Log-outs are access events too: the log shows when a session ended."""
    if user is not None:
        log_access(action=AccessAction.LOGOUT, request=request, user=user)


@receiver(user_login_failed)
def record_failed_login(sender, credentials, request=None, **kwargs):
    """Failed log-ins are logged with the username tried (never the password) to spot attacks."""
    log_access(
        action=AccessAction.FAILED_LOGIN,
        request=request,
        detail={"username": str(credentials.get("username", ""))[:150], "stage": "password"},
    )


@receiver(post_save, sender=Membership)
def give_practitioners_their_details(sender, instance, raw=False, **kwargs):
    """Every way of making a practitioner (the admin included) gets the same default capacity."""
    if not raw:
        ensure_practitioner_details(membership=instance)
