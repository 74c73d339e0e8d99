"""The tamper table: each way to cut or rewrite the audit trail, and what catches it.

Run on SQLite and on PostgreSQL. On SQLite anyone who can write the file can do anything,
so detection is the chain and the signed checkpoints kept off the machine. On PostgreSQL
the application's role (which the suite runs as, see tests/app_role.py) is refused at the
database; the table's owner can still switch triggers off, and then the checkpoints catch
what the owner did.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from haven.audit import checkpoint
from haven.audit.chain import verify
from haven.audit.models import AuditEntry, AuditHead
from tests import app_role
from tests.personas import HavenTestCase

ENTRIES = AuditEntry._meta.db_table
HEAD = AuditHead._meta.db_table
TRIGGERS = (
    (ENTRIES, "haven_audit_append_only"),
    (ENTRIES, "haven_audit_no_truncate"),
    (HEAD, "haven_audithead_no_truncate"),
    (HEAD, "haven_audithead_forward_only"),
)
POSTGRES = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


def run(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), err.getvalue()
    return 0, out.getvalue()


@contextmanager
def owner_without_triggers() -> Iterator[None]:
    """The owner, who can switch the audit triggers off for a while (on PostgreSQL)."""
    with app_role.as_owner(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {ENTRIES} DISABLE TRIGGER USER")
            cursor.execute(f"ALTER TABLE {HEAD} DISABLE TRIGGER USER")
        yield
        if connection.vendor == "postgresql":
            for table, trigger in TRIGGERS:
                cursor.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {trigger}")


def sql(statement: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def refused(statement: str) -> bool:
    """Whether the database refuses the statement (nothing of it stays)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    except DatabaseError:
        return True
    return False


class CheckpointTests(HavenTestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory(prefix="haven-checkpoint-")
        self.addCleanup(folder.cleanup)
        self.tmp = Path(folder.name)

    def write(self, body: dict[str, object], name: str = "cp.json") -> str:
        path = self.tmp / name
        path.write_text(json.dumps(body), encoding="utf-8")
        return str(path)

    def test_a_checkpoint_names_the_head_and_is_signed(self) -> None:
        path = self.tmp / "checkpoint.json"
        code, _text = run("checkpoint", "--output", str(path))
        self.assertEqual(code, 0)
        self.assertEqual(path.stat().st_mode & 0o777, 0o600)
        body = json.loads(path.read_text(encoding="utf-8"))
        head = AuditHead.objects.get(id=1)
        self.assertEqual((body["seq"], body["entry_hash"]), (head.seq, head.entry_hash))
        self.assertEqual(checkpoint.read(json.dumps(body)).seq, head.seq)
        code, text = run("verify", "--checkpoint", str(path))
        self.assertEqual(code, 0, text)
        self.assertIn("reaches all 1 checkpoints", text)

    def test_an_altered_or_foreign_checkpoint_is_refused(self) -> None:
        body = checkpoint.make()
        altered = {**body, "seq": body["seq"] + 5}
        code, text = run("verify", "--checkpoint", self.write(altered))
        self.assertEqual(code, 1)
        self.assertIn("altered", text)
        foreign = {**body, "public_key": "A" * 43 + "="}
        code, text = run("verify", "--checkpoint", self.write(foreign))
        self.assertEqual(code, 1)
        self.assertIn("another key", text)
        code, text = run("verify", "--checkpoint", self.write({"format": "x"}))
        self.assertEqual(code, 1)

    # --- the tamper table ---------------------------------------------------------------

    def cut_tail_and_set_head_back(self, keep: int) -> None:
        """Delete the newest entries and point the head at the last one kept."""
        kept = AuditEntry.objects.get(seq=keep)
        with owner_without_triggers():
            sql(f"DELETE FROM {ENTRIES} WHERE seq > %s", [keep])
            sql(
                f"UPDATE {HEAD} SET seq = %s, entry_hash = %s WHERE id = 1",
                [kept.seq, kept.entry_hash],
            )

    def test_a_cut_tail_with_the_head_set_back_is_caught_by_a_checkpoint(self) -> None:
        path = self.write(checkpoint.make())
        last = AuditHead.objects.get(id=1).seq
        self.cut_tail_and_set_head_back(last - 3)
        self.assertTrue(verify().ok)  # the chain alone cannot tell
        code, text = run("verify", "--checkpoint", path)
        self.assertEqual(code, 1)
        self.assertIn("shorter than the checkpoint", text)

    def test_everything_deleted_is_caught_with_or_without_a_checkpoint(self) -> None:
        path = self.write(checkpoint.make())
        with owner_without_triggers():
            sql(f"DELETE FROM {ENTRIES}")
            sql(f"DELETE FROM {HEAD}")
        self.assertFalse(verify().ok)  # users exist, so an empty trail was emptied
        code, _text = run("verify", "--checkpoint", path)
        self.assertEqual(code, 1)

    def test_a_rewritten_entry_under_a_checkpoint_is_caught(self) -> None:
        path = self.write(checkpoint.make())
        with owner_without_triggers():
            sql(f"UPDATE {ENTRIES} SET object_ref = 'x' WHERE seq = 2")
        code, _text = run("verify", "--checkpoint", path)
        self.assertEqual(code, 1)

    def test_a_changed_key_id_is_caught(self) -> None:
        entry = AuditEntry.objects.order_by("-seq").first()
        assert entry is not None
        self.assertEqual(entry.mac_version, 2)
        with owner_without_triggers():
            sql(f"UPDATE {ENTRIES} SET key_id = 'other' WHERE seq = %s", [entry.seq])
        self.assertEqual(verify().bad_seq, entry.seq)

    def test_a_lowered_mac_version_is_caught(self) -> None:
        entry = AuditEntry.objects.order_by("-seq").first()
        assert entry is not None
        with owner_without_triggers():
            sql(f"UPDATE {ENTRIES} SET mac_version = 1 WHERE seq = %s", [entry.seq])
        self.assertEqual(verify().bad_seq, entry.seq)


@POSTGRES
class DatabaseRefusalTests(HavenTestCase):
    """What the database itself refuses, to the application's role and to the owner."""

    def test_the_suite_runs_as_the_application_role(self) -> None:
        self.assertEqual(app_role.current_role(), app_role.ROLE)

    def test_the_application_role_can_only_read_and_append(self) -> None:
        for statement in (
            f"UPDATE {ENTRIES} SET action = 'x'",
            f"DELETE FROM {ENTRIES}",
            f"TRUNCATE {ENTRIES}",
            f"TRUNCATE {HEAD}",
            f"DELETE FROM {HEAD}",
            f"UPDATE {HEAD} SET seq = seq - 1",
            f"ALTER TABLE {ENTRIES} DISABLE TRIGGER ALL",
            f"ALTER TABLE {HEAD} DISABLE TRIGGER ALL",
            "SET session_replication_role = replica",
            f"DROP TABLE {ENTRIES}",
        ):
            with self.subTest(statement=statement):
                self.assertTrue(refused(statement), statement)
        self.assertTrue(verify().ok)

    def test_the_owner_cannot_truncate_or_set_the_head_back_either(self) -> None:
        with app_role.as_owner():
            for statement in (
                f"TRUNCATE {ENTRIES} CASCADE",
                f"TRUNCATE {HEAD}",
                f"DELETE FROM {HEAD}",
                f"UPDATE {HEAD} SET seq = seq - 1",
                f"UPDATE {ENTRIES} SET action = 'x'",
                f"DELETE FROM {ENTRIES}",
            ):
                with self.subTest(statement=statement):
                    self.assertTrue(refused(statement), statement)

    def test_replica_mode_does_not_skip_the_triggers(self) -> None:
        with app_role.as_owner():
            sql("SET session_replication_role = replica")
            try:
                self.assertTrue(refused(f"DELETE FROM {ENTRIES}"))
                self.assertTrue(refused(f"UPDATE {HEAD} SET seq = seq - 1"))
            finally:
                sql("SET session_replication_role = DEFAULT")
        self.assertTrue(verify().ok)
