"""On PostgreSQL, protect the whole trail at the database itself.

- TRUNCATE of the entries or the head is refused (a statement trigger: the row triggers of
  0002 do not fire on TRUNCATE). Only the tables' owner, after saying so for the session
  (`SET haven.audit_maintenance = 'on'`, which the test suite's flush does), may empty
  them; the owner could drop the trigger anyway, which is why the application runs as a
  role that owns nothing (`haven.core.dbroles`).
- The head only moves forward: no DELETE, no UPDATE that keeps or lowers its sequence
  number, so it cannot be set back to hide entries cut from the end.
- Every audit trigger fires ALWAYS, in replica mode too, so
  `SET session_replication_role = replica` does not skip them.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION haven_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('haven.audit_maintenance', true) = 'on'
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER')
    THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit trail cannot be truncated';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER haven_audit_no_truncate
    BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION haven_audit_no_truncate();
CREATE TRIGGER haven_audithead_no_truncate
    BEFORE TRUNCATE ON audit_audithead
    FOR EACH STATEMENT EXECUTE FUNCTION haven_audit_no_truncate();

CREATE OR REPLACE FUNCTION haven_audithead_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit head cannot be deleted';
    END IF;
    IF NEW.id <> OLD.id OR NEW.seq <= OLD.seq THEN
        RAISE EXCEPTION 'the audit head only moves forward';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER haven_audithead_forward_only
    BEFORE UPDATE OR DELETE ON audit_audithead
    FOR EACH ROW EXECUTE FUNCTION haven_audithead_forward_only();

ALTER TABLE audit_auditentry ENABLE ALWAYS TRIGGER haven_audit_append_only;
ALTER TABLE audit_auditentry ENABLE ALWAYS TRIGGER haven_audit_no_truncate;
ALTER TABLE audit_audithead ENABLE ALWAYS TRIGGER haven_audithead_no_truncate;
ALTER TABLE audit_audithead ENABLE ALWAYS TRIGGER haven_audithead_forward_only;
"""

DROP = """
ALTER TABLE audit_auditentry ENABLE TRIGGER haven_audit_append_only;
DROP TRIGGER IF EXISTS haven_audit_no_truncate ON audit_auditentry;
DROP TRIGGER IF EXISTS haven_audithead_no_truncate ON audit_audithead;
DROP TRIGGER IF EXISTS haven_audithead_forward_only ON audit_audithead;
DROP FUNCTION IF EXISTS haven_audit_no_truncate();
DROP FUNCTION IF EXISTS haven_audithead_forward_only();
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_mac_covers_every_column")]
    operations = [migrations.RunPython(forwards, backwards)]
