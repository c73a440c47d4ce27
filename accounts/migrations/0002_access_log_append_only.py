"""Make the access log append-only in the database itself, not just in the model.

On PostgreSQL a row trigger refuses UPDATE and DELETE. (TRUNCATE, which only the table owner can run and which the
test runner uses to empty tables between tests, is left to database privileges: the app's role should not own it.)
SQLite, the demo database, relies on the model's own refusal.
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION accounts_accessevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'accounts_accessevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_accessevent_append_only
    BEFORE UPDATE OR DELETE ON accounts_accessevent
    FOR EACH ROW EXECUTE FUNCTION accounts_accessevent_refuse_change();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS accounts_accessevent_append_only ON accounts_accessevent;
DROP FUNCTION IF EXISTS accounts_accessevent_refuse_change();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
