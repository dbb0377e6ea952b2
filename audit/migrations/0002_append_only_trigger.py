"""On PostgreSQL, refuse UPDATE and DELETE of audit entries for every client,
not just the application (see audit.models). SQLite (``make run``, ``make
test`` without DATABASE_URL) relies on the model's guards alone.

TRUNCATE is left to the table's owner on purpose: it is how ``manage.py
flush`` and the test suite empty a database, and whoever owns the table can
drop a trigger anyway. Guarding against the database owner is a matter of
roles (the application's role should not own its tables in production),
not of triggers."""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION audit_entries_are_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'audit entries are append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_entry_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entries_are_append_only();
"""

ALLOW = """
DROP TRIGGER IF EXISTS audit_entry_no_update_or_delete ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entries_are_append_only();
"""


def forbid(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID)


def allow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forbid, allow)]
