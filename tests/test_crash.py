"""A process killed (SIGKILL) in the middle of a change leaves nothing half-done.

Each test runs the real work in a child process on a scratch copy of the personas'
world (tests/test_backup_restore.py makes it: an SQLite file, or a scratch PostgreSQL
database when the suite runs on PostgreSQL). haven.core.testing_hooks.pause_point holds
the child at a named point, inside the transaction for a referral send and a cross-border
import, between two committed batches for a key rotation; the test kills it there, then
checks that every table holds what it held before (or, for the rotation, that every value
still opens) and that the audit chain is intact, and finally runs the work again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.test_backup_restore import (
    BOOTSTRAP,
    PROJECT_DIR,
    Deployment,
    haven_program,
    world_copy,
    world_template,
)

__all__ = ["world_copy", "world_template"]  # fixtures, imported for pytest

# No test here touches the test database; asking for it runs the session's database
# setup (conftest's application role on PostgreSQL) as every other module does.
pytestmark = pytest.mark.django_db

PEOPLE_FOR_ROTATION = 400  # seven encrypted values each: a few thousand in all


# --- in the child process -------------------------------------------------------------


def crash_child(args: list[str]) -> None:
    """The child's actions: `people N`, `send`, `exchange FILE`, `import FILE`, `state`."""
    action, rest = args[0], args[1:]
    result: Any = {}
    if action == "people":
        add_people(int(rest[0]))
    elif action == "send":
        result = send().reference
    elif action == "exchange":
        write_exchange_file(Path(rest[0]))
    elif action == "import":
        result = import_file(Path(rest[0])).reference
    elif action == "state":
        result = state()
    sys.stdout.write(json.dumps(result) + "\n")


def user(username: str) -> Any:
    from haven.accounts.models import User  # noqa: PLC0415

    return User.objects.get(username=username)


def add_people(count: int) -> None:
    from haven.people.actions import create_person  # noqa: PLC0415

    screener = user("a-screener")
    for n in range(count):
        create_person(
            screener,
            {
                "full_name": f"Rotation Person {n}",
                "given_name": "Rotation",
                "family_name": f"Person {n}",
                "aliases": [f"Alias {n}"],
                "gender": "Masculine",
                "estimated_age": "30",
                "citizenship": ["KH"],
                "languages": ["km"],
                "phone": f"+855 12 {n:06d}",
                "address": f"Street {n}, Phnom Penh",
            },
            confirmed_not_duplicate=True,
        )


def send() -> Any:
    from haven.cases.models import Case  # noqa: PLC0415
    from haven.directory.models import DirectoryService  # noqa: PLC0415
    from haven.referrals.actions import send_referral  # noqa: PLC0415

    worker = user("a-case_worker")
    return send_referral(
        worker,
        Case.objects.get(organisation=worker.organisation),
        DirectoryService.objects.get(provider__name="Fixture shelter B"),
        purpose="assistance",
        reason="AdditionalServicesRequired",
        details="A second request",
        categories=["identity"],
        channel="haven",
    )


def write_exchange_file(path: Path) -> None:
    """Make this deployment (TH) and a trusted partner (KH); write the partner's referral
    file for this deployment to `path`."""
    from django.conf import settings  # noqa: PLC0415

    from haven.referrals.crossborder import remember  # noqa: PLC0415
    from haven.referrals.exchange import KeyPair, seal  # noqa: PLC0415

    own = KeyPair.generate("th-crash", "Thailand crash test", "TH")
    own.save(settings.HAVEN_EXCHANGE_KEY_FILE)
    remember(own.identity, is_self=True)
    partner = KeyPair.generate("kh-crash", "Cambodia crash test", "KH")
    remember(partner.identity, is_self=False)
    packet = {
        "reference": "HVN-R-0001",
        "sender": "Partner NGO",
        "service": "accommodation",
        "purpose": "assistance",
        "reason": "MigrationOrChangeOfLocation",
        "details": "",
        "date": "2026-12-01",
        "consented": ["identity"],
        "sections": [{"category": "identity", "rows": [["full_name", ["Crash Test Person"]]]}],
    }
    body = {"packet": packet, "version": 1}
    _message_id, data = seal(partner, own.identity, "referral", body)
    path.write_bytes(data)


def import_file(path: Path) -> Any:
    from haven.referrals.crossborder import import_file as import_referral  # noqa: PLC0415

    return import_referral(user("b-supervisor"), path.read_bytes())


def state() -> dict[str, Any]:
    """Rows per table, the audit chain's verdict and head, and how many stored values
    each data key seals, with every value opened to prove it still reads."""
    from django.apps import apps  # noqa: PLC0415

    from haven.audit.chain import verify  # noqa: PLC0415
    from haven.audit.models import AuditHead  # noqa: PLC0415
    from haven.core import crypto  # noqa: PLC0415
    from haven.core.encrypted_columns import _rows, encrypted_columns, key_usage  # noqa: PLC0415

    unreadable = 0
    for model, column in encrypted_columns():
        for _pk, token in _rows(model, column):
            try:
                crypto.decrypt(token, column.crypto_context)
            except crypto.DecryptionError:
                unreadable += 1
    head = AuditHead.objects.get(id=1)
    return {
        "rows": {m._meta.label_lower: m._default_manager.count() for m in apps.get_models()},
        "audit_intact": verify().ok,
        "audit_head": head.seq,
        "key_usage": dict(key_usage()),
        "unreadable": unreadable,
    }


# --- the tests --------------------------------------------------------------------------


def kill_at(deployment: Deployment, url: str, gate: str, command: list[str]) -> str:
    """Run `command` until it reaches pause point `gate`, then SIGKILL it; its output."""
    pauses = deployment.tmp / "pause"
    pauses.mkdir(exist_ok=True)
    (pauses / gate).touch()
    reached = pauses / f"{gate}.reached"
    env = deployment.env(url, HAVEN_TEST_PAUSE_DIR=str(pauses))
    log = deployment.tmp / f"{gate}.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - the test's own command
            command, cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 300
            while not reached.exists():
                if process.poll() is not None:
                    pytest.fail(f"{gate}: exited {process.returncode} before the pause point")
                if time.monotonic() > deadline:
                    pytest.fail(f"{gate}: pause point not reached")
                time.sleep(0.05)
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    (pauses / gate).unlink()
    return log.read_text()


def child_command(*args: str) -> list[str]:
    return [sys.executable, "-c", BOOTSTRAP, *args]


def test_killed_referral_send_leaves_nothing(world_copy: tuple[Deployment, str]) -> None:
    deployment, url = world_copy
    before = deployment.child(url, "state")

    kill_at(deployment, url, "referral-send", child_command("send"))

    after = deployment.child(url, "state")
    assert after == before
    assert after["audit_intact"]
    reference = deployment.child(url, "send")
    assert reference.startswith("R")
    done = deployment.child(url, "state")
    assert done["rows"]["referrals.referral"] == before["rows"]["referrals.referral"] + 1
    assert done["audit_intact"]


def test_killed_cross_border_import_leaves_nothing(world_copy: tuple[Deployment, str]) -> None:
    deployment, url = world_copy
    referral_file = deployment.tmp / "referral.haven"
    deployment.child(url, "exchange", str(referral_file))
    before = deployment.child(url, "state")

    kill_at(deployment, url, "crossborder-import", child_command("import", str(referral_file)))

    after = deployment.child(url, "state")
    assert after == before
    assert after["audit_intact"]
    # Nothing of the killed import remains, not even its receipt: the file imports now.
    deployment.child(url, "import", str(referral_file))
    done = deployment.child(url, "state")
    assert done["rows"]["referrals.referral"] == before["rows"]["referrals.referral"] + 1
    assert done["rows"]["referrals.exchangereceipt"] == 1
    assert done["audit_intact"]


def test_killed_key_rotation_resumes_and_retires_the_old_key(
    world_copy: tuple[Deployment, str],
) -> None:
    deployment, url = world_copy
    deployment.child(url, "people", str(PEOPLE_FOR_ROTATION))
    deployment.haven(url, "keys", "add")
    before = deployment.child(url, "state")
    assert set(before["key_usage"]) == {"k1"}
    total = before["key_usage"]["k1"]
    assert total > 2000

    rotate = [*haven_program(), "keys", "rotate", "--batch", "100"]
    kill_at(deployment, url, "keys-rotate", rotate)

    halfway = deployment.child(url, "state")
    assert halfway["unreadable"] == 0
    assert halfway["audit_intact"]
    assert halfway["rows"] == before["rows"]
    assert halfway["key_usage"]["k2"] > 0
    assert halfway["key_usage"]["k1"] > 0
    assert sum(halfway["key_usage"].values()) == total

    rotated = deployment.haven(url, "keys", "rotate", "--batch", "100")
    assert "under key k2" in rotated.stdout
    status = deployment.haven(url, "keys", "status").stdout
    assert "k1: 0 values" in status
    done = deployment.child(url, "state")
    assert done["key_usage"] == {"k2": total}
    assert done["unreadable"] == 0
    assert done["audit_intact"]
    assert done["audit_head"] == before["audit_head"] + 1  # the one keys.rotate entry
