"""`haven backup --output FILE`: one file holding the whole database, made readable by its
owner only.

PostgreSQL is dumped with pg_dump in its custom format (`haven restore` reads it back with
pg_restore); SQLite is copied with SQLite's online backup API, so either can run while
Haven serves. Personal data is in the file only as ciphertext: the key ring that opens
it is not in the database and must be backed up separately (see README, Key management).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from argparse import ArgumentParser
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

POSTGRESQL = "django.db.backends.postgresql"
SQLITE = "django.db.backends.sqlite3"


def database() -> dict[str, Any]:
    """The configured database, refused early when it is neither PostgreSQL nor SQLite."""
    config = dict(settings.DATABASES["default"])
    if config["ENGINE"] not in (POSTGRESQL, SQLITE):
        raise CommandError(f"Backups support PostgreSQL and SQLite, not {config['ENGINE']}.")
    return config


def pg_command(program: str, config: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The argument list and environment to run a PostgreSQL client on the configured
    database. The password goes through PGPASSWORD, never the command line, where any
    user of the machine could read it."""
    path = shutil.which(program)
    if path is None:
        raise CommandError(
            f"{program} is not installed: install the PostgreSQL client tools "
            "(for example the postgresql-client package) matching the server's version."
        )
    args = [path, "--dbname", str(config["NAME"])]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if config.get(key):
            args += [option, str(config[key])]
    env = dict(os.environ)
    env.pop("PGPASSWORD", None)
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    sslmode = config.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def key_ring_reminder() -> str:
    where = (
        "the HAVEN_KEYS secret"
        if settings.HAVEN_KEYS_JSON
        else f"the key file {settings.HAVEN_KEY_FILE}"
    )
    return (
        f"The key ring is NOT in this backup. Back up {where} separately and keep it apart "
        "from the backup: without it the personal data in the backup cannot be read, and "
        "a restore needs the same key ring. Back up the exchange keys "
        f"({settings.HAVEN_EXCHANGE_KEY_FILE}) too if this deployment exchanges "
        "cross-border referral files."
    )


class Command(BaseCommand):
    help = "Back up the database to one file (mode 600). The key ring is not in it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--output", required=True, help="The file to write; it must not exist yet."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config = database()
        target = Path(options["output"])
        if target.exists():
            raise CommandError(f"{target} exists already; refusing to overwrite it.")
        # Written beside the target and renamed at the end: a failed backup never leaves a
        # file that looks complete.
        partial = target.with_name(f".{target.name}.partial")
        try:
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(
                f"{partial} exists: another backup may be running; remove it if not."
            ) from None
        except OSError as error:
            raise CommandError(f"Cannot write {partial}: {error.strerror}") from None
        try:
            if config["ENGINE"] == POSTGRESQL:
                self._dump_postgresql(config, descriptor)
            else:
                os.close(descriptor)
                self._copy_sqlite(Path(config["NAME"]), partial)
            os.chmod(partial, 0o600)
            partial.replace(target)
        except BaseException:
            with suppress(OSError):
                os.close(descriptor)
            partial.unlink(missing_ok=True)
            raise
        self.stdout.write(f"Backed up the database to {target} (mode 600).")
        self.stdout.write(key_ring_reminder())

    def _dump_postgresql(self, config: dict[str, Any], descriptor: int) -> None:
        args, env = pg_command("pg_dump", config)
        with os.fdopen(descriptor, "wb") as out:
            done = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
                [*args, "--format=custom", "--no-password"],
                stdout=out,
                stderr=subprocess.PIPE,
                env=env,
                check=False,
            )
        if done.returncode != 0:
            raise CommandError(f"pg_dump failed: {done.stderr.decode(errors='replace').strip()}")

    def _copy_sqlite(self, source: Path, partial: Path) -> None:
        if not source.exists():
            raise CommandError(f"The database {source} does not exist.")
        with (
            closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src,
            closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst)
