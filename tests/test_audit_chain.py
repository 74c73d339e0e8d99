"""The audit trail is append-only and tamper-evident."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from haven.accounts.roles import Role
from haven.audit import chain
from haven.audit.chain import record, verify
from haven.audit.models import AppendOnlyError, AuditEntry
from tests import app_role
from tests.personas import HavenTestCase

TABLE = AuditEntry._meta.db_table


def run_verify() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), err.getvalue()
    return 0, out.getvalue()


def tamper(sql: str, params: list[object]) -> None:
    """Change the table behind the application's back, as its owner could: the
    application's own role may neither write audit rows nor disable the trigger."""
    with app_role.as_owner(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Flush deferred foreign-key checks first: PostgreSQL will not alter a table
            # with trigger events pending in the test's transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER haven_audit_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER haven_audit_append_only")


class AuditChainTests(HavenTestCase):
    def middle_seq(self) -> int:
        return AuditEntry.objects.count() // 2

    def test_intact_chain_verifies(self) -> None:
        code, text = run_verify()
        self.assertEqual(code, 0, text)
        self.assertIn(f"{AuditEntry.objects.count()} entries verified", text)

    def test_edited_row_is_caught_and_named(self) -> None:
        seq = self.middle_seq()
        tamper(f"UPDATE {TABLE} SET action = %s WHERE seq = %s", ["auth.logout", seq])
        code, text = run_verify()
        self.assertEqual(code, 1)
        self.assertIn(f"#{seq}", text)

    def test_edited_changed_fields_are_caught(self) -> None:
        seq = self.middle_seq()
        tamper(f"UPDATE {TABLE} SET changed_fields = %s WHERE seq = %s", ['["x"]', seq])
        self.assertEqual(verify().bad_seq, seq)

    def test_deleted_row_is_caught_and_named(self) -> None:
        seq = self.middle_seq()
        tamper(f"DELETE FROM {TABLE} WHERE seq = %s", [seq])
        code, text = run_verify()
        self.assertEqual(code, 1)
        self.assertIn(f"#{seq}", text)

    def test_deleted_last_row_is_caught(self) -> None:
        last = AuditEntry.objects.order_by("-seq").first()
        assert last is not None
        tamper(f"DELETE FROM {TABLE} WHERE seq = %s", [last.seq])
        verdict = verify()
        self.assertFalse(verdict.ok)
        self.assertEqual(verdict.bad_seq, last.seq)

    def test_inserted_row_is_caught(self) -> None:
        original = AuditEntry.objects.order_by("seq")[2]
        # Shift the tail up by one and slip a forged entry into the gap.
        tamper(f"UPDATE {TABLE} SET seq = seq + 100000 WHERE seq > %s", [original.seq])
        tamper(
            f"INSERT INTO {TABLE} (seq, created_at, action, object_type, object_ref, "
            "changed_fields, key_id, mac_version, prev_hash, entry_hash) "
            "VALUES (%s, %s, %s, '', '', '[]', 'audit', 2, %s, %s)",
            [original.seq + 1, original.created_at, "auth.login", original.entry_hash, "f" * 64],
        )
        code, text = run_verify()
        self.assertEqual(code, 1)
        self.assertIn(f"#{original.seq + 1}", text)

    def test_entries_refuse_update_and_delete_through_the_orm(self) -> None:
        entry = AuditEntry.objects.first()
        assert entry is not None
        with self.assertRaises(AppendOnlyError):
            entry.save()
        with self.assertRaises(AppendOnlyError):
            entry.delete()

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger is PostgreSQL-only")
    def test_database_refuses_update_on_postgresql(self) -> None:
        with self.assertRaises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"UPDATE {TABLE} SET action = 'x'")

    def test_entries_name_changed_fields_never_values(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        person = self.world.people["A"]
        client.post(
            reverse("people:edit", kwargs={"reference": person.reference}),
            {
                "full_name": "Renamed Fixture",
                "gender": "Feminine",
                "version": person.version,
                "doc-TOTAL_FORMS": "0",
                "doc-INITIAL_FORMS": "0",
            },
        )
        entry = AuditEntry.objects.filter(action="person.update").latest("seq")
        self.assertIn("full_name", entry.changed_fields)
        self.assertNotIn("Renamed", str(entry.__dict__))

    def test_record_links_each_entry_to_the_previous(self) -> None:
        before = AuditEntry.objects.order_by("-seq").first()
        assert before is not None
        entry = record(actor=None, action="auth.login")
        self.assertEqual(entry.seq, before.seq + 1)
        self.assertEqual(entry.prev_hash, before.entry_hash)
        self.assertTrue(verify().ok)

    def test_org_admin_sees_only_own_organisation_entries(self) -> None:
        client = self.client_for("A", Role.ORG_ADMIN)
        body = client.get(reverse("audit:list")).content.decode()
        self.assertIn(self.world.people["A"].reference, body)
        self.assertNotIn(self.world.people["B"].reference, body)


class BatchPayloadTests(HavenTestCase):
    def test_a_batch_writes_the_same_bytes_as_one_entry_at_a_time(self) -> None:
        now = timezone.now()
        for actor_id, organisation_id, ref, fields in (
            (None, None, "", []),
            (7, 3, "HVN-ABC-DEF", ["full_name", "aliases"]),
            (1, 2, 'ក្រុង "quoted" \\ ref', ["é", "x"]),
        ):
            values = {
                "seq": 41,
                "created_at": now,
                "actor_id": actor_id,
                "organisation_id": organisation_id,
                "action": "person.create",
                "object_type": "person",
                "object_ref": ref,
                "changed_fields": fields,
                "key_id": chain.KEY_ID,
                "mac_version": chain.MAC_VERSION,
                "prev_hash": "a" * 64,
            }
            with self.subTest(ref=ref):
                batch = chain._batch_payload(values)
                self.assertEqual(batch(values), chain._payload_of(values))
