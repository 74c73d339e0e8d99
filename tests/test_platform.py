"""Health check, security headers, CSP, production settings, keys, demo data, page weight."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.urls import reverse

from haven.accounts.actions import authenticator_secret
from haven.accounts.models import Organisation, OrganisationType, User
from haven.accounts.roles import Role
from haven.core import crypto
from haven.core.management.commands.demo import TRAINING_ROLES
from haven.people.models import Person
from haven.screening.engine import TOPIC_ORDER
from tests.helpers import raw_rows
from tests.personas import HavenTestCase

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "haven").glob("**/templates/**/*.html"))


class HealthTests(HavenTestCase):
    def test_healthz_says_ok_and_nothing_else(self) -> None:
        response = Client().get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(json.loads(response.content), {"status": "ok", "database": "ok"})

    def test_healthz_reports_an_unreachable_database(self) -> None:
        with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
            response = Client().get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(json.loads(response.content)["database"], "error")


class SecurityHeaderTests(HavenTestCase):
    def test_csp_forbids_inline_script(self) -> None:
        response = self.client_for("A", Role.SUPERVISOR).get(reverse("people:list"))
        csp = response["Content-Security-Policy"]
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("unsafe-eval", csp)
        self.assertIn("frame-ancestors 'none'", csp)

    def test_templates_carry_no_inline_script_or_handlers(self) -> None:
        for template in TEMPLATES:
            text = template.read_text()
            with self.subTest(template=template.name):
                # Data blocks (type="application/json", e.g. allauth's passkey wiring) are
                # never run; anything else without a src would be inline script.
                self.assertIsNone(
                    re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text)
                )
                self.assertIsNone(re.search(r"\son[a-z]+\s*=", text))
                self.assertNotIn("style=", text)

    def test_signed_in_pages_are_not_cached(self) -> None:
        response = self.client_for("A", Role.SUPERVISOR).get(reverse("people:list"))
        self.assertIn("no-store", response["Cache-Control"])

    def test_pages_refuse_framing_and_sniffing(self) -> None:
        response = Client().get(reverse("accounts:login"))
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")

    def test_debug_is_off_unless_asked(self) -> None:
        self.assertFalse(settings.DEBUG)

    def test_error_pages_are_generic(self) -> None:
        client = Client(raise_request_exception=False)
        client.force_login(self.world.user("A", Role.SUPERVISOR))
        with mock.patch("haven.people.views.people_for", side_effect=RuntimeError("secret")):
            response = client.get(reverse("people:list"))
        self.assertEqual(response.status_code, 500)
        self.assertNotIn(b"secret", response.content)
        self.assertNotIn(b"Traceback", response.content)


def run_haven(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "haven.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
        cwd=ROOT,
    )


class ProductionSettingsTests(HavenTestCase):
    def test_check_deploy_is_clean_in_production_mode(self) -> None:
        ring = crypto.new_key_ring().to_json()
        result = run_haven(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            env={
                "HAVEN_ENV": "production",
                "HAVEN_SECRET_KEY": "x" * 20 + "production-secret-for-the-check-only-" + "y" * 20,
                "HAVEN_ALLOWED_HOSTS": "haven.example.org",
                "HAVEN_KEYS": ring,
            },
        )
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        self.assertIn("no issues", result.stdout)

    def test_production_refuses_to_start_without_secrets(self) -> None:
        result = run_haven("check", env={"HAVEN_ENV": "production", "HAVEN_SECRET_KEY": ""})
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("HAVEN_SECRET_KEY", result.stderr)


class KeyRotationTests(HavenTestCase):
    def test_rotate_reencrypts_every_value_under_the_new_key(self) -> None:
        old = crypto.key_ring()
        new = crypto.KeyRing(
            primary="k9",
            data_keys={**old.data_keys, "k9": os.urandom(32)},
            index_key=old.index_key,
            audit_key=old.audit_key,
        )
        with override_settings(HAVEN_KEYS_JSON=new.to_json()):
            crypto.reset_key_ring_cache()
            try:
                out = io.StringIO()
                call_command("keys", "rotate", stdout=out)
                self.assertIn("Re-encrypted", out.getvalue())
                tokens = [v for _t, _c, v in raw_rows() if v.startswith("hv1$")]
                self.assertTrue(tokens)
                self.assertTrue(all(t.startswith("hv1$k9$") for t in tokens))
                person = Person.objects.get(pk=self.world.people["A"].pk)
                self.assertEqual(person.full_name, "Fixture Person A")
                # Second-factor secrets, sealed inside allauth's JSON column, too.
                secrets = [a.data["secret"] for a in Authenticator.objects.filter(type="totp")]
                self.assertTrue(secrets)
                self.assertTrue(all(s.startswith("hv1$k9$") for s in secrets))
                self.assertEqual(len(authenticator_secret(self.world.user("A", Role.SCREENER))), 32)
                status = io.StringIO()
                call_command("keys", "status", stdout=status)
                self.assertIn("primary data key: k9", status.getvalue())
            finally:
                crypto.reset_key_ring_cache()


class DemoDataTests(HavenTestCase):
    def test_demo_twice_creates_nothing_new(self) -> None:
        call_command("demo", "--quiet")
        counts = (Organisation.objects.count(), User.objects.count(), Person.objects.count())
        out = io.StringIO()
        call_command("demo", stdout=out)
        self.assertEqual(
            counts, (Organisation.objects.count(), User.objects.count(), Person.objects.count())
        )
        printed = out.getvalue()
        for role in ("ngo-screener", "police-sysadmin"):
            user = User.objects.get(username=role)
            self.assertIn(authenticator_secret(user), printed)
        self.assertIn("DEMO", printed)

    def test_demo_has_a_user_for_every_role_in_two_organisation_types(self) -> None:
        call_command("demo", "--quiet")
        # The training centre (is_training) holds only trainers and trainees; the demo
        # hotline (haven.hotline.demo) only the hotline's own roles.
        demo_orgs = Organisation.objects.filter(name__contains="DEMO", is_training=False).exclude(
            org_type=OrganisationType.HOTLINE
        )
        self.assertEqual(len({org.org_type for org in demo_orgs}), 2)
        for org in demo_orgs:
            roles = {role for user in org.users.all() for role in user.role_list}
            self.assertEqual(roles, set(Role) - TRAINING_ROLES)


class PageWeightTests(HavenTestCase):
    def page_weight(self, client: Client, url: str) -> int:
        """Bytes over the wire for one page: HTML plus its gzip-served CSS and JS."""
        html = client.get(url).content
        total = len(html)
        for asset in re.findall(rb'(?:src|href)="/static/([^"]+)"', html):
            path = finders.find(asset.decode())
            assert isinstance(path, str)
            total += len(gzip.compress(Path(path).read_bytes()))
        return total

    def test_pages_are_under_100_kb_with_their_assets(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        person, case = self.world.people["A"].reference, self.world.cases["A"].reference
        screening = self.world.screenings["A"].reference
        urls = [
            reverse("core:home"),
            reverse("people:list"),
            reverse("people:create"),
            reverse("people:detail", kwargs={"reference": person}),
            reverse("people:edit", kwargs={"reference": person}),
            reverse("cases:list"),
            reverse("cases:detail", kwargs={"reference": case}),
            reverse("cases:edit", kwargs={"reference": case}),
            reverse("screening:list"),
            reverse("screening:start"),
            reverse("screening:profile", args=[screening]),
            *(reverse("screening:topic", args=[screening, topic]) for topic in TOPIC_ORDER),
            reverse("screening:result", args=[screening]),
            reverse("cases:record", kwargs={"reference": case}),
            reverse("identification:change", kwargs={"reference": case}),
            reverse("assistance:service_add", kwargs={"reference": case}),
            reverse("cases:team"),
            reverse("referrals:new", kwargs={"reference": case}),
            reverse("referrals:consent_add", kwargs={"reference": case}),
            reverse("referrals:detail", kwargs={"reference": self.world.referrals["A"].reference}),
            reverse("referrals:packet", kwargs={"reference": self.world.referrals["B"].reference}),
            reverse("referrals:incoming"),
            reverse("directory:public"),
        ]
        for url in urls:
            weight = self.page_weight(client, url)
            print(f"page weight {url}: {weight / 1024:.1f} KB")  # noqa: T201
            with self.subTest(url=url):
                self.assertLess(weight, 100 * 1024)

    def test_no_external_urls_in_pages(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        for url in (reverse("core:home"), reverse("people:create"), reverse("people:list")):
            body = client.get(url).content.decode()
            with self.subTest(url=url):
                self.assertIsNone(re.search(r'(?:src|href)="(?:https?:)?//', body))


def test_assistance_never_reads_identification_status_or_cooperation() -> None:
    """Help never waits for a decision and never depends on cooperating with the police:
    the assistance code does not even look at either."""
    for path in sorted((ROOT / "haven" / "assistance").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for name in ("identification_status", "trafficking_status", ".cooperation"):
            assert name not in text, f"{path.relative_to(ROOT)} reads {name}"
