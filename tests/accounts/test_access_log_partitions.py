"""The access log partitioned by month on PostgreSQL (issue 21, ADR 0023).

Rows land in their month's partition (or the default one, never an error); the append-only trigger refuses UPDATE
and DELETE in an old month, the current month and the default partition, directly and through the parent;
partitions are created ahead idempotently; retention drops whole old months and records them, and never a row.
On SQLite everything is a no-op and retention removes nothing.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts import partitions
from accounts.audit import log_access
from accounts.models import AccessAction, AccessEvent
from governance.actions import drop_expired_access_log_partitions
from governance.models import AccessLogMonthDropped
from tests.services import require_postgres

pytestmark = pytest.mark.django_db

TODAY = timezone.now().astimezone(UTC).date()
OLD_MONTH = partitions.month_start(TODAY, -14)


def _where(event: AccessEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM accounts_accessevent WHERE id = %s", [event.pk])
        return cursor.fetchone()[0]


def _at(month: date, day: int = 15) -> datetime:
    return datetime(month.year, month.month, day, 12, tzinfo=UTC)


def _old_partition():
    """An old month's partition (the test database starts with this month and the next three)."""
    assert partitions.ensure_partitions(today=OLD_MONTH, months_ahead=0) == [partitions.partition_name(OLD_MONTH)]


def _refused(sql: str, params) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_log_is_partitioned_by_month_with_a_default_and_months_ahead():
    require_postgres()
    assert partitions.is_partitioned()
    names = [p.name for p in partitions.partitions()]
    assert names[-1] == partitions.DEFAULT_PARTITION
    for shift in range(partitions.MONTHS_AHEAD + 1):
        assert partitions.partition_name(partitions.month_start(TODAY, shift)) in names


def test_rows_land_in_their_months_partition_and_an_uncovered_month_in_the_default():
    require_postgres()
    _old_partition()
    now = log_access(action=AccessAction.VIEW, object_type="referrals.referral", object_id=1)
    old = AccessEvent.objects.create(at=_at(OLD_MONTH), action=AccessAction.VIEW, object_id="2")
    uncovered = AccessEvent.objects.create(at=_at(partitions.month_start(TODAY, -30)), action=AccessAction.VIEW)
    assert _where(now) == partitions.partition_name(partitions.month_start(TODAY))
    assert _where(old) == partitions.partition_name(OLD_MONTH)
    assert _where(uncovered) == partitions.DEFAULT_PARTITION
    assert partitions.default_rows() == 1
    # ids stay unique and increasing across partitions: one sequence gives them
    assert now.pk < old.pk < uncovered.pk


@pytest.mark.parametrize("which", ["old", "new", "default"])
def test_update_and_delete_refused_in_every_partition_directly_and_through_the_parent(which):
    require_postgres()
    _old_partition()
    month = {"old": OLD_MONTH, "new": partitions.month_start(TODAY), "default": partitions.month_start(TODAY, -30)}
    event = AccessEvent.objects.create(at=_at(month[which]), action=AccessAction.VIEW, object_id="7")
    table = _where(event)
    for target in ("accounts_accessevent", table):
        _refused(f"UPDATE {target} SET action = 'list' WHERE id = %s", [event.pk])  # noqa: S608 - names above
        _refused(f"DELETE FROM {target} WHERE id = %s", [event.pk])  # noqa: S608 - names above
    # moving a row to another month is an UPDATE too
    _refused("UPDATE accounts_accessevent SET at = at - interval '1 year' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).delete()
    assert AccessEvent.objects.get(pk=event.pk).action == AccessAction.VIEW


def test_a_partition_created_later_gets_the_trigger_and_the_indexes():
    require_postgres()
    _old_partition()
    name = partitions.partition_name(OLD_MONTH)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass", [name])
        assert [row[0] for row in cursor.fetchall()] == ["accounts_accessevent_append_only"]
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = %s", [name])
        parent_indexes = 6  # primary key (id, at), at, user_id, (object, at), (user, at), the GIN on ids_shown
        assert cursor.fetchone()[0] == parent_indexes


def test_ensure_partitions_is_idempotent_and_leaves_a_month_whose_rows_are_in_the_default():
    require_postgres()
    later = partitions.month_start(TODAY, 8)
    AccessEvent.objects.create(at=_at(later), action=AccessAction.VIEW)  # beat was down: the row went to the default
    made = partitions.ensure_partitions(today=partitions.month_start(TODAY, 6), months_ahead=3)
    assert partitions.partition_name(later) not in made
    assert made == [partitions.partition_name(partitions.month_start(TODAY, s)) for s in (6, 7, 9)]
    assert partitions.ensure_partitions(today=partitions.month_start(TODAY, 6), months_ahead=3) == []
    assert partitions.default_rows() == 1  # kept, and still readable
    assert AccessEvent.objects.filter(at=_at(later)).count() == 1


def test_ensure_command_reports_what_it_made(capsys):
    require_postgres()
    call_command("ensure_access_log_partitions", "--months-ahead", "5")
    out = capsys.readouterr().out
    assert partitions.partition_name(partitions.month_start(TODAY, 5)) in out
    call_command("ensure_access_log_partitions", "--months-ahead", "5")
    assert "already there" in capsys.readouterr().out


def test_retention_drops_whole_old_months_and_records_them_never_newer_ones_or_the_default():
    require_postgres()
    _old_partition()
    old_rows = [AccessEvent.objects.create(at=_at(OLD_MONTH, day), action=AccessAction.VIEW) for day in (1, 15, 28)]
    AccessEvent.objects.create(at=_at(partitions.month_start(TODAY, -30)), action=AccessAction.VIEW)  # default
    recent = log_access(action=AccessAction.VIEW, object_type="referrals.referral", object_id=3)
    assert drop_expired_access_log_partitions(retention_months=0) == []  # the default setting keeps everything
    assert drop_expired_access_log_partitions(retention_months=15) == []  # the old month is within 15 months
    dropped = drop_expired_access_log_partitions(retention_months=12)
    assert [(d.partition, d.rows, d.retention_months) for d in dropped] == [
        (partitions.partition_name(OLD_MONTH), 3, 12)
    ]
    assert dropped[0].month_from == _at(OLD_MONTH, 1) - timedelta(hours=12)
    assert not AccessEvent.objects.filter(pk__in=[e.pk for e in old_rows]).exists()
    assert AccessEvent.objects.filter(pk=recent.pk).exists()
    assert partitions.default_rows() == 1  # the default partition is never dropped
    names = [p.name for p in partitions.partitions()]
    assert partitions.partition_name(OLD_MONTH) not in names
    assert partitions.partition_name(partitions.month_start(TODAY)) in names
    assert AccessLogMonthDropped.objects.count() == 1
    assert drop_expired_access_log_partitions(retention_months=12) == []  # idempotent


def test_the_default_partition_is_never_dropped():
    require_postgres()
    with pytest.raises(ValueError):
        partitions.detach_and_drop(partitions.DEFAULT_PARTITION)
    with pytest.raises(ValueError):
        partitions.detach_and_drop("accounts_accessevent; DROP TABLE accounts_user")


def test_on_sqlite_nothing_is_partitioned_and_retention_removes_nothing():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite behaviour")
    event = log_access(action=AccessAction.VIEW)
    assert partitions.partitions() == [] and partitions.ensure_partitions() == []
    assert drop_expired_access_log_partitions(retention_months=1, today=TODAY + timedelta(days=3650)) == []
    assert AccessEvent.objects.filter(pk=event.pk).exists()
