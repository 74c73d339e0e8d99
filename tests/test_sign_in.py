"""Two-step sign-in, lockout, replay refusal, enrolment, idle timeout."""

from __future__ import annotations

import time
from unittest import mock

import pyotp
from django.test import Client, override_settings
from django.urls import reverse

from haven.accounts.actions import create_user
from haven.accounts.models import User
from haven.accounts.roles import Role
from haven.audit.models import AuditEntry
from tests.helpers import sign_in, totp_code
from tests.personas import PASSWORD, HavenTestCase


class SignInTests(HavenTestCase):
    def setUp(self) -> None:
        self.user = self.world.user("A", Role.CASE_WORKER)

    def password_step(self, client: Client, password: str = PASSWORD, username: str = "") -> str:
        response = client.post(
            reverse("accounts:login"),
            {"username": username or self.user.username, "password": password},
        )
        return response.get("Location", "") if response.status_code == 302 else ""

    def test_password_alone_does_not_sign_in(self) -> None:
        client = Client()
        self.assertEqual(self.password_step(client), reverse("accounts:verify"))
        response = client.get(reverse("people:list"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("accounts:login")))

    def test_password_and_code_sign_in_and_audit(self) -> None:
        client = Client()
        sign_in(client, self.user)
        self.assertEqual(client.get(reverse("people:list")).status_code, 200)
        self.assertTrue(AuditEntry.objects.filter(action="auth.login", actor=self.user).exists())

    def test_code_cannot_be_replayed(self) -> None:
        sign_in(Client(), self.user)
        self.user.refresh_from_db()
        used = pyotp.TOTP(self.user.totp_secret).generate_otp(self.user.totp_last_step or 0)
        client = Client()
        self.password_step(client)
        response = client.post(reverse("accounts:verify"), {"code": used})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "not accepted")

    def test_wrong_password_and_unknown_user_read_the_same(self) -> None:
        wrong = Client().post(
            reverse("accounts:login"), {"username": self.user.username, "password": "nope"}
        )
        unknown = Client().post(
            reverse("accounts:login"), {"username": "no-such-user", "password": "nope"}
        )
        self.assertEqual(wrong.status_code, unknown.status_code)
        self.assertContains(wrong, "Sign-in failed")
        self.assertContains(unknown, "Sign-in failed")

    @override_settings(HAVEN_LOCKOUT_THRESHOLD=3)
    def test_repeated_failures_lock_the_account_even_for_the_right_password(self) -> None:
        for _ in range(3):
            self.password_step(Client(), password="wrong password")
        self.user.refresh_from_db()
        self.assertTrue(self.user.is_locked())
        self.assertEqual(self.password_step(Client()), "")
        self.assertTrue(AuditEntry.objects.filter(action="auth.locked").exists())

    @override_settings(HAVEN_LOCKOUT_THRESHOLD=2)
    def test_wrong_codes_count_towards_lockout(self) -> None:
        client = Client()
        self.password_step(client)
        client.post(reverse("accounts:verify"), {"code": "000000"})
        response = client.post(reverse("accounts:verify"), {"code": "000000"})
        self.assertRedirects(response, reverse("accounts:login"), fetch_redirect_response=False)
        self.user.refresh_from_db()
        self.assertTrue(self.user.is_locked())

    def test_org_admin_can_unlock(self) -> None:
        with override_settings(HAVEN_LOCKOUT_THRESHOLD=1):
            self.password_step(Client(), password="wrong password")
        admin = self.client_for("A", Role.ORG_ADMIN)
        admin.post(reverse("accounts:unlock", kwargs={"pk": self.user.pk}))
        self.user.refresh_from_db()
        self.assertFalse(self.user.is_locked())
        self.assertEqual(self.password_step(Client()), reverse("accounts:verify"))

    def test_new_user_must_enrol_an_authenticator(self) -> None:
        newcomer = create_user(
            actor=None,
            organisation_id=self.world.orgs["A"].pk,
            username="a-newcomer",
            password=PASSWORD,
            roles=[Role.SCREENER.value],
        )
        client = Client()
        response = client.post(
            reverse("accounts:login"), {"username": newcomer.username, "password": PASSWORD}
        )
        self.assertRedirects(response, reverse("accounts:enrol"), fetch_redirect_response=False)
        page = client.get(reverse("accounts:enrol"))
        self.assertContains(page, "<svg")
        newcomer.refresh_from_db()
        self.assertContains(page, newcomer.totp_secret)
        client.post(reverse("accounts:enrol"), {"code": totp_code(newcomer)})
        newcomer.refresh_from_db()
        self.assertTrue(newcomer.totp_confirmed)
        self.assertEqual(client.get(reverse("core:home")).status_code, 200)

    def test_next_is_followed_only_inside_haven(self) -> None:
        client = Client()
        client.post(
            reverse("accounts:login") + "?next=/cases/",
            {"username": self.user.username, "password": PASSWORD},
        )
        response = client.post(reverse("accounts:verify"), {"code": totp_code(self.user)})
        self.assertEqual(response["Location"], "/cases/")
        other = Client()
        other.post(
            reverse("accounts:login") + "?next=https://evil.example/",
            {"username": self.user.username, "password": PASSWORD},
        )
        response = other.post(reverse("accounts:verify"), {"code": totp_code(self.user)})
        self.assertEqual(response["Location"], "/")

    def test_idle_session_is_signed_out(self) -> None:
        client = Client()
        sign_in(client, self.user)
        self.assertEqual(client.get(reverse("core:home")).status_code, 200)
        later = time.time() + 31 * 60
        with mock.patch("haven.accounts.middleware.time.time", return_value=later):
            response = client.get(reverse("core:home"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("accounts:login")))
        self.assertEqual(client.get(reverse("core:home")).status_code, 302)

    def test_htmx_request_after_timeout_redirects_whole_page(self) -> None:
        client = Client()
        response = client.post(
            reverse("people:search"), {"name": "x"}, headers={"HX-Request": "true"}
        )
        self.assertIn("HX-Redirect", response)

    def test_sign_out_is_a_post_and_audited(self) -> None:
        client = Client()
        sign_in(client, self.user)
        self.assertEqual(client.get(reverse("accounts:logout")).status_code, 405)
        client.post(reverse("accounts:logout"))
        self.assertTrue(AuditEntry.objects.filter(action="auth.logout", actor=self.user).exists())
        self.assertEqual(client.get(reverse("core:home")).status_code, 302)

    def test_passwords_are_hashed_with_argon2(self) -> None:
        stored = User.objects.get(pk=self.user.pk).password
        self.assertTrue(stored.startswith("argon2$"))

    def test_every_role_needs_the_second_factor(self) -> None:
        for role in Role:
            user = self.world.user("B", role)
            with self.subTest(role=role.value):
                client = Client()
                client.post(
                    reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
                )
                self.assertEqual(client.get(reverse("core:home")).status_code, 302)
