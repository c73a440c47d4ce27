"""Indexes for the audit viewer (issue 13): a family's rows and a person's rows, newest first.

Only indexes: no row of the append-only access log is updated or deleted (its trigger, migration 0002, would refuse).
The old (object_type, object_id) index is replaced by the one that also orders by time. On PostgreSQL a partial GIN
index on `detail->'ids_shown'` of referral list/search rows lets a family's view find the lists that showed it
(a jsonb containment query); SQLite has no such index and scans (the demo database only).

Building these on a large live log locks writes to it while they build: on a big production table create them by
hand with CREATE INDEX CONCURRENTLY first (same names) and this migration's IF NOT EXISTS will skip the GIN one.
"""

from django.db import migrations, models

GIN_UP = (
    "CREATE INDEX IF NOT EXISTS accessevent_ids_shown_gin ON accounts_accessevent "
    "USING gin ((detail -> 'ids_shown') jsonb_path_ops) WHERE object_type = 'referrals.referral'"
)
GIN_DOWN = "DROP INDEX IF EXISTS accessevent_ids_shown_gin"


def gin_forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GIN_UP)


def gin_backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GIN_DOWN)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_practitioner_details_for_every_practitioner"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="accessevent", name="accounts_ac_object__12e099_idx"),
        migrations.AddIndex(
            model_name="accessevent",
            index=models.Index(fields=["object_type", "object_id", "-at", "-id"], name="accessevent_object_at"),
        ),
        migrations.AddIndex(
            model_name="accessevent",
            index=models.Index(fields=["user_id", "-at", "-id"], name="accessevent_user_at"),
        ),
        migrations.RunPython(gin_forwards, gin_backwards),
    ]
