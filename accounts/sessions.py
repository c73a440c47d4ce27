"""The session store: Django's database sessions, saved with one UPDATE instead of a transaction around a model save.

A session is saved when it changes (at least once a minute while in use: the idle time-out's `vig_last_seen`,
SESSION_TOUCH_SECONDS). Django's database store does it as BEGIN, a forced-update model save and COMMIT: three
statements and a model instance, for what one UPDATE (atomic on its own) does. This store sends that UPDATE, and
reads the session with SQL compiled once per process (`core.prepared`).
Everything else is Django's: creating a session (must_create) still inserts inside Django's transaction, the rows
and their encoding are the same, and a session whose row has gone (signed out in another tab, expired and cleared)
still raises `UpdateError`, which Django's middleware answers as it always has.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import router
from django.utils import timezone

from core.prepared import INSTANT, TEXT, prepared


@prepared(TEXT, INSTANT)
def _live_session(session_key, now):
    """The session with this key if it has not expired (compiled once: every request reads its session)."""
    return SessionStore.get_model_class().objects.filter(session_key=session_key, expire_date__gt=now)


class SessionStore(db.SessionStore):
    """Django's database session store with a one-statement save of an existing session and a read compiled once."""

    def _get_session_from_db(self):
        """The live session row, or None with the key dropped (as Django's store does)."""
        found = _live_session(self.session_key, timezone.now())
        if not found:
            self._session_key = None
            return None
        return found[0]

    def save(self, must_create=False):
        """Update the existing row in one statement; create through Django's own path."""
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        data = self._get_session()
        using = router.db_for_write(self.model)
        updated = (
            self.model.objects.using(using)
            .filter(session_key=self.session_key)
            .update(session_data=self.encode(data), expire_date=self.get_expiry_date())
        )
        if not updated:
            raise UpdateError
