"""The session store (accounts/sessions.py): Django's database sessions, each request's save one UPDATE."""

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.sessions import SessionStore


def test_a_request_saves_its_session_in_one_update(login, coordinator):
    client = login(coordinator)
    key = client.session.session_key
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    session_writes = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert len([sql for sql in session_writes if sql.startswith("UPDATE")]) == 1
    assert not any(sql.startswith(("INSERT", "DELETE")) for sql in session_writes)
    # what the idle time-out reads was written, and the session still signs the user in
    stored = SessionStore(session_key=key).load()
    assert stored["vig_last_seen"] >= stored["vig_login_at"]
    assert client.get(reverse("home")).status_code == 200


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
