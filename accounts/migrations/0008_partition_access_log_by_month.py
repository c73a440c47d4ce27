"""On PostgreSQL, turn the access log into a table partitioned by month on `at` (issue 21, ADR 0023).

Why: at a national size (50 million rows a year) the audit viewer's queries must touch only the months they ask
about, writing a row must cost the same in year ten as on day one (its index pages are the current month's), and
retention must drop a whole month (DETACH + DROP) instead of deleting rows from an append-only log.

What it does, in one transaction under an exclusive lock (writers wait; on a big live log run it in a quiet hour):
the plain table is renamed aside, a table `PARTITION BY RANGE (at)` takes its name with the same columns, identity
and defaults, its primary key becomes (id, at) (PostgreSQL requires the partition key in it; the Django model keeps
`id` as its primary key, ids stay unique because one sequence gives them), one partition per month from the oldest
row to three months ahead plus a DEFAULT partition (a row whose month has no partition lands there, never fails),
the rows are copied, every index of the old table is rebuilt on the parent (partitioned indexes: each month has its
own), and the append-only trigger is created on the parent, which PostgreSQL clones onto every partition, present
and future. Months are UTC calendar months. `accounts.partitions` creates later months (beat task and command).

SQLite (the demo database) keeps a plain table: nothing happens there. Reversible: backwards copies the rows into a
plain table again.
"""

from django.db import migrations

TABLE = "accounts_accessevent"
ASIDE = "accounts_accessevent_before_partitioning"
MONTHS_AHEAD = 3
TRIGGER = (
    f"CREATE TRIGGER accounts_accessevent_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION accounts_accessevent_refuse_change()"
)


def _fetch(cursor, sql, params=None):
    cursor.execute(sql, params)
    return cursor.fetchall()


def _relkind(cursor) -> str:
    return _fetch(cursor, "SELECT relkind FROM pg_class WHERE oid = %s::regclass", [TABLE])[0][0]


def _set_aside(cursor) -> list[str]:
    """Rename the table, its indexes and its id sequence out of the way; return the index definitions to rebuild."""
    indexes = _fetch(
        cursor,
        "SELECT i.relname, pg_get_indexdef(i.oid), x.indisprimary FROM pg_index x JOIN pg_class i ON i.oid = "
        "x.indexrelid WHERE x.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE "
        "h.inhrelid = x.indexrelid) ORDER BY i.relname",
        [TABLE],
    )
    (sequence,) = _fetch(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])[0]
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {ASIDE}")
    for number, (name, _definition, _primary) in enumerate(indexes):
        cursor.execute(f'ALTER INDEX "{name}" RENAME TO {ASIDE}_index_{number}')
    cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {ASIDE}_id_seq")
    # Definitions read before the rename name the real table; a partitioned index's says ON ONLY.
    return [definition.replace(" ON ONLY ", " ON ") for _name, definition, primary in indexes if not primary]


def _finish(cursor, definitions: list[str]) -> None:
    """Copy the rows, rebuild the indexes, drop the old table, restart the ids after the highest, add the trigger."""
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {ASIDE}")
    for definition in definitions:
        cursor.execute(definition)
    cursor.execute(f"DROP TABLE {ASIDE} CASCADE")
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), COALESCE(max(id), 1), max(id) IS NOT NULL) "
        f"FROM {TABLE}"
    )
    cursor.execute(TRIGGER)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        if _relkind(cursor) == "p":
            return
        definitions = _set_aside(cursor)
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {ASIDE} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS "
            "INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE (at)"
        )
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, at)")
        months = _fetch(
            cursor,
            "SELECT to_char(m, 'YYYY_MM'), m, m + interval '1 month' FROM generate_series("
            f"date_trunc('month', LEAST((SELECT min(at) FROM {ASIDE}), now()) AT TIME ZONE 'UTC'), "
            "date_trunc('month', now() AT TIME ZONE 'UTC') + %s * interval '1 month', interval '1 month') AS m",
            [MONTHS_AHEAD],
        )
        for suffix, start, end in months:
            cursor.execute(
                f"CREATE TABLE {TABLE}_p{suffix} PARTITION OF {TABLE} FOR VALUES FROM (%s) TO (%s)",
                [f"{start.isoformat()}+00:00", f"{end.isoformat()}+00:00"],
            )
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        _finish(cursor, definitions)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        if _relkind(cursor) != "p":
            return
        definitions = _set_aside(cursor)
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {ASIDE} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS "
            "INCLUDING STORAGE INCLUDING COMMENTS)"
        )
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")
        _finish(cursor, definitions)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_interop_provider_identity")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
