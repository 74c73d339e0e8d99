"""The move to django-allauth keeps every enrolled authenticator and every lockout.

Migrates the accounts app back to before the move, makes accounts the old way (secret
on the user row, a lockout in `locked_until`), migrates forward, and signs in with the
same authenticator: nobody enrols again.
"""

from __future__ import annotations

import datetime as dt

import pyotp
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, TransactionTestCase
from django.urls import reverse

from haven.accounts import lockout
from haven.accounts.actions import authenticator_secret
from haven.accounts.models import User
from haven.audit.models import AuditEntry
from tests import app_role
from tests.personas import PASSWORD

BEFORE = [("accounts", "0002_organisation_jurisdiction")]


class SecondFactorMigrationTests(TransactionTestCase):
    owner = app_role.as_owner()

    @classmethod
    def setUpClass(cls) -> None:
        cls.owner.__enter__()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        cls.owner.__exit__(None, None, None)

    def migrate(self, targets: list[tuple[str, str]]) -> MigrationExecutor:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor

    def test_enrolled_secrets_and_lockouts_survive_the_move(self) -> None:
        executor = self.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        organisation = old.get_model("accounts", "Organisation").objects.create(
            name="Old organisation", org_type="NGO", country="KH"
        )
        OldUser = old.get_model("accounts", "User")
        secret = pyotp.random_base32()
        common = {"organisation": organisation, "password": make_password(PASSWORD)}
        OldUser.objects.create(
            username="old-timer",
            roles=["case_worker"],
            totp_secret=secret,
            totp_confirmed=True,
            **common,
        )
        OldUser.objects.create(
            username="locked-one",
            roles=["screener"],
            totp_secret=pyotp.random_base32(),
            totp_confirmed=True,
            locked_until=dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=10),
            **common,
        )
        OldUser.objects.create(username="never-enrolled", roles=["screener"], **common)
        audit_rows = AuditEntry.objects.count()

        self.migrate(executor.loader.graph.leaf_nodes())

        user = User.objects.get(username="old-timer")
        self.assertEqual(authenticator_secret(user), secret)
        client = Client()
        client.post(reverse("account_login"), {"login": "old-timer", "password": PASSWORD})
        response = client.post(reverse("mfa_authenticate"), {"code": pyotp.TOTP(secret).now()})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(client.get(reverse("core:home")).status_code, 200)

        self.assertEqual(lockout.locked_usernames(["locked-one"]), {"locked-one"})
        self.assertEqual(authenticator_secret(User.objects.get(username="never-enrolled")), "")
        newcomer = Client()
        newcomer.post(reverse("account_login"), {"login": "never-enrolled", "password": PASSWORD})
        self.assertEqual(newcomer.get(reverse("accounts:enrol")).status_code, 200)
        # The sign-in rows written before the move are still there, none rewritten.
        self.assertGreaterEqual(AuditEntry.objects.count(), audit_rows)
