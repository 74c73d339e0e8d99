"""`haven backup` and `haven restore` round-trip a deployment's database.

Everything runs as a user would run it: the real `haven` command in a subprocess, with
DATABASE_URL pointing at scratch databases apart from the test database. On SQLite
those are files in a temporary folder; when the suite runs on PostgreSQL they are new
databases on the same server, dropped afterwards. tests/test_crash.py reuses the helpers.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings

PROJECT_DIR = Path(__file__).resolve().parent.parent
# No test here touches the test database; asking for it runs the session's database
# setup (conftest's application role on PostgreSQL) as every other module does.
pytestmark = pytest.mark.django_db
# Starts a child process with Django set up, then runs `child` below.
BOOTSTRAP = (
    "import sys, django; django.setup(); "
    "from tests.test_backup_restore import child; child(sys.argv[1:])"
)


def on_postgresql() -> bool:
    return bool(settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql")


def haven_program() -> list[str]:
    script = Path(sys.executable).parent / "haven"
    return [str(script)] if script.exists() else [sys.executable, "-m", "haven.cli"]


@dataclass
class Deployment:
    """A scratch deployment: its own folder (key ring, secret key) and databases."""

    tmp: Path
    databases: list[str] = field(default_factory=list)

    def new_database(self, label: str, template: str = "") -> str:
        """The URL of a new database: empty, or a copy of the `template` database's URL
        (whose key ring this deployment must share)."""
        if not on_postgresql():
            path = self.tmp / f"{label}.sqlite3"
            if template:
                shutil.copyfile(template.removeprefix("sqlite:///"), path)
            return f"sqlite:///{path}"
        config = settings.DATABASES["default"]
        base = str(config["NAME"]).removeprefix("test_")
        name = f"{base}_{label}_{uuid.uuid4().hex[:8]}"
        copy = f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""
        with admin() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"{copy}')
        self.databases.append(name)
        user = quote(str(config.get("USER") or ""), safe="")
        password = quote(str(config.get("PASSWORD") or ""), safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host, port = config.get("HOST") or "127.0.0.1", config.get("PORT") or 5432
        return f"postgres://{auth}{host}:{port}/{name}"

    def share_keys_of(self, other: Deployment) -> None:
        for name in ("keys.json", "secret_key"):
            shutil.copy2(other.tmp / name, self.tmp / name)

    def drop(self) -> None:
        if not self.databases:
            return
        with admin() as cursor:
            for name in self.databases:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def env(self, url: str, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
        env.update(
            DJANGO_SETTINGS_MODULE="haven.settings",
            DATABASE_URL=url,
            HAVEN_ENV="development",
            HAVEN_VAR_DIR=str(self.tmp),
            HAVEN_KEY_FILE=str(self.tmp / "keys.json"),
            HAVEN_EXCHANGE_KEY_FILE=str(self.tmp / "exchange.json"),
            **extra,
        )
        return env

    def haven(
        self, url: str, *args: str, check: bool = True, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return run([*haven_program(), *args], self.env(url, **env), check=check)

    def child(self, url: str, *args: str) -> Any:
        """Run `child(args)` in a new process; its last line of output, as JSON."""
        done = run([sys.executable, "-c", BOOTSTRAP, *args], self.env(url), check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])


@dataclass
class Template:
    """A migrated database holding tests/personas.py's world, to copy for each test."""

    deployment: Deployment
    url: str
    snapshot: dict[str, Any]

    def clone(self, tmp: Path) -> tuple[Deployment, str]:
        copy = Deployment(tmp)
        copy.share_keys_of(self.deployment)
        return copy, copy.new_database("world", template=self.url)


def run(args: list[str], env: dict[str, str], *, check: bool) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(  # noqa: S603 - the test's own commands
        args, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if check and done.returncode != 0:
        pytest.fail(f"{args[-1]} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


@contextmanager
def admin() -> Iterator[Any]:
    """An autocommit cursor on the server's maintenance database, for CREATE/DROP DATABASE."""
    import psycopg  # noqa: PLC0415 - only on PostgreSQL

    config = settings.DATABASES["default"]
    with (
        psycopg.connect(
            dbname="postgres",
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            autocommit=True,
        ) as connection,
        connection.cursor() as cursor,
    ):
        yield cursor


@pytest.fixture(scope="module")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    scratch = Deployment(tmp_path_factory.mktemp("world"))
    try:
        url = scratch.new_database("world")
        scratch.haven(url, "migrate", "--no-input", "-v", "0")
        yield Template(scratch, url, scratch.child(url, "world"))
    finally:
        scratch.drop()


@pytest.fixture
def world_copy(world_template: Template, tmp_path: Path) -> Iterator[tuple[Deployment, str]]:
    """A deployment of its own with a copy of the world database, and that copy's URL."""
    deployment, url = world_template.clone(tmp_path)
    try:
        yield deployment, url
    finally:
        deployment.drop()


# --- in the child process -------------------------------------------------------------


def child(args: list[str]) -> None:
    """Entry point of the child processes: `world` (build it, then snapshot), `snapshot`,
    or test_crash's actions."""
    action = args[0]
    if action == "world":
        from django.contrib.auth import hashers  # noqa: PLC0415

        from tests.personas import build_world  # noqa: PLC0415

        settings.PASSWORD_HASHERS = ["tests.hashers.CheapArgon2PasswordHasher"]
        hashers.get_hashers.cache_clear()
        build_world()
        sys.stdout.write(json.dumps(snapshot(), default=str) + "\n")
    elif action == "snapshot":
        sys.stdout.write(json.dumps(snapshot(), default=str) + "\n")
    else:
        from tests.test_crash import crash_child  # noqa: PLC0415

        crash_child(args)


def snapshot() -> dict[str, Any]:
    """Every row of every model as the application reads it (personal data decrypted),
    the ciphertext as stored, and the audit chain's state."""
    from django.apps import apps  # noqa: PLC0415
    from django.core import serializers  # noqa: PLC0415

    from haven.audit.chain import verify  # noqa: PLC0415
    from haven.audit.models import AuditEntry, AuditHead  # noqa: PLC0415
    from haven.cases.models import Case  # noqa: PLC0415
    from haven.core.encrypted_columns import _rows, encrypted_columns, key_usage  # noqa: PLC0415
    from haven.people.models import Person  # noqa: PLC0415

    rows = {
        model._meta.label_lower: serializers.serialize(
            "python", model._default_manager.order_by("pk")
        )
        for model in apps.get_models()
    }
    ciphertext = {
        f"{model._meta.label_lower}.{column.name}": sorted(
            (str(pk), token) for pk, token in _rows(model, column)
        )
        for model, column in encrypted_columns()
    }
    head = AuditHead.objects.filter(id=1).first()
    verdict = verify()
    return {
        "rows": json.loads(json.dumps(rows, default=str)),
        "ciphertext": ciphertext,
        "people": [
            {"full_name": p.full_name, "phone": p.phone, "address": p.address}
            for p in Person.objects.order_by("pk")
        ],
        "cases": [
            {"reference": c.reference, "summary": c.summary, "status": c.status}
            for c in Case.objects.order_by("pk")
        ],
        "audit": {
            "count": AuditEntry.objects.count(),
            "head": [head.seq, head.entry_hash] if head else None,
            "intact": verdict.ok,
            "checked": verdict.checked,
        },
        "key_usage": dict(key_usage()),
    }


# --- the tests --------------------------------------------------------------------------


def test_backup_restores_into_an_empty_database_identically(
    world_template: Template, tmp_path: Path
) -> None:
    deployment, source = world_template.clone(tmp_path)
    before = world_template.snapshot
    assert before["audit"]["intact"] and before["audit"]["count"] > 0
    assert [p["full_name"] for p in before["people"]] == ["Fixture Person A", "Fixture Person B"]

    backup = tmp_path / "haven.backup"
    made = deployment.haven(source, "backup", "--output", str(backup))
    assert "key ring is NOT in this backup" in made.stdout
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert b"Fixture Person" not in backup.read_bytes()

    target = deployment.new_database("dst")
    try:
        restored = deployment.haven(target, "restore", str(backup))
        count = before["audit"]["count"]
        assert f"Audit chain intact: {count} entries verified" in restored.stdout

        after = deployment.child(target, "snapshot")
        assert after["people"] == before["people"]
        assert after["cases"] == before["cases"]
        assert after["audit"] == before["audit"]
        assert after["ciphertext"] == before["ciphertext"]
        assert after["rows"] == before["rows"]
    finally:
        deployment.drop()


def test_restore_refuses_a_database_that_is_not_empty(
    world_copy: tuple[Deployment, str],
) -> None:
    deployment, source = world_copy
    backup = deployment.tmp / "haven.backup"
    deployment.haven(source, "backup", "--output", str(backup))
    head = deployment.haven(source, "audit", "head").stdout

    refused = deployment.haven(source, "restore", str(backup), check=False)
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr
    assert deployment.haven(source, "audit", "head").stdout == head


def test_backup_never_overwrites_a_file(world_copy: tuple[Deployment, str]) -> None:
    deployment, source = world_copy
    backup = deployment.tmp / "haven.backup"
    backup.write_bytes(b"an older backup")
    refused = deployment.haven(source, "backup", "--output", str(backup), check=False)
    assert refused.returncode == 1
    assert "refusing to overwrite" in refused.stderr
    assert backup.read_bytes() == b"an older backup"


def test_restore_with_another_key_ring_reports_a_broken_chain(
    world_copy: tuple[Deployment, str],
) -> None:
    deployment, source = world_copy
    backup = deployment.tmp / "haven.backup"
    deployment.haven(source, "backup", "--output", str(backup))
    other_ring = deployment.haven(source, "keys", "init", "--print").stdout

    target = deployment.new_database("dst")
    restored = deployment.haven(target, "restore", str(backup), check=False, HAVEN_KEYS=other_ring)
    assert restored.returncode == 1
    assert "Audit chain BROKEN" in restored.stderr
