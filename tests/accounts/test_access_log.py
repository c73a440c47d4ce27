import pytest
from django.db import DatabaseError, connection, transaction

from accounts.audit import hash_term, log_access
from accounts.models import AccessAction, AccessEvent, AppendOnlyError
from tests.services import require_postgres


@pytest.fixture
def event(db):
    return log_access(action=AccessAction.VIEW, object_type="referrals.referral", object_id=7)


def test_access_event_save_twice_refused(event):
    event.action = AccessAction.UPDATE
    with pytest.raises(AppendOnlyError):
        event.save()


def test_access_event_delete_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_access_log_database_refuses_update_and_delete_on_postgres(event):
    """Even raw SQL cannot rewrite history: a PostgreSQL trigger refuses it."""
    require_postgres()
    for sql in (
        "UPDATE accounts_accessevent SET action = 'list' WHERE id = %s",
        "DELETE FROM accounts_accessevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(action=AccessAction.LIST)
    assert AccessEvent.objects.get(pk=event.pk).action == AccessAction.VIEW


def test_hash_term_hides_value_but_matches_same_search():
    assert hash_term("943 476 5919") == hash_term("943  476 5919")
    assert "9434765919" not in hash_term("9434765919")
    assert hash_term("Smith") != hash_term("Jones")


def _columns(event: AccessEvent) -> dict:
    return {f.attname: getattr(event, f.attname) for f in AccessEvent._meta.concrete_fields if not f.primary_key}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"action": AccessAction.VIEW, "object_type": "referrals.referral", "object_id": 7},
        {"action": AccessAction.LIST, "detail": {"ids_shown": [3, 1, 2], "figure": "waiting", "nested": {"a": None}}},
        {
            "action": AccessAction.SEARCH,
            "detail": {"terms_hashed": {"name": "ab" * 16}, "text": "é ö — \u00a0 'q' \"x\""},
        },
        {"action": AccessAction.FAILED_LOGIN, "detail": {"username": "someone"}, "object_id": 0},
    ],
)
def test_the_compiled_insert_writes_what_save_wrote(db, coordinator, kwargs):
    """`log_access` appends with an INSERT compiled once (`accounts.audit._append`): the row read back is the row
    Django's `save()` writes from the same values (users and none, JSON of every shape, an IPv6 address), one
    statement each, and the event comes back saved with its id."""
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    request = RequestFactory().get("/referrals/7/", REMOTE_ADDR="2001:db8::1")
    request.user = coordinator
    with CaptureQueriesContext(connection) as queries:
        event = log_access(request=request, **kwargs)
    assert len(queries) == 1 and queries[0]["sql"].startswith("INSERT")
    assert event.pk and not event._state.adding and event._state.db == "default"
    saved = AccessEvent(**_columns(event))
    saved.save()
    assert saved.pk > event.pk
    written, by_save = AccessEvent.objects.get(pk=event.pk), AccessEvent.objects.get(pk=saved.pk)
    assert _columns(written) == _columns(by_save) == _columns(event)
    assert written.ip_address == "2001:db8::1" and written.user_id == coordinator.pk


def test_nothing_listens_for_the_logs_rows():
    """The compiled insert sends no model signals; were a receiver ever added, it would be silently skipped."""
    from django.db.models import signals

    for signal in (signals.pre_save, signals.post_save, signals.pre_init, signals.post_init):
        assert not signal.has_listeners(AccessEvent), signal
