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
