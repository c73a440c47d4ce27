"""The audit indexes migrate on PostgreSQL with the access log's append-only trigger in place and rows present."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import InternalError

from tests.services import require_postgres

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEFORE = [("accounts", "0005_practitioner_details_for_every_practitioner")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'accounts_accessevent'")
        return {name for (name,) in cursor.fetchall()}


def test_index_migration_applies_with_the_trigger_and_leaves_rows_alone():
    require_postgres()
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    _migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO accounts_accessevent (at, user_id, username, action, object_type, object_id, path, detail)"
                " VALUES (now(), 1, 'a', 'list', 'referrals.referral', '', '/', '{\"ids_shown\": [7, 8]}')"
            )
        assert "accessevent_ids_shown_gin" not in _indexes()
        _migrate([("accounts", "0006_audit_indexes")])
        assert {"accessevent_object_at", "accessevent_user_at", "accessevent_ids_shown_gin"} <= _indexes()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM accounts_accessevent WHERE object_type = 'referrals.referral' "
                "AND detail -> 'ids_shown' @> '[8]'"
            )
            assert cursor.fetchone()[0] == 1
        with pytest.raises(InternalError, match="append-only"), connection.cursor() as cursor:
            cursor.execute("UPDATE accounts_accessevent SET username = 'b'")
    finally:
        _migrate(latest)
