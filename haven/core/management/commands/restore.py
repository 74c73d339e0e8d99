"""`haven restore FILE`: load a `haven backup` file into the configured database, then
check the audit chain.

Only into an empty database: one without any tables (for SQLite, a file that does not
exist yet or holds no tables). A database that has been migrated, even with no rows, is
refused too, and there is no option to overwrite: restoring over live data would lose it
silently. Create a new database, point DATABASE_URL at it and restore there.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from argparse import ArgumentParser
from contextlib import closing
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from haven.audit.chain import verify
from haven.audit.models import AuditEntry, AuditHead
from haven.core import crypto
from haven.core.encrypted_columns import key_usage
from haven.core.management.commands.backup import POSTGRESQL, database, pg_command

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
AUDIT_TABLE = AuditEntry._meta.db_table

# Relations anywhere outside PostgreSQL's own schemas.
PG_RELATIONS = """
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'
"""


class Command(BaseCommand):
    help = "Restore a `haven backup` file into an EMPTY database, then verify the audit chain."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="A file written by `haven backup`.")

    def handle(self, *args: Any, **options: Any) -> None:
        config = database()
        source = Path(options["file"])
        try:
            with source.open("rb") as handle:
                magic = handle.read(len(SQLITE_MAGIC))
        except OSError as error:
            raise CommandError(f"Cannot read {source}: {error.strerror}") from None
        if config["ENGINE"] == POSTGRESQL:
            if not magic.startswith(PG_MAGIC):
                raise CommandError(f"{source} is not a PostgreSQL backup made by `haven backup`.")
            self._restore_postgresql(config, source)
        else:
            if magic != SQLITE_MAGIC:
                raise CommandError(f"{source} is not an SQLite backup made by `haven backup`.")
            self._restore_sqlite(Path(config["NAME"]), source)
        connection.close()
        self.stdout.write(f"Restored {source} into the database {config['NAME']}.")
        self._check()

    def _restore_postgresql(self, config: dict[str, Any], source: Path) -> None:
        with connection.cursor() as cursor:
            cursor.execute(PG_RELATIONS)
            (relations,) = cursor.fetchone()
        connection.close()
        if relations:
            raise CommandError(
                f"The database {config['NAME']} is not empty ({relations} tables, indexes or "
                "sequences); restore only into a new, empty database (createdb), without "
                "running migrate first."
            )
        args, env = pg_command("pg_restore", config)
        # One transaction, stopping at the first error: a failed restore leaves the
        # database empty. Owners and grants are the server's where the backup was made;
        # here the restoring user owns everything, as `haven migrate` would have made it.
        done = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [
                *args,
                "--no-password",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                str(source),
            ],
            capture_output=True,
            env=env,
            check=False,
        )
        if done.returncode != 0:
            raise CommandError(
                f"pg_restore failed; nothing was restored: "
                f"{done.stderr.decode(errors='replace').strip()}"
            )
        self.stdout.write(
            "Grants were not restored: if Haven connects as a separate application role "
            "(HAVEN_APP_DB_ROLE), run `haven migrate` as the owner now to grant it again."
        )

    def _restore_sqlite(self, target: Path, source: Path) -> None:
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src:
            try:
                tables = {row[0] for row in src.execute("SELECT name FROM sqlite_master")}
            except sqlite3.DatabaseError:
                raise CommandError(f"{source} is damaged or not an SQLite database.") from None
            if AUDIT_TABLE not in tables:
                raise CommandError(f"{source} is an SQLite database, but not Haven's.")
            connection.close()
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            with closing(sqlite3.connect(target)) as dst:
                (objects,) = dst.execute("SELECT count(*) FROM sqlite_master").fetchone()
                if objects:
                    raise CommandError(
                        f"The database {target} is not empty; restore only into a new file "
                        "(point DATABASE_URL at a path that does not exist yet)."
                    )
                src.backup(dst)

    def _check(self) -> None:
        if not settings.HAVEN_KEYS_JSON and not Path(settings.HAVEN_KEY_FILE).exists():
            self.stderr.write(
                f"No key ring at {settings.HAVEN_KEY_FILE} and HAVEN_KEYS is not set: put "
                "back the key ring that was in use when the backup was made, then run "
                "`haven audit verify`. The audit chain was NOT verified."
            )
            sys.exit(1)
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write(
                "The backup predates this version of Haven: run `haven migrate` next."
            )
        usage = key_usage()
        missing = sorted(set(usage) - set(crypto.key_ring().data_keys))
        if missing:
            self.stderr.write(
                f"Data keys used in this database are not in the key ring: {', '.join(missing)}. "
                "Restore the key ring that was in use when the backup was made."
            )
        verdict = verify()
        if verdict.ok:
            head = AuditHead.objects.filter(id=1).first()
            self.stdout.write(
                f"Audit chain intact: {verdict.checked} entries verified"
                f" (head #{head.seq if head else 0})."
            )
            if missing:
                sys.exit(1)
            return
        self.stderr.write(
            f"Audit chain BROKEN at entry #{verdict.bad_seq}: {verdict.reason} "
            f"({verdict.checked} entries verified before it). If every entry fails, the key "
            "ring is probably not the one in use when the backup was made."
        )
        sys.exit(1)
