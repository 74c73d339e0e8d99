"""The REST API (haven.api): tokens and their rules called directly, then every operation
as every role of both organisations, the audit of identity reads, bad input, rate limits
and the OpenAPI document."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from haven.accounts.models import User
from haven.accounts.roles import Role
from haven.api import tokens
from haven.api.models import ApiScope, ApiToken, TokenKind
from haven.audit.models import Action, AuditEntry
from haven.core.errors import RefusedError
from haven.referrals.models import ReferralStatus
from haven.screening import engine
from haven.screening.models import Screening, ScreeningStatus
from tests.personas import READY, HavenTestCase, World

API = "/api/v1"
ANSWERS = {
    "act_recruited_by_someone": "yes",
    "deceived_nature_of_job": "yes",
    "debt_bondage_at_destination": "yes",
    "excessive_working_hours": "no",
}
PROFILE = {
    "age_at_events": 30,
    "possibly_child": False,
    "exploitation": ["labour"],
    "interview_language": "en",
}


def bearer(secret: str, **headers: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}", **headers}


def token_for(user: User, scopes: list[str] | None = None) -> str:
    """A token with `scopes`, or with everything the user's roles allow."""
    wanted = tokens.grantable_scopes(user) if scopes is None else scopes
    return tokens.create_personal(user, name="test", scopes=wanted, days=30)[1]


class TokenRuleTests(HavenTestCase):
    """The rules of haven.api.tokens, called directly as the pages and API do."""

    def test_a_token_is_shown_once_and_kept_only_as_a_digest(self) -> None:
        worker = self.world.user("A", Role.CASE_WORKER)
        token, secret = tokens.create_personal(
            worker, name="dashboard", scopes=[ApiScope.CASES_READ], days=30
        )
        stored = ApiToken.objects.get(pk=token.pk)
        self.assertTrue(secret.startswith(f"hvn_{stored.prefix}_"))
        self.assertNotIn(
            secret.split("_")[-1], json.dumps(list(ApiToken.objects.values()), default=str)
        )
        self.assertEqual(tokens.authenticate(secret), stored)
        self.assertIsNone(tokens.authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")))
        entry = AuditEntry.objects.filter(action=Action.API_TOKEN_CREATE).latest("seq")
        self.assertEqual(entry.object_ref, stored.prefix)

    def test_scopes_never_widen_the_roles(self) -> None:
        screener = self.world.user("A", Role.SCREENER)
        before = ApiToken.objects.count()
        with self.assertRaises(RefusedError):
            tokens.create_personal(screener, name="x", scopes=[ApiScope.STATISTICS_READ], days=30)
        with self.assertRaises(RefusedError):
            tokens.create_personal(screener, name="x", scopes=[], days=30)
        for days in (0, tokens.PERSONAL_MAX_DAYS + 1):
            with self.assertRaises(RefusedError):
                tokens.create_personal(
                    screener, name="x", scopes=[ApiScope.SCREENINGS_READ], days=days
                )
        with self.assertRaises(RefusedError):
            tokens.create_personal(screener, name="  ", scopes=[ApiScope.SCREENINGS_READ], days=3)
        self.assertEqual(ApiToken.objects.count(), before)

    def test_a_holder_has_at_most_ten_active_tokens(self) -> None:
        screener = self.world.user("A", Role.SCREENER)
        for _n in range(tokens.MAX_ACTIVE_PER_USER):
            token_for(screener)
        with self.assertRaises(RefusedError):
            token_for(screener)

    def test_only_an_organisation_admin_makes_a_service_token(self) -> None:
        for role in Role:
            user = self.world.user("A", role)
            if role == Role.ORG_ADMIN:
                token, _secret = tokens.create_service(user, name="national dashboard", days=365)
                self.assertEqual(token.kind, TokenKind.SERVICE)
                self.assertIsNone(token.user)
                self.assertEqual(token.scopes, [ApiScope.STATISTICS_READ])
                self.assertTrue(tokens.scope_works(token, ApiScope.STATISTICS_READ))
            else:
                with self.subTest(role=role.value), self.assertRaises(PermissionDenied):
                    tokens.create_service(user, name="x", days=30)

    def test_holder_or_organisation_admin_revokes_no_one_else(self) -> None:
        worker = self.world.user("A", Role.CASE_WORKER)
        for revoker in (
            self.world.user("A", Role.SUPERVISOR),
            self.world.user("B", Role.ORG_ADMIN),
            self.world.user("B", Role.CASE_WORKER),
        ):
            token, _secret = tokens.create_personal(
                worker, name="x", scopes=[ApiScope.CASES_READ], days=3
            )
            with self.subTest(revoker=revoker.username), self.assertRaises(PermissionDenied):
                tokens.revoke(revoker, token)
            self.assertIsNone(ApiToken.objects.get(pk=token.pk).revoked_at)
        for revoker in (worker, self.world.user("A", Role.ORG_ADMIN)):
            token, secret = tokens.create_personal(
                worker, name="x", scopes=[ApiScope.CASES_READ], days=3
            )
            tokens.revoke(revoker, token)
            self.assertIsNone(tokens.authenticate(secret))
            with self.assertRaises(RefusedError):
                tokens.revoke(revoker, token)
        self.assertTrue(AuditEntry.objects.filter(action=Action.API_TOKEN_REVOKE).exists())

    def test_expired_tokens_and_deactivated_holders_stop_working(self) -> None:
        worker = self.world.user("A", Role.CASE_WORKER)
        token, secret = tokens.create_personal(
            worker, name="x", scopes=[ApiScope.CASES_READ], days=3
        )
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
        self.assertIsNone(tokens.authenticate(secret))
        _token, secret = tokens.create_personal(
            worker, name="x", scopes=[ApiScope.CASES_READ], days=3
        )
        User.objects.filter(pk=worker.pk).update(is_active=False)
        self.assertIsNone(tokens.authenticate(secret))

    def test_a_scope_stops_working_when_the_role_is_taken_away(self) -> None:
        worker = self.world.user("A", Role.CASE_WORKER)
        _token, secret = tokens.create_personal(
            worker, name="x", scopes=[ApiScope.CASES_READ], days=3
        )
        User.objects.filter(pk=worker.pk).update(roles=[Role.TRANSLATOR.value])
        found = tokens.authenticate(secret)
        assert found is not None
        self.assertFalse(tokens.scope_works(found, ApiScope.CASES_READ))
        response = Client().get(f"{API}/cases/", **bearer(secret))
        self.assertEqual(response.status_code, 403)


@dataclass(frozen=True)
class Operation:
    method: str
    path: Callable[[World], str]
    scope: ApiScope
    # Roles (of organisation A) whose call succeeds, and with what status.
    allowed: dict[Role, int]
    body: Callable[[World], dict[str, Any]] | None = None
    record_bound: bool = True  # organisation B's allowed roles get 404
    listing: bool = False  # B's allowed roles get 200 without A's records


VIEWERS = (Role.SCREENER, Role.CASE_WORKER, Role.SUPERVISOR, Role.DETERMINATION_OFFICER)
CASE_TEAM = (Role.CASE_WORKER, Role.SUPERVISOR, Role.DETERMINATION_OFFICER)
# The fixture's person, case and screening of A were recorded by A's screener and case
# worker: those roles' OWN and ASSIGNED scopes reach them.
PERSON_VIEWERS = dict.fromkeys(VIEWERS, 200)


def _ref(kind: str) -> Callable[[World], str]:
    return lambda world: getattr(world, kind)["A"].reference


OPERATIONS: dict[str, Operation] = {
    "people list": Operation(
        "GET", lambda w: f"{API}/people/", ApiScope.PEOPLE_READ, PERSON_VIEWERS, listing=True
    ),
    "person": Operation(
        "GET",
        lambda w: f"{API}/people/{_ref('people')(w)}",
        ApiScope.PEOPLE_READ,
        PERSON_VIEWERS,
    ),
    "identity": Operation(
        "GET",
        lambda w: f"{API}/people/{_ref('people')(w)}/identity",
        ApiScope.PEOPLE_IDENTITY,
        PERSON_VIEWERS,
    ),
    "cases list": Operation(
        "GET",
        lambda w: f"{API}/cases/",
        ApiScope.CASES_READ,
        dict.fromkeys(CASE_TEAM, 200),
        listing=True,
    ),
    "case": Operation(
        "GET",
        lambda w: f"{API}/cases/{_ref('cases')(w)}",
        ApiScope.CASES_READ,
        dict.fromkeys(CASE_TEAM, 200),
    ),
    "screenings list": Operation(
        "GET",
        lambda w: f"{API}/screenings/",
        ApiScope.SCREENINGS_READ,
        # Hotline operators see the quick screenings they started themselves (none here).
        {**dict.fromkeys(VIEWERS, 200), Role.HOTLINE_OPERATOR: 200},
        listing=True,
    ),
    "screening": Operation(
        "GET",
        lambda w: f"{API}/screenings/{_ref('screenings')(w)}",
        ApiScope.SCREENINGS_READ,
        {**dict.fromkeys(VIEWERS, 200), Role.HOTLINE_OPERATOR: 404},  # the screener's own
    ),
    "submit": Operation(
        "POST",
        lambda w: f"{API}/screenings/",
        ApiScope.SCREENINGS_WRITE,
        dict.fromkeys(
            (Role.SCREENER, Role.CASE_WORKER, Role.SUPERVISOR, Role.HOTLINE_OPERATOR), 201
        ),
        body=lambda w: {"readiness": READY, "profile": PROFILE, "answers": ANSWERS},
        record_bound=False,
    ),
    "complete (stale)": Operation(
        "POST",
        lambda w: f"{API}/screenings/{_ref('screenings')(w)}/complete",
        ApiScope.SCREENINGS_WRITE,
        {
            **dict.fromkeys((Role.SCREENER, Role.CASE_WORKER, Role.SUPERVISOR), 409),
            Role.HOTLINE_OPERATOR: 404,  # not a screening of theirs
        },
        body=lambda w: {"judgement": "not_indicated", "reason": "r", "version": 999},
    ),
    "incoming": Operation(
        "GET",
        lambda w: f"{API}/referrals/incoming",
        ApiScope.REFERRALS_READ,
        dict.fromkeys((Role.CASE_WORKER, Role.SUPERVISOR), 200),
        listing=True,
    ),
    "outgoing": Operation(
        "GET",
        lambda w: f"{API}/referrals/outgoing",
        ApiScope.REFERRALS_READ,
        dict.fromkeys((Role.CASE_WORKER, Role.SUPERVISOR), 200),
        listing=True,
    ),
    # A's referral goes to B's service: the record is B's to answer, so here B's
    # receivers succeed (409: stale version) and A's answer 404.
    "respond (stale)": Operation(
        "POST",
        lambda w: f"{API}/referrals/incoming/{w.referrals['A'].reference}/respond",
        ApiScope.REFERRALS_RESPOND,
        dict.fromkeys((Role.CASE_WORKER, Role.SUPERVISOR), 409),
        body=lambda w: {"accept": True, "reason": "", "version": 999},
    ),
    "complete referral (stale)": Operation(
        "POST",
        lambda w: f"{API}/referrals/incoming/{w.referrals['A'].reference}/complete",
        ApiScope.REFERRALS_RESPOND,
        dict.fromkeys((Role.CASE_WORKER, Role.SUPERVISOR), 409),
        body=lambda w: {"helped": True, "outcome": "", "version": 999},
    ),
    "statistics": Operation(
        "GET",
        lambda w: f"{API}/statistics/",
        ApiScope.STATISTICS_READ,
        dict.fromkeys((Role.ANALYST, Role.SUPERVISOR, Role.COORDINATOR), 200),
        record_bound=False,
    ),
}
A_REFERENCES = ("people", "cases", "screenings")


class TokenPageTests(HavenTestCase):
    """The page: its forms call the token actions; what it adds is showing a secret once."""

    def _page(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def test_a_token_made_on_the_page_is_shown_once_and_a_resent_form_makes_nothing(self) -> None:
        user = self.world.user("A", Role.CASE_WORKER)
        client = self._page(user)
        form = {
            "personal": "1",
            "name": "Shelter board",
            "scopes": [ApiScope.CASES_READ],
            "days": "30",
            "once": "n1",
        }
        made = client.post("/api/tokens/", form)
        self.assertEqual(made.status_code, 201)
        secret = made.context["made"]["secret"]
        self.assertIsNotNone(tokens.authenticate(secret))
        self.assertEqual(made["Cache-Control"].count("no-store"), 1)
        again = client.post("/api/tokens/", form)
        self.assertRedirects(again, "/api/tokens/")
        self.assertEqual(ApiToken.objects.filter(user=user).count(), 1)
        self.assertNotIn(secret, client.get("/api/tokens/").content.decode())

    def test_bad_input_is_refused_in_place_and_makes_nothing(self) -> None:
        user = self.world.user("A", Role.CASE_WORKER)
        client = self._page(user)
        for change in (
            {"name": ""},
            {"days": "91"},
            {"scopes": [ApiScope.STATISTICS_READ]},  # a case worker's roles do not grant it
        ):
            with self.subTest(change=change):
                form = {"personal": "1", "name": "x", "scopes": [ApiScope.CASES_READ]}
                response = client.post("/api/tokens/", {**form, "days": "30", **change})
                self.assertEqual(response.status_code, 400)
        self.assertFalse(ApiToken.objects.filter(user=user).exists())

    def test_only_an_organisation_admin_makes_a_statistics_service_token(self) -> None:
        form = {"service": "1", "service_name": "National dashboard", "service_days": "90"}
        refused = self._page(self.world.user("A", Role.ANALYST)).post("/api/tokens/", form)
        self.assertEqual(refused.status_code, 403)
        admin = self.world.user("A", Role.ORG_ADMIN)
        made = self._page(admin).post("/api/tokens/", form)
        self.assertEqual(made.status_code, 201)
        token = ApiToken.objects.get(kind=TokenKind.SERVICE)
        self.assertEqual(token.scopes, [ApiScope.STATISTICS_READ])
        self.assertIsNone(token.user)

    def test_revoking_on_the_page_stops_the_token(self) -> None:
        holder = self.world.user("A", Role.SUPERVISOR)
        secret = token_for(holder)
        token = ApiToken.objects.get(user=holder)
        admin = self._page(self.world.user("A", Role.ORG_ADMIN))
        self.assertRedirects(admin.post(f"/api/tokens/{token.prefix}/revoke/"), "/api/tokens/")
        self.assertIsNone(tokens.authenticate(secret))
        self.assertEqual(Client().get(f"{API}/cases/", **bearer(secret)).status_code, 401)


class ApiAuthorizationMatrixTests(HavenTestCase):
    """Every operation as every role of A and of B, each with a token carrying every
    scope their roles allow: the roles' answer, 403 without the capability, and 404 (or a
    listing without A's records) for organisation B."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.secrets = {
            (org, role): token_for(cls.world.user(org, role))
            for org in ("A", "B")
            for role in Role
            if tokens.grantable_scopes(cls.world.user(org, role))
        }

    def _call(self, operation: Operation, secret: str | None) -> Any:
        headers = bearer(secret) if secret else {}
        path = operation.path(self.world)
        if operation.method == "GET":
            return Client().get(path, **headers)
        body = json.dumps(operation.body(self.world) if operation.body else {})
        return Client().post(path, body, content_type="application/json", **headers)

    def _a_references(self) -> list[str]:
        return [getattr(self.world, kind)["A"].reference for kind in A_REFERENCES] + [
            self.world.referrals["A"].reference
        ]

    def test_every_operation_for_every_persona(self) -> None:
        for name, operation in OPERATIONS.items():
            for org in ("A", "B"):
                for role in Role:
                    with self.subTest(operation=name, org=org, role=role.value):
                        secret = self.secrets.get((org, role))
                        response = self._call(operation, secret)
                        self.assertNotEqual(response.status_code, 500)
                        self._check(name, operation, (org, role), secret, response)

    def _check(
        self,
        name: str,
        operation: Operation,
        persona: tuple[str, Role],
        secret: str | None,
        response: Any,
    ) -> None:
        org, role = persona
        owner = "B" if "referral" in name or name.startswith("respond") else "A"
        if secret is None:
            self.assertEqual(response.status_code, 401)
            return
        if role not in operation.allowed:
            self.assertEqual(response.status_code, 403)
            return
        if org != owner and operation.record_bound and not operation.listing:
            self.assertEqual(response.status_code, 404, response.content)
            self.assertEqual(response.json()["detail"], "Not found.")
            return
        self.assertEqual(response.status_code, operation.allowed[role], response.content)
        if org == "B" and operation.listing:
            body = response.content.decode()
            for reference in self._a_references():
                if name != "incoming":  # A's referral to B is B's to receive
                    self.assertNotIn(reference, body)

    def test_without_a_token_or_with_a_wrong_one_nothing_answers(self) -> None:
        for name, operation in OPERATIONS.items():
            for headers in ({}, bearer("hvn_0000000000_nope"), {"HTTP_AUTHORIZATION": "Basic x"}):
                with self.subTest(operation=name, headers=headers):
                    path = operation.path(self.world)
                    if operation.method == "GET":
                        response = Client().get(path, **headers)
                    else:
                        response = Client().post(
                            path, "{}", content_type="application/json", **headers
                        )
                    self.assertEqual(response.status_code, 401)
                    self.assertEqual(response["WWW-Authenticate"], "Bearer")

    def test_a_token_reaches_only_its_scopes(self) -> None:
        worker = self.world.user("A", Role.CASE_WORKER)
        secret = token_for(worker, [ApiScope.CASES_READ])
        self.assertEqual(Client().get(f"{API}/cases/", **bearer(secret)).status_code, 200)
        for path in (f"{API}/people/", f"{API}/screenings/", f"{API}/referrals/incoming"):
            with self.subTest(path=path):
                self.assertEqual(Client().get(path, **bearer(secret)).status_code, 403)
        person = self.world.people["A"].reference
        people_only = token_for(worker, [ApiScope.PEOPLE_READ])
        response = Client().get(f"{API}/people/{person}/identity", **bearer(people_only))
        self.assertEqual(response.status_code, 403)

    def test_a_service_token_reads_statistics_and_nothing_else(self) -> None:
        _token, secret = tokens.create_service(
            self.world.user("A", Role.ORG_ADMIN), name="dashboard", days=30
        )
        response = Client().get(f"{API}/statistics/", **bearer(secret))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Test organisation A", response.json()["notes"][0])
        for name, operation in OPERATIONS.items():
            if operation.scope != ApiScope.STATISTICS_READ:
                with self.subTest(operation=name):
                    self.assertEqual(self._call(operation, secret).status_code, 403)
        entry = AuditEntry.objects.filter(action=Action.STATISTICS_EXPORT).latest("seq")
        self.assertIsNone(entry.actor_id)
        self.assertEqual(entry.organisation_id, self.world.orgs["A"].pk)


class ApiBehaviourTests(HavenTestCase):
    def setUp(self) -> None:
        self.worker = self.world.user("A", Role.CASE_WORKER)
        self.secret = token_for(self.worker)

    def _post(self, path: str, body: dict[str, Any], **headers: str) -> Any:
        return Client().post(
            f"{API}{path}",
            json.dumps(body),
            content_type="application/json",
            **bearer(self.secret, **headers),
        )

    def _get(self, path: str, **headers: str) -> Any:
        return Client().get(f"{API}{path}", **bearer(self.secret, **headers))

    def test_identity_is_given_in_one_operation_and_each_read_is_audited(self) -> None:
        reference = self.world.people["A"].reference
        person = self._get(f"/people/{reference}").json()
        self.assertNotIn("full_name", person)
        self.assertNotIn("Fixture Person", json.dumps(person))
        self.assertEqual(person["cases"], [self.world.cases["A"].reference])
        reads = AuditEntry.objects.filter(action=Action.PERSON_VIEW_IDENTITY, object_ref=reference)
        before = reads.count()
        identity = self._get(f"/people/{reference}/identity").json()
        self.assertEqual(identity["full_name"], "Fixture Person A")
        self.assertEqual(reads.count(), before + 1)
        self.assertEqual(reads.latest("seq").actor_id, self.worker.pk)
        listing = self._get("/people/").content.decode()
        self.assertNotIn("Fixture Person", listing)

    def test_a_case_with_its_records_and_no_free_text(self) -> None:
        case = self.world.cases["A"]
        found = self._get(f"/cases/{case.reference}").json()
        self.assertEqual(found["person"], self.world.people["A"].reference)
        self.assertEqual(found["services"][0]["kind"], "medical")
        self.assertEqual(found["objectives"][0]["plan_type"], "Health")
        self.assertIn(self.world.screenings["A"].reference, found["screenings"])
        self.assertNotIn("Fixture case notes", json.dumps(found))
        self.assertNotIn("Fixture objective", json.dumps(found))

    def test_a_submitted_screening_gets_the_engines_suggestion_and_stays_for_the_screener(
        self,
    ) -> None:
        response = self._post(
            "/screenings/",
            {"readiness": READY, "profile": PROFILE, "answers": ANSWERS},
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        expected = engine.evaluate(PROFILE, ANSWERS, "en")
        self.assertEqual(body["outcome"], expected.outcome)
        self.assertEqual(body["ruleset"], expected.ruleset)
        self.assertEqual(body["result"]["route"]["id"], expected.route.id)
        self.assertEqual(body["status"], ScreeningStatus.IN_PROGRESS)
        screening = Screening.objects.get(reference=body["reference"])
        self.assertEqual(screening.answers, ANSWERS)
        self.assertEqual(screening.created_by, self.worker)
        # The screener completes it with their own judgement; disagreeing needs a reason.
        other = "not_indicated" if expected.outcome != "not_indicated" else "presumed_victim"
        refused = self._post(
            f"/screenings/{body['reference']}/complete",
            {"judgement": other, "reason": "", "version": body["version"]},
            HTTP_ACCEPT_LANGUAGE="th",
        )
        self.assertEqual(refused.status_code, 409)
        self.assertEqual(Screening.objects.get(pk=screening.pk).status, ScreeningStatus.IN_PROGRESS)
        done = self._post(
            f"/screenings/{body['reference']}/complete",
            {"judgement": expected.outcome, "reason": "", "version": body["version"]},
        )
        self.assertEqual(done.status_code, 200, done.content)
        self.assertEqual(done.json()["judgement"], expected.outcome)
        self.assertEqual(done.json()["status"], ScreeningStatus.COMPLETED)

    def test_a_token_call_needs_no_csrf_token_and_a_session_reaches_nothing(self) -> None:
        # Other systems send a token, not a cookie: Django's CSRF check does not apply,
        # and a signed-in browser without the token is refused (no cross-site writes).
        strict = Client(enforce_csrf_checks=True)
        body = {"readiness": READY, "profile": PROFILE, "answers": ANSWERS}
        made = strict.post(
            f"{API}/screenings/", body, content_type="application/json", **bearer(self.secret)
        )
        self.assertEqual(made.status_code, 201, made.content)
        strict.force_login(self.world.user("A", Role.SUPERVISOR))
        refused = strict.post(f"{API}/screenings/", body, content_type="application/json")
        self.assertEqual(refused.status_code, 401)

    def test_bad_screenings_are_refused_field_by_field_and_change_nothing(self) -> None:
        before = Screening.objects.count()
        cases = {
            "answers.debt_bondage_at_destination": {
                "answers": {"debt_bondage_at_destination": "maybe"}
            },
            "answers.not_a_question": {"answers": {"not_a_question": "yes"}},
            "readiness.rights_explained": {"readiness": {**READY, "rights_explained": False}},
            "profile.age_at_events": {"profile": {**PROFILE, "age_at_events": 400}},
        }
        for field_name, change in cases.items():
            with self.subTest(field=field_name):
                body = {"readiness": READY, "profile": PROFILE, "answers": {}, **change}
                response = self._post("/screenings/", body)
                self.assertEqual(response.status_code, 422, response.content)
                fields = [e["field"] for e in response.json()["errors"]]
                self.assertTrue(any(f.startswith(field_name) for f in fields), fields)
        # Another organisation's person is out of reach, as any record is: 404.
        body = {"readiness": READY, "profile": PROFILE, "person": self.world.people["B"].reference}
        self.assertEqual(self._post("/screenings/", body).status_code, 404)
        self.assertEqual(Screening.objects.count(), before)
        malformed = Client().post(
            f"{API}/screenings/",
            "{not json",
            content_type="application/json",
            **bearer(self.secret),
        )
        self.assertEqual(malformed.status_code, 400)
        self.assertEqual(Screening.objects.count(), before)

    def test_a_receiver_answers_a_referral_once(self) -> None:
        receiver = self.world.user("B", Role.CASE_WORKER)
        secret = token_for(receiver)
        referral = self.world.referrals["A"]
        headers = bearer(secret)
        path = f"{API}/referrals/incoming/{referral.reference}/respond"
        body = {"accept": False, "reason": "", "version": referral.version}
        refused = Client().post(path, json.dumps(body), content_type="application/json", **headers)
        self.assertEqual(refused.status_code, 409)
        body["accept"] = True
        answered = Client().post(path, json.dumps(body), content_type="application/json", **headers)
        self.assertEqual(answered.status_code, 200, answered.content)
        self.assertEqual(answered.json()["status"], ReferralStatus.ACCEPTED)
        again = Client().post(path, json.dumps(body), content_type="application/json", **headers)
        self.assertEqual(again.status_code, 409)

    def test_statistics_refuse_bad_periods(self) -> None:
        secret = token_for(self.world.user("A", Role.ANALYST))
        for query in ("start=2026-13", "start=soon", "start=2026-05&end=2026-01", "region=ZZ"):
            with self.subTest(query=query):
                response = Client().get(f"{API}/statistics/?{query}", **bearer(secret))
                self.assertEqual(response.status_code, 422)
        response = Client().get(f"{API}/statistics/?start=2026-01&end=2026-12", **bearer(secret))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.json()["tables"])

    def test_lists_are_paged_in_a_fixed_number_of_queries(self) -> None:
        self._get("/cases/")  # warm the caches of the first call
        with self.assertNumQueries(9):
            response = self._get("/cases/?page=1")
        self.assertEqual(response.json()["count"], 1)

    @override_settings(HAVEN_API_RATE=3)
    def test_calls_beyond_the_rate_are_refused_with_a_time_to_wait(self) -> None:
        answers = [self._get("/cases/").status_code for _n in range(4)]
        self.assertEqual(answers, [200, 200, 200, 429])
        response = self._get("/cases/")
        self.assertEqual(response.status_code, 429)
        self.assertGreaterEqual(int(response["Retry-After"]), 1)

    def test_refusals_are_in_the_callers_language(self) -> None:
        response = self._get("/cases/NOPE", HTTP_ACCEPT_LANGUAGE="km")
        self.assertEqual(response.status_code, 404)
        self.assertNotEqual(response.json()["detail"], "Not found.")


class DirectoryApiTests(HavenTestCase):
    def test_a_search_with_a_nul_character_or_too_long_is_refused_not_a_server_error(self) -> None:
        # Schemathesis found it on PostgreSQL, whose text cannot hold NUL: 500, not 422.
        for query in ("area=%00", "kind=a%00b", f"country={'x' * 201}"):
            with self.subTest(query=query):
                response = Client().get(f"{API}/directory/services?{query}")
                self.assertEqual(response.status_code, 422)

    def test_the_public_directory_needs_no_token_and_hides_private_providers(self) -> None:
        response = Client().get(f"{API}/directory/services?country=th")
        self.assertEqual(response.status_code, 200)
        names = {item["provider"]["name"] for item in response.json()["items"]}
        self.assertEqual(names, {"Fixture shelter A", "Fixture shelter B"})
        hidden = self.world.providers["A"]
        hidden.public = False
        hidden.save()
        response = Client().get(f"{API}/directory/services")
        self.assertNotIn("Fixture shelter A", response.content.decode())
        service = self.world.services_listed["A"]
        self.assertEqual(Client().get(f"{API}/directory/services/{service.pk}").status_code, 404)

    @override_settings(HAVEN_API_PUBLIC_RATE=2)
    def test_anonymous_callers_are_rate_limited_by_address(self) -> None:
        answers = [Client().get(f"{API}/directory/services").status_code for _n in range(3)]
        self.assertEqual(answers, [200, 200, 429])


class OpenApiDocumentTests(HavenTestCase):
    def test_haven_api_schema_prints_the_openapi_document(self) -> None:
        out = StringIO()
        call_command("api", "schema", stdout=out)
        document = json.loads(out.getvalue())
        self.assertTrue(document["openapi"].startswith("3."))
        paths = set(document["paths"])
        for path in (
            "/api/v1/people/{reference}/identity",
            "/api/v1/screenings/",
            "/api/v1/statistics/",
        ):
            self.assertIn(path, paths)
        self.assertIn("TokenAuth", document["components"]["securitySchemes"])

    def test_the_documentation_page_loads_nothing_from_elsewhere(self) -> None:
        response = Client().get(f"{API}/docs")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("/static/ninja/swagger-ui-bundle.js", html)
        self.assertNotIn("https://", html.replace('"https://', ""))
        self.assertNotIn("cdn", html.lower())

    def test_no_token_secret_or_identity_reaches_the_logs(self) -> None:
        worker = self.world.user("A", Role.CASE_WORKER)
        secret = token_for(worker)
        with self.assertLogs("django", level="DEBUG") as logs:
            Client().get(f"{API}/people/NOPE/identity", **bearer(secret))
            Client().get(
                f"{API}/people/{self.world.people['A'].reference}/identity", **bearer(secret)
            )
            logging.getLogger("django").debug("end")
        text = "\n".join(logs.output)
        self.assertNotIn(secret, text)
        self.assertNotIn("Fixture Person", text)
