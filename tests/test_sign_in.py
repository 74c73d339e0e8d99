"""Sign-in on django-allauth[mfa] and django-axes: every guarantee of the hand-written
version, and recovery codes, passkeys, password change and reset.

Each test drives the real pages (password step, code step, enrolment) or calls the
domain action directly where the rule lives there.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from io import StringIO
from unittest import mock

import pyotp
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse

from haven.accounts import actions, lockout
from haven.accounts.actions import authenticator_secret, create_user
from haven.accounts.models import User
from haven.accounts.roles import Role
from haven.audit.models import AuditEntry
from haven.core import crypto
from tests.helpers import sign_in, totp_code
from tests.personas import PASSWORD, HavenTestCase

LOGIN = reverse("account_login")
CODE = reverse("mfa_authenticate")


def password_step(client: Client, username: str, password: str = PASSWORD) -> str:
    """The password step; returns where it sends the browser ("" if it stays)."""
    response = client.post(LOGIN, {"login": username, "password": password})
    return response.get("Location", "") if response.status_code == 302 else ""


def link_in(body: str) -> str:
    found = re.search(r"https?://testserver(/\S+)", body)
    assert found is not None, body
    return found.group(1)


def is_locked(user: User) -> bool:
    attempt = AccessAttempt.objects.filter(username=user.username).first()
    return lockout.locked_usernames([user.username]) == {user.username} and attempt is not None


class SignInTests(HavenTestCase):
    def setUp(self) -> None:
        self.user = self.world.user("A", Role.CASE_WORKER)

    def test_password_alone_does_not_sign_in(self) -> None:
        client = Client()
        self.assertEqual(password_step(client, self.user.username), CODE)
        response = client.get(reverse("people:list"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(LOGIN))

    def test_password_and_code_sign_in_and_audit(self) -> None:
        client = Client()
        sign_in(client, self.user)
        self.assertEqual(client.get(reverse("people:list")).status_code, 200)
        self.assertTrue(AuditEntry.objects.filter(action="auth.login", actor=self.user).exists())

    def test_session_key_changes_at_each_step(self) -> None:
        client = Client()
        client.get(LOGIN)
        first = client.session.session_key
        password_step(client, self.user.username)
        second = client.session.session_key
        client.post(CODE, {"code": totp_code(self.user)})
        third = client.session.session_key
        self.assertEqual(len({first, second, third}), 3)

    def test_code_cannot_be_replayed(self) -> None:
        code = totp_code(self.user)
        client = Client()
        password_step(client, self.user.username)
        self.assertEqual(client.post(CODE, {"code": code}).status_code, 302)
        again = Client()
        password_step(again, self.user.username)
        response = again.post(CODE, {"code": code})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "not accepted")
        self.assertEqual(again.get(reverse("core:home")).status_code, 302)

    def test_wrong_password_and_unknown_user_read_the_same(self) -> None:
        wrong = Client().post(LOGIN, {"login": self.user.username, "password": "nope"})
        unknown = Client().post(LOGIN, {"login": "no-such-user", "password": "nope"})
        self.assertEqual(wrong.status_code, unknown.status_code)
        self.assertContains(wrong, "Sign-in failed")
        self.assertContains(unknown, "Sign-in failed")

    @override_settings(HAVEN_LOCKOUT_THRESHOLD=3)
    def test_repeated_failures_lock_the_account_even_for_the_right_password(self) -> None:
        for _ in range(3):
            password_step(Client(), self.user.username, password="wrong password")
        self.assertTrue(is_locked(self.user))
        locked = Client().post(LOGIN, {"login": self.user.username, "password": PASSWORD})
        self.assertEqual(locked.status_code, 200)
        self.assertContains(locked, "Sign-in failed")
        self.assertTrue(AuditEntry.objects.filter(action="auth.locked").exists())

    @override_settings(HAVEN_LOCKOUT_THRESHOLD=3)
    def test_a_locked_account_reads_like_a_wrong_password(self) -> None:
        """No username enumeration: locked, wrong and unknown accounts answer alike."""
        for _ in range(3):
            password_step(Client(), self.user.username, password="wrong password")
        for _ in range(3):
            password_step(Client(), "no-such-user", password="wrong password")
        locked = Client().post(LOGIN, {"login": self.user.username, "password": PASSWORD})
        wrong = Client().post(
            LOGIN, {"login": self.world.user("A", Role.SCREENER).username, "password": "x"}
        )
        unknown = Client().post(LOGIN, {"login": "no-such-user", "password": PASSWORD})
        self.assertEqual({locked.status_code, wrong.status_code, unknown.status_code}, {200})
        for response in (locked, wrong, unknown):
            self.assertContains(response, "Sign-in failed")
            self.assertNotContains(response, "locked out")

    @override_settings(HAVEN_LOCKOUT_THRESHOLD=2, HAVEN_LOCKOUT_MINUTES=15)
    def test_the_lockout_ends_after_the_configured_minutes(self) -> None:
        for _ in range(2):
            password_step(Client(), self.user.username, password="wrong password")
        self.assertEqual(password_step(Client(), self.user.username), "")
        AccessAttempt.objects.filter(username=self.user.username).update(
            attempt_time=dt.datetime.now(tz=dt.UTC) - dt.timedelta(minutes=16)
        )
        self.assertEqual(password_step(Client(), self.user.username), CODE)

    @override_settings(HAVEN_LOCKOUT_THRESHOLD=2)
    def test_wrong_codes_count_towards_lockout(self) -> None:
        client = Client()
        password_step(client, self.user.username)
        client.post(CODE, {"code": "000000"})
        response = client.post(CODE, {"code": "000000"})
        self.assertContains(response, "Sign-in failed")
        self.assertTrue(is_locked(self.user))
        # The pending sign-in is gone, and even the right code does not open the account.
        self.assertEqual(client.get(CODE).status_code, 302)
        retry = Client()
        self.assertEqual(password_step(retry, self.user.username), "")

    @override_settings(HAVEN_LOCKOUT_THRESHOLD=2)
    def test_a_right_code_is_refused_once_the_account_is_locked(self) -> None:
        client = Client()
        password_step(client, self.user.username)
        for _ in range(2):
            password_step(Client(), self.user.username, password="wrong password")
        response = client.post(CODE, {"code": totp_code(self.user)})
        self.assertContains(response, "Sign-in failed")
        self.assertEqual(client.get(reverse("core:home")).status_code, 302)

    def test_org_admin_can_unlock(self) -> None:
        with override_settings(HAVEN_LOCKOUT_THRESHOLD=1):
            password_step(Client(), self.user.username, password="wrong password")
            self.assertTrue(is_locked(self.user))
            admin = self.client_for("A", Role.ORG_ADMIN)
            page = admin.get(reverse("accounts:users"))
            self.assertContains(page, reverse("accounts:unlock", kwargs={"pk": self.user.pk}))
            admin.post(reverse("accounts:unlock", kwargs={"pk": self.user.pk}))
            self.assertFalse(is_locked(self.user))
        self.assertEqual(password_step(Client(), self.user.username), CODE)
        self.assertTrue(AuditEntry.objects.filter(action="user.unlock").exists())

    def test_another_organisations_admin_cannot_unlock_or_reset(self) -> None:
        admin = self.client_for("B", Role.ORG_ADMIN)
        for name in ("accounts:unlock", "accounts:reset_factors", "accounts:temporary_password"):
            with self.subTest(name=name):
                response = admin.post(reverse(name, kwargs={"pk": self.user.pk}))
                self.assertEqual(response.status_code, 404)
        with self.assertRaises(PermissionDenied):
            actions.set_temporary_password(self.world.user("B", Role.ORG_ADMIN), self.user)
        with self.assertRaises(PermissionDenied):
            actions.reset_totp(self.world.user("A", Role.CASE_WORKER), self.user)

    def test_cli_unlocks_and_resets_the_authenticator(self) -> None:
        with override_settings(HAVEN_LOCKOUT_THRESHOLD=1):
            password_step(Client(), self.user.username, password="wrong password")
            call_command("user", "unlock", self.user.username, stdout=StringIO())
            self.assertFalse(is_locked(self.user))
        call_command("user", "reset-totp", self.user.username, stdout=StringIO())
        self.assertFalse(Authenticator.objects.filter(user=self.user).exists())
        self.assertEqual(password_step(Client(), self.user.username), reverse("accounts:enrol"))
        out = StringIO()
        call_command("user", "temporary-password", self.user.username, stdout=out)
        temporary = out.getvalue().split(": ", 1)[1].split()[0]
        self.assertTrue(User.objects.get(pk=self.user.pk).must_change_password)
        self.assertEqual(
            password_step(Client(), self.user.username, temporary), reverse("accounts:enrol")
        )

    def test_next_is_followed_only_inside_haven(self) -> None:
        client = Client()
        client.post(LOGIN + "?next=/cases/", {"login": self.user.username, "password": PASSWORD})
        response = client.post(CODE, {"code": totp_code(self.user)})
        self.assertEqual(response["Location"], "/cases/")
        other = Client()
        other.post(
            LOGIN + "?next=https://evil.example/",
            {"login": self.user.username, "password": PASSWORD},
        )
        response = other.post(CODE, {"code": totp_code(self.user)})
        self.assertEqual(response["Location"], "/")

    def test_idle_session_is_signed_out(self) -> None:
        client = Client()
        sign_in(client, self.user)
        self.assertEqual(client.get(reverse("core:home")).status_code, 200)
        later = time.time() + 31 * 60
        with mock.patch("haven.accounts.middleware.time.time", return_value=later):
            response = client.get(reverse("core:home"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(LOGIN))
        self.assertEqual(client.get(reverse("core:home")).status_code, 302)
        self.assertTrue(AuditEntry.objects.filter(action="auth.logout", actor=self.user).exists())

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

    def test_authenticator_secrets_are_sealed_with_havens_keys(self) -> None:
        stored = Authenticator.objects.get(user=self.user, type=Authenticator.Type.TOTP)
        self.assertTrue(stored.data["secret"].startswith(f"{crypto.TOKEN_PREFIX}$"))
        self.assertNotIn(authenticator_secret(self.user), str(stored.data))

    def test_every_role_needs_the_second_factor(self) -> None:
        for role in Role:
            user = self.world.user("B", role)
            with self.subTest(role=role.value):
                client = Client()
                password_step(client, user.username)
                self.assertEqual(client.get(reverse("core:home")).status_code, 302)

    def test_nobody_can_sign_up(self) -> None:
        with self.assertRaises(NoReverseMatch):
            reverse("account_signup")
        self.assertEqual(Client().get("/accounts/signup/").status_code, 404)


class EnrolmentTests(HavenTestCase):
    def setUp(self) -> None:
        self.newcomer = create_user(
            actor=None,
            organisation_id=self.world.orgs["A"].pk,
            username="a-newcomer",
            password=PASSWORD,
            roles=[Role.SCREENER.value],
        )

    def enrol(self, client: Client) -> list[str]:
        self.assertEqual(password_step(client, self.newcomer.username), reverse("accounts:enrol"))
        page = client.get(reverse("accounts:enrol"))
        self.assertContains(page, "<svg")
        secret = page.context["secret"]
        self.assertContains(page, secret)
        response = client.post(reverse("accounts:enrol"), {"code": pyotp.TOTP(secret).now()})
        self.assertRedirects(
            response, reverse("accounts:enrol_codes"), fetch_redirect_response=False
        )
        codes = client.get(reverse("accounts:enrol_codes")).context["codes"]
        self.assertEqual(len(codes), 10)
        return codes

    def test_new_user_enrols_sees_recovery_codes_once_then_is_signed_in(self) -> None:
        client = Client()
        codes = self.enrol(client)
        # Not signed in until the codes are acknowledged.
        self.assertEqual(client.get(reverse("core:home")).status_code, 302)
        sheet = client.get(reverse("mfa_download_recovery_codes"))
        self.assertEqual(sheet["Content-Type"], "application/pdf")
        response = client.post(reverse("accounts:enrol_codes"))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(client.get(reverse("core:home")).status_code, 200)
        # Shown once: neither the page nor the sheet gives them again.
        again = client.get(reverse("mfa_view_recovery_codes"))
        for code in codes:
            self.assertNotContains(again, code)
        self.assertEqual(client.get(reverse("mfa_download_recovery_codes")).status_code, 404)
        for action in ("auth.totp_enrolled", "auth.recovery_codes_made", "auth.login"):
            self.assertTrue(AuditEntry.objects.filter(action=action, actor=self.newcomer).exists())

    @override_settings(HAVEN_LOCKOUT_THRESHOLD=2)
    def test_wrong_enrolment_codes_count_towards_lockout(self) -> None:
        client = Client()
        password_step(client, self.newcomer.username)
        first = client.post(reverse("accounts:enrol"), {"code": "000000"})
        self.assertContains(first, "not accepted")
        client.post(reverse("accounts:enrol"), {"code": "000000"})
        self.assertTrue(is_locked(self.newcomer))
        self.assertFalse(Authenticator.objects.filter(user=self.newcomer).exists())

    def test_enrolment_cannot_be_reached_without_the_password(self) -> None:
        response = Client().get(reverse("accounts:enrol"))
        self.assertRedirects(response, LOGIN, fetch_redirect_response=False)

    def test_a_recovery_code_signs_in_once(self) -> None:
        codes = self.enrol(Client())
        client = Client()
        self.assertEqual(password_step(client, self.newcomer.username), CODE)
        self.assertEqual(client.post(CODE, {"code": codes[0]}).status_code, 302)
        self.assertEqual(client.get(reverse("core:home")).status_code, 200)
        self.assertTrue(
            AuditEntry.objects.filter(
                action="auth.recovery_code_used", actor=self.newcomer
            ).exists()
        )
        reuse = Client()
        password_step(reuse, self.newcomer.username)
        response = reuse.post(CODE, {"code": codes[0]})
        self.assertContains(response, "not accepted")
        self.assertEqual(reuse.get(reverse("core:home")).status_code, 302)

    def test_new_recovery_codes_replace_the_old_ones(self) -> None:
        old = self.enrol(Client())
        client = Client()
        client.force_login(self.newcomer)
        response = client.get(reverse("mfa_generate_recovery_codes"))
        # Making new codes asks for the password again first.
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("account_reauthenticate"), response["Location"])
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        client.post(reverse("mfa_generate_recovery_codes"))
        new = client.get(reverse("mfa_view_recovery_codes")).context["codes"]
        self.assertEqual(len(new), 10)
        self.assertNotEqual(set(old), set(new))
        signed = Client()
        password_step(signed, self.newcomer.username)
        self.assertContains(signed.post(CODE, {"code": old[1]}), "not accepted")


class FactorRuleTests(HavenTestCase):
    """Rules on second factors live in the domain actions; the pages only ask them."""

    def setUp(self) -> None:
        self.user = self.world.user("A", Role.CASE_WORKER)
        self.totp = Authenticator.objects.get(user=self.user, type=Authenticator.Type.TOTP)

    def add_passkey(self, user: User) -> Authenticator:
        # The stored shape of a registered credential; its signature is not checked here.
        return Authenticator.objects.create(
            user=user,
            type=Authenticator.Type.WEBAUTHN,
            data={"name": "Test key", "credential": {}, "passwordless": False},
        )

    def test_the_last_factor_cannot_be_removed(self) -> None:
        self.assertIsNotNone(actions.why_not_remove_factor(self.totp))
        client = self.client_for("A", Role.CASE_WORKER)
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        response = client.post(reverse("mfa_deactivate_totp"))
        self.assertContains(response, "last way to confirm")
        self.assertTrue(Authenticator.objects.filter(pk=self.totp.pk).exists())

    def test_the_app_can_go_once_a_passkey_is_there(self) -> None:
        self.add_passkey(self.user)
        self.assertIsNone(actions.why_not_remove_factor(self.totp))

    def test_the_last_required_passkey_cannot_be_removed(self) -> None:
        key = self.add_passkey(self.user)
        organisation = self.world.orgs["A"]
        actions.set_passkey_requirement(self.world.user("A", Role.ORG_ADMIN), organisation, True)
        self.assertIsNotNone(actions.why_not_remove_factor(key))

    def test_only_an_org_admin_of_the_organisation_sets_the_requirement(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.set_passkey_requirement(self.user, self.world.orgs["A"], True)
        with self.assertRaises(PermissionDenied):
            actions.set_passkey_requirement(
                self.world.user("B", Role.ORG_ADMIN), self.world.orgs["A"], True
            )
        admin = self.client_for("A", Role.ORG_ADMIN)
        admin.post(reverse("accounts:passkey_requirement"), {"require_passkey": "on"})
        self.world.orgs["A"].refresh_from_db()
        self.assertTrue(self.world.orgs["A"].require_passkey)
        self.assertTrue(
            AuditEntry.objects.filter(action="organisation.passkey_requirement").exists()
        )

    def test_required_passkey_holds_a_member_without_one_at_the_security_page(self) -> None:
        actions.set_passkey_requirement(
            self.world.user("A", Role.ORG_ADMIN), self.world.orgs["A"], True
        )
        client = Client()
        sign_in(client, self.user)
        response = client.get(reverse("people:list"))
        self.assertRedirects(response, reverse("mfa_index"), fetch_redirect_response=False)
        self.assertEqual(client.get(reverse("mfa_add_webauthn")).status_code, 302)  # reauth
        self.assertEqual(client.get(reverse("mfa_index")).status_code, 200)

    def test_required_passkey_replaces_the_app_but_not_recovery_codes(self) -> None:
        self.add_passkey(self.user)
        actions.set_passkey_requirement(
            self.world.user("A", Role.ORG_ADMIN), self.world.orgs["A"], True
        )
        factors = actions.code_factors(User.objects.get(pk=self.user.pk))
        self.assertEqual([f.type for f in factors], [])  # no recovery codes made here
        client = Client()
        password_step(client, self.user.username)
        # The stored key is a stand-in: the page's passkey challenge is not built from it.
        with mock.patch(
            "allauth.mfa.base.views.webauthn_auth.begin_authentication", return_value={}
        ):
            response = client.post(CODE, {"code": totp_code(self.user)})
        self.assertContains(response, "not accepted")


class PasswordTests(HavenTestCase):
    def setUp(self) -> None:
        self.user = self.world.user("A", Role.CASE_WORKER)

    def test_self_service_password_change_needs_the_current_password(self) -> None:
        client = Client()
        sign_in(client, self.user)
        new = "a brand new long passphrase"
        wrong = client.post(
            reverse("account_change_password"),
            {"oldpassword": "not it", "password1": new, "password2": new},
        )
        self.assertEqual(wrong.status_code, 200)
        self.assertTrue(User.objects.get(pk=self.user.pk).check_password(PASSWORD))
        client.post(
            reverse("account_change_password"),
            {"oldpassword": PASSWORD, "password1": new, "password2": new},
        )
        self.assertTrue(User.objects.get(pk=self.user.pk).check_password(new))
        self.assertTrue(AuditEntry.objects.filter(action="auth.password_changed").exists())

    def test_temporary_password_still_needs_the_second_factor_and_a_change(self) -> None:
        admin = self.client_for("A", Role.ORG_ADMIN)
        page = admin.post(reverse("accounts:temporary_password", kwargs={"pk": self.user.pk}))
        temporary = page.context["password"]
        self.assertTrue(AuditEntry.objects.filter(action="user.password_reset").exists())
        self.assertNotIn(temporary, str(AuditEntry.objects.values_list("changed_fields")))
        client = Client()
        self.assertEqual(password_step(client, self.user.username, temporary), CODE)
        self.assertEqual(client.get(reverse("core:home")).status_code, 302)
        client.post(CODE, {"code": totp_code(self.user)})
        held = client.get(reverse("people:list"))
        self.assertRedirects(
            held, reverse("account_change_password"), fetch_redirect_response=False
        )
        new = "my own long passphrase"
        client.post(
            reverse("account_change_password"),
            {"oldpassword": temporary, "password1": new, "password2": new},
        )
        self.assertEqual(client.get(reverse("people:list")).status_code, 200)

    def test_reset_by_email_is_off_unless_configured(self) -> None:
        self.assertEqual(Client().get(reverse("account_reset_password")).status_code, 404)

    @override_settings(HAVEN_PASSWORD_RESET="email")
    def test_a_confirmed_work_email_receives_a_reset_that_still_needs_the_code(self) -> None:
        client = Client()
        sign_in(client, self.user)
        client.post(reverse("accounts:work_email"), {"email": "Worker@Example.org"})
        self.assertEqual(len(mail.outbox), 1)
        self.assertFalse(actions.has_verified_email(self.user, "worker@example.org"))
        confirm = link_in(mail.outbox[0].body)
        self.assertContains(Client().get(confirm), "worker@example.org")
        Client().post(confirm)
        self.assertTrue(actions.has_verified_email(self.user, "worker@example.org"))

        Client().post(reverse("account_reset_password"), {"email": "worker@example.org"})
        self.assertEqual(len(mail.outbox), 2)
        visitor = Client()
        form_page = visitor.get(link_in(mail.outbox[1].body), follow=True)
        new = "a reset long passphrase"
        done = visitor.post(form_page.redirect_chain[-1][0], {"password1": new, "password2": new})
        self.assertEqual(done.status_code, 302)
        self.assertTrue(User.objects.get(pk=self.user.pk).check_password(new))
        # The reset signs nobody in: the second step is still asked.
        self.assertEqual(visitor.get(reverse("core:home")).status_code, 302)
        self.assertEqual(password_step(visitor, self.user.username, new), CODE)

    @override_settings(HAVEN_PASSWORD_RESET="email")
    def test_reset_by_email_goes_to_verified_work_addresses_only(self) -> None:
        EmailAddress.objects.create(
            user=self.user, email="worker@example.org", verified=True, primary=True
        )
        other = self.world.user("A", Role.SCREENER)
        EmailAddress.objects.create(
            user=other, email="unverified@example.org", verified=False, primary=True
        )
        Client().post(reverse("account_reset_password"), {"email": "unverified@example.org"})
        self.assertEqual(len(mail.outbox), 0)
        Client().post(reverse("account_reset_password"), {"email": "worker@example.org"})
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("/accounts/password/reset/key/", mail.outbox[0].body)
