"""A name search that ignores spacing and punctuation (ADR 0031): "obrien smith" finds "O'Brien-Smith".

The search compares names in capitals without spaces, hyphens, full stops or apostrophes (`name_search_key`), so the
trigram indexes of migration 0014, on `UPPER(name)`, are replaced by ones on exactly that expression, still led by
the service. The expression here must stay the SQL `referrals.models._name_key_of` writes, or PostgreSQL stops using
the index (`tests/referrals/test_search_at_scale.py` looks at the plan). On SQLite there are no such indexes.
"""

from django.db import migrations

KEY = (
    "UPPER(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE({column}, ' ', ''), '-', ''), '.', ''), '''', ''), "
    "'\u2019', ''))"
)
OLD = [
    ("referral_service_child_name_trgm", "referrals_referral", "child_name"),
    ("parent_service_name_trgm", "referrals_parent", "name"),
]
NEW = [
    ("referral_service_child_name_key_trgm", "referrals_referral", "child_name"),
    ("parent_service_name_key_trgm", "referrals_parent", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in NEW:
        key = KEY.format(column=f'"{column}"')
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ("service_id", ({key}) gin_trgm_ops)'
        )
    for name, _table, _column in OLD:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in OLD:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ("service_id", (UPPER("{column}"::text)) gin_trgm_ops)'
        )
    for name, _table, _column in NEW:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("referrals", "0016_parent_birth_date")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
