"""On PostgreSQL, refuse UPDATE and DELETE on audit entries at the database itself.

SQLite (the single-user default) relies on the model guard and on chain verification:
its test-suite flush deletes rows, which such a trigger would block.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION haven_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER haven_audit_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION haven_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS haven_audit_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS haven_audit_append_only();
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
