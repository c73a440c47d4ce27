"""The session store (accounts/sessions.py): Django's database sessions, a save one UPDATE, at most once a minute while
nothing else in the session changes."""

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.sessions import SessionStore


def _session_writes(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [
        q["sql"] for q in queries.captured_queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")
    ]


def test_a_request_saves_its_session_in_one_update_at_most_once_a_minute(login, coordinator, settings):
    client = login(coordinator)
    key = client.session.session_key
    # Signing in started both clocks, so the pages within the next minute have nothing to write (no UPDATE and
    # no commit each).
    stored = SessionStore(session_key=key).load()
    assert stored["vig_last_seen"] == stored["vig_login_at"]
    assert _session_writes(client, reverse("home")) == []
    assert _session_writes(client, reverse("home")) == []
    # A minute on: "last seen" moves, in one UPDATE.
    store = SessionStore(session_key=key)
    store["vig_last_seen"] -= settings.SESSION_TOUCH_SECONDS
    store.save()
    writes = _session_writes(client, reverse("home"))
    assert len(writes) == 1 and writes[0].startswith("UPDATE")
    assert SessionStore(session_key=key).load()["vig_last_seen"] > store["vig_last_seen"]


def test_saving_a_session_whose_row_has_gone_raises_update_error(db):
    store = SessionStore()
    store["a"] = 1
    store.create()
    Session.objects.filter(session_key=store.session_key).delete()
    store["a"] = 2
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.exists()


def test_creating_and_updating_store_what_djangos_store_reads(db):
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore

    store = SessionStore()
    store["n"] = 1
    store.save()
    store["n"] = 2
    store.set_expiry(600)
    store.save()
    theirs = DjangoStore(session_key=store.session_key)
    assert theirs["n"] == 2
    assert abs(theirs.get_expiry_age() - 600) <= 2
