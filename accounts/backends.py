"""Signing in with a username and password, and finding the signed-in user on each request.

Django's own `ModelBackend`, but the user a session names is read with SQL compiled once per process
(`core.prepared`, ADR 0032): every signed-in request asks, and building that one query cost each page about half a
millisecond. Sessions made before this backend was named in settings name Django's, so they end once (the user signs
in again) when it is deployed.
"""

from django.contrib.auth.backends import ModelBackend

from core.prepared import prepared

from .models import User


@prepared()
def _user(user_id):
    """The user with this id (no more than one row)."""
    return User._default_manager.filter(pk=user_id)


class UserBackend(ModelBackend):
    """Django's model backend with the per-request user read compiled once."""

    def get_user(self, user_id):
        """The active user the session names, or None (as Django's backend answers)."""
        found = _user(user_id)
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None
