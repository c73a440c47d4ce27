"""Trigram indexes for searching names by any part ("icontains"), on PostgreSQL only.

Django compiles `name__icontains` to `UPPER(name::text) LIKE UPPER('%term%')`, so the indexes are on that same
expression. pg_trgm is a contrib extension shipped with PostgreSQL; creating it needs a role allowed to create
extensions. On SQLite (the embedded default and half the test runs) this migration does nothing.
"""

from django.db import migrations

INDEXES = [
    ("referral_child_name_trgm", "referrals_referral", "child_name"),
    ("parent_name_trgm", "referrals_parent", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_list_search_and_caseload_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
