"""A name search inside one service, answered by one index (issue 21, ADR 0024).

With a million families over 200 services, a common name ("Ahmed") matched some 48,000 children and parents
nationally; the trigram indexes found them all and only then kept the searcher's service's 190 (180 ms). Each parent
now carries its referral's service (copied once here, then on save), and the trigram indexes lead with the service:
`gin (service_id, UPPER(name) gin_trgm_ops)` needs btree_gin, a contrib extension shipped with PostgreSQL like
pg_trgm (creating it needs a role allowed to create extensions). On SQLite only the column is added and filled.
"""

import django.db.models.deletion
from django.db import migrations, models

OLD = [
    ("referral_child_name_trgm", "referrals_referral", "child_name"),
    ("parent_name_trgm", "referrals_parent", "name"),
]
NEW = [
    ("referral_service_child_name_trgm", "referrals_referral", "child_name"),
    ("parent_service_name_trgm", "referrals_parent", "name"),
]


def fill(apps, schema_editor):
    schema_editor.execute(
        "UPDATE referrals_parent SET service_id = "
        "(SELECT service_id FROM referrals_referral WHERE referrals_referral.id = referrals_parent.referral_id)"
    )


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for name, table, column in NEW:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ("service_id", (UPPER("{column}"::text)) gin_trgm_ops)'
        )
    for name, _table, _column in OLD:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in OLD:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )
    for name, _table, _column in NEW:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_partition_access_log_by_month"),
        ("referrals", "0013_backlog_open_work_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="parent",
            name="service",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.service",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="parent",
            name="service",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.service",
            ),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
