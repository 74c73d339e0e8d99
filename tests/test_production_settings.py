"""Production refuses to start on weak or missing secrets (each refusal naming the
variable), every response carries a Permissions-Policy, and the development files Haven
creates (var/, its secret key, key ring and SQLite database) are its owner's only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

from django.test import Client, SimpleTestCase, override_settings
from django.urls import reverse

from haven.accounts.roles import Role
from haven.core import crypto
from tests.personas import HavenTestCase

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k7Qp-2vX9_mR4tLw8ZcN1yB6hJ3sD0fG5aE-uI7oP2qW9xV4nM8bK1lT6rY3cF0gH"
# Variables that shape settings; each subprocess starts from the test's own values only.
HAVEN_VARIABLES = (
    "HAVEN_ENV",
    "HAVEN_SECRET_KEY",
    "HAVEN_DEBUG",
    "HAVEN_ALLOWED_HOSTS",
    "HAVEN_KEYS",
    "HAVEN_KEY_FILE",
    "HAVEN_VAR_DIR",
    "DATABASE_URL",
)


def load_settings(
    env: dict[str, str], code: str = "import haven.settings"
) -> subprocess.CompletedProcess[str]:
    """Load Haven's settings in a fresh interpreter with `env` as the only Haven settings."""
    clean = {k: v for k, v in os.environ.items() if k not in HAVEN_VARIABLES}
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**clean, "DJANGO_SETTINGS_MODULE": "haven.settings", **env},
        check=False,
        cwd=ROOT,
        timeout=120,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


class ProductionRefusalTests(SimpleTestCase):
    def setUp(self) -> None:
        self.ring = crypto.new_key_ring().to_json()
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def production(self, **overrides: str) -> dict[str, str]:
        return {
            "HAVEN_ENV": "production",
            "HAVEN_SECRET_KEY": STRONG_KEY,
            "HAVEN_ALLOWED_HOSTS": "haven.example.org",
            "HAVEN_KEYS": self.ring,
            "HAVEN_VAR_DIR": str(Path(self.tmp.name) / "var"),
            **overrides,
        }

    def assert_refused(self, env: dict[str, str], variable: str) -> None:
        result = load_settings(env)
        self.assertNotEqual(result.returncode, 0, result.stdout)
        last_line = result.stderr.strip().splitlines()[-1]
        self.assertIn("ConfigError", last_line)
        self.assertIn(variable, last_line)
        key = env.get("HAVEN_SECRET_KEY", "")
        if len(key) > 16:  # a refused key is never echoed (short ones are plain words)
            self.assertNotIn(key, result.stderr)

    def test_a_sound_production_configuration_loads(self) -> None:
        result = load_settings(self.production())
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_weak_secret_keys_are_refused_naming_the_variable(self) -> None:
        for weak in (
            "changeme",
            "secret",
            "x",
            "x" * 80,  # long, but one character
            STRONG_KEY[:49],
            "django-insecure-" + STRONG_KEY,
        ):
            with self.subTest(length=len(weak)):
                self.assert_refused(self.production(HAVEN_SECRET_KEY=weak), "HAVEN_SECRET_KEY")

    def test_a_missing_secret_key_is_refused(self) -> None:
        self.assert_refused(self.production(HAVEN_SECRET_KEY=""), "HAVEN_SECRET_KEY")

    def test_debug_is_refused_in_production(self) -> None:
        self.assert_refused(self.production(HAVEN_DEBUG="true"), "HAVEN_DEBUG")

    def test_a_missing_key_ring_is_refused(self) -> None:
        missing = str(Path(self.tmp.name) / "no-such-keys.json")
        env = self.production(HAVEN_KEYS="", HAVEN_KEY_FILE=missing)
        self.assert_refused(env, "HAVEN_KEY_FILE")
        self.assert_refused(env, "HAVEN_KEYS")

    def test_an_existing_key_file_is_enough(self) -> None:
        path = Path(self.tmp.name) / "keys.json"
        crypto.write_key_file(crypto.new_key_ring(), path)
        result = load_settings(self.production(HAVEN_KEYS="", HAVEN_KEY_FILE=str(path)))
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_allowed_hosts_must_be_named(self) -> None:
        self.assert_refused(self.production(HAVEN_ALLOWED_HOSTS=""), "HAVEN_ALLOWED_HOSTS")
        self.assert_refused(self.production(HAVEN_ALLOWED_HOSTS="*"), "HAVEN_ALLOWED_HOSTS")


class PermissionsPolicyTests(HavenTestCase):
    DENIED = ("camera", "microphone", "geolocation", "payment", "usb", "display-capture")

    def assert_denies_powerful_features(self, response: object) -> None:
        header = response["Permissions-Policy"]  # type: ignore[index]
        for feature in self.DENIED:
            self.assertIn(f"{feature}=()", header)
        self.assertNotIn("*", header)

    def test_public_and_signed_in_pages_deny_powerful_features(self) -> None:
        self.assert_denies_powerful_features(Client().get(reverse("accounts:login")))
        self.assert_denies_powerful_features(Client().get(reverse("directory:public")))
        signed_in = self.client_for("A", Role.SUPERVISOR)
        self.assert_denies_powerful_features(signed_in.get(reverse("people:list")))

    def test_error_pages_deny_powerful_features(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        not_found = client.get(reverse("people:detail", kwargs={"reference": "HVN-222-222"}))
        self.assertEqual(not_found.status_code, 404)
        self.assert_denies_powerful_features(not_found)
        forbidden = self.client_for("A", Role.SCREENER).get(reverse("audit:list"))
        self.assertEqual(forbidden.status_code, 403)
        self.assert_denies_powerful_features(forbidden)
        crashing = Client(raise_request_exception=False)
        crashing.force_login(self.world.user("A", Role.SUPERVISOR))
        with mock.patch("haven.people.views.people_for", side_effect=RuntimeError("boom")):
            failed = crashing.get(reverse("people:list"))
        self.assertEqual(failed.status_code, 500)
        self.assert_denies_powerful_features(failed)

    @override_settings(HAVEN_MAX_REQUEST_BYTES=1024)
    def test_an_oversized_request_is_refused_before_it_is_read(self) -> None:
        response = Client().post(reverse("account_login"), {"login": "x" * 4096})
        self.assertEqual(response.status_code, 413)
        self.assert_denies_powerful_features(response)


class DevelopmentFileModeTests(SimpleTestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.var = Path(self.tmp.name) / "var"

    def test_var_secret_key_key_ring_and_database_are_the_owners_only(self) -> None:
        # A permissive umask: the modes must not depend on the caller's.
        code = (
            "import os; os.umask(0o022); import django; django.setup(); "
            "from django.db import connection; from haven.core import crypto; "
            "crypto.key_ring(); connection.cursor().execute('CREATE TABLE t (x int)')"
        )
        result = load_settings({"HAVEN_VAR_DIR": str(self.var)}, code)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(mode(self.var), 0o700)
        for name in ("secret_key", "keys.json", "haven.sqlite3"):
            with self.subTest(name=name):
                self.assertEqual(mode(self.var / name), 0o600)
        self.assertGreater((self.var / "haven.sqlite3").stat().st_size, 0)

    def test_files_left_readable_by_an_older_version_are_narrowed(self) -> None:
        self.var.mkdir(mode=0o755)
        self.var.chmod(0o755)
        (self.var / "secret_key").write_text(STRONG_KEY)
        (self.var / "secret_key").chmod(0o644)
        result = load_settings({"HAVEN_VAR_DIR": str(self.var)})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(mode(self.var), 0o700)
        self.assertEqual(mode(self.var / "secret_key"), 0o600)

    def test_key_file_is_written_owner_only_even_over_a_leftover(self) -> None:
        path = self.var / "keys.json"
        self.var.mkdir()
        leftover = path.with_suffix(".tmp")
        leftover.write_text("{}")
        leftover.chmod(0o644)
        crypto.write_key_file(crypto.new_key_ring(), path)
        self.assertEqual(mode(path), 0o600)
