"""Emergency sharing needs two people (issue 12, part 5).

A case worker asks; nothing opens until a supervisor approves, or, where the case's
jurisdiction profile allows it and no supervisor can be reached, a second case worker
(and the supervisors are told at once). Only identity, contact details and health go, for
the hours asked; to law enforcement or immigration only for an imminent threat to life.
Every refusal says why in the user's language and changes nothing. The rules are the
actions' (called directly here); the pages only call them.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pyotp
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from haven.accounts.actions import create_user, ensure_organisation
from haven.accounts.models import OrganisationType, User
from haven.accounts.roles import Role
from haven.audit.models import Action, AuditEntry
from haven.cases.models import Case, NoticeKind, Notification
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.directory.models import DirectoryService, Provider
from haven.referrals import actions
from haven.referrals.models import (
    ApprovedAs,
    OverrideGround,
    OverrideRequest,
    OverrideStatus,
    Referral,
)
from haven.rights.actions import set_retention_policy
from haven.rights.models import RetentionOutcome
from haven.rights.retention import apply_retention
from tests.closed_cases import close
from tests.personas import PASSWORD, HavenTestCase, consent_data

G = OverrideGround
REASON = "Recruiter at the door tonight"
NAME_A = "Fixture Person A"
LATER = timezone.localdate() + dt.timedelta(days=366 * 3)


class EmergencySharingTests(HavenTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        world = cls.world
        # A health service in Haven (not enforcement), with consent to send it contact
        # details, so that a referral to it exists; A's fixture referral goes to B, police.
        clinic_org, _made = ensure_organisation(
            actor=None,
            name="Test clinic C",
            org_type=OrganisationType.HEALTH_SERVICE,
            country="TH",
        )
        clinic = Provider.objects.create(
            name="Clinic C",
            organisation=clinic_org,
            org_type=clinic_org.org_type,
            country="TH",
        )
        service = DirectoryService.objects.create(
            provider=clinic, kind="medical", description="Clinic"
        )
        worker = world.user("A", Role.CASE_WORKER)
        case = world.cases["A"]
        actions.record_consent(worker, case, consent_data(clinic, categories=["contact"]))
        cls.clinic_referral = actions.send_referral(
            worker,
            case,
            service,
            purpose="assistance",
            reason="AdditionalServicesRequired",
            details="Needs care",
            categories=["contact"],
            channel="haven",
        )
        cls.colleague = create_user(
            actor=None,
            organisation_id=world.orgs["A"].pk,
            username="a-second-case-worker",
            password=PASSWORD,
            roles=[Role.CASE_WORKER.value],
            totp_secret=pyotp.random_base32(),
        )

    def setUp(self) -> None:
        self.worker = self.world.user("A", Role.CASE_WORKER)
        self.supervisor = self.world.user("A", Role.SUPERVISOR)
        self.police_referral = Referral.objects.get(pk=self.world.referrals["A"].pk)
        self.referral = Referral.objects.get(pk=self.clinic_referral.pk)

    # --- helpers ---------------------------------------------------------------------

    def ask(
        self, referral: Referral | None = None, actor: User | None = None, **changes: Any
    ) -> OverrideRequest:
        target = Referral.objects.get(pk=(referral or self.referral).pk)
        arguments: dict[str, Any] = {
            "ground": G.SERIOUS_HARM,
            "reason": REASON,
            "hours": 3,
            "categories": ["identity", "health"],
            "expected_version": target.version,
            **changes,
        }
        return actions.request_override(actor or self.worker, target, **arguments)

    def decide(self, actor: User, request: OverrideRequest, **changes: Any) -> None:
        request.refresh_from_db()
        arguments: dict[str, Any] = {
            "approve": True,
            "note": "",
            "expected_version": request.version,
            **changes,
        }
        actions.decide_override(actor, request, **arguments)

    def visible(self, referral: Referral | None = None) -> list[str]:
        fresh = Referral.objects.get(pk=(referral or self.referral).pk)
        return actions.visible_categories(fresh, timezone.now())

    def state(self) -> dict[str, Any]:
        """Everything an emergency action could change."""
        return {
            "referrals": list(Referral.objects.order_by("pk").values()),
            "requests": list(OverrideRequest.objects.order_by("pk").values()),
            "notices": Notification.objects.count(),
            "audit": AuditEntry.objects.count(),
        }

    def assert_refused(self, act: Any) -> str:
        before = self.state()
        with self.assertRaises(RefusedError) as refused:
            act()
        self.assertTrue(refused.exception.message)
        self.assertEqual(self.state(), before)
        return refused.exception.message

    def notices(self, user: User, kind: str) -> int:
        return Notification.objects.filter(user=user, kind=kind).count()

    # --- asking ----------------------------------------------------------------------

    def test_a_request_opens_nothing_and_tells_the_supervisors(self) -> None:
        before = self.visible()
        version = self.referral.version
        request = self.ask()
        self.assertEqual(request.status, OverrideStatus.PENDING)
        self.assertEqual(request.categories, ["identity", "health"])
        fresh = Referral.objects.get(pk=self.referral.pk)
        self.assertEqual(self.visible(), before)
        self.assertIsNone(fresh.override_until)
        self.assertEqual(fresh.override_categories, [])
        self.assertEqual(fresh.version, version)
        self.assertEqual(self.notices(self.supervisor, NoticeKind.OVERRIDE_REQUESTED), 1)
        self.assertEqual(self.notices(self.worker, NoticeKind.OVERRIDE_REQUESTED), 0)
        self.assertEqual(self.notices(self.colleague, NoticeKind.OVERRIDE_REQUESTED), 0)
        row = AuditEntry.objects.get(action=Action.OVERRIDE_REQUEST)
        self.assertEqual(row.object_ref, self.referral.reference)
        self.assertNotIn(REASON, json.dumps(row.changed_fields))

    def test_a_request_is_refused_without_ground_reason_categories_or_bounded_hours(
        self,
    ) -> None:
        limit = settings.HAVEN_OVERRIDE_MAX_HOURS
        for changes in (
            {"ground": ""},
            {"ground": "curiosity"},
            {"reason": "  "},
            {"hours": 0},
            {"hours": limit + 1},
            {"categories": []},
            {"categories": ["identity", "narrative"]},
            {"categories": ["legal"]},
        ):
            with self.subTest(changes=changes):
                self.assert_refused(lambda changes=changes: self.ask(**changes))

    def test_a_second_request_waits_for_the_first(self) -> None:
        self.ask()
        self.assert_refused(self.ask)

    def test_a_request_on_a_closed_referral_is_refused(self) -> None:
        actions.revoke(self.worker, self.referral, expected_version=self.referral.version)
        self.assert_refused(self.ask)

    def test_the_refusal_is_in_the_users_language(self) -> None:
        limit = settings.HAVEN_OVERRIDE_MAX_HOURS
        with translation.override("id"):
            local = self.assert_refused(lambda: self.ask(hours=limit + 1))
        with translation.override("en"):
            english = self.assert_refused(lambda: self.ask(hours=limit + 1))
        self.assertNotEqual(local, english)

    # --- law enforcement and immigration -------------------------------------------

    def test_law_enforcement_receives_only_for_an_imminent_threat_to_life(self) -> None:
        self.assertTrue(actions.goes_to_enforcement(self.police_referral))
        self.assertFalse(actions.goes_to_enforcement(self.referral))
        for ground in (G.SERIOUS_HARM, G.CHILD_AT_RISK):
            with self.subTest(ground=ground):
                self.assert_refused(
                    lambda ground=ground: self.ask(self.police_referral, ground=ground)
                )
        request = self.ask(self.police_referral, ground=G.IMMINENT_THREAT_TO_LIFE)
        self.assertEqual(request.status, OverrideStatus.PENDING)

    def test_an_immigration_service_outside_haven_counts_as_enforcement(self) -> None:
        border = Provider.objects.create(
            name="Border office", org_type=OrganisationType.IMMIGRATION, country="TH"
        )
        service = DirectoryService.objects.create(
            provider=border, kind="legal", description="Immigration desk"
        )
        actions.record_consent(
            self.worker, self.world.cases["A"], consent_data(border, categories=["contact"])
        )
        letter = actions.send_referral(
            self.worker,
            self.world.cases["A"],
            service,
            purpose="assistance",
            reason="AdditionalServicesRequired",
            details="Papers",
            categories=["contact"],
            channel="letter",
        )
        self.assertTrue(actions.goes_to_enforcement(letter))
        self.assert_refused(lambda: self.ask(letter, ground=G.CHILD_AT_RISK))

    # --- deciding --------------------------------------------------------------------

    def test_supervisor_approval_opens_only_the_named_categories_for_the_hours(self) -> None:
        # Consent covers contact only: identity and health open under the override alone.
        self.assertEqual(self.visible(), ["contact"])
        request = self.ask(categories=["identity", "health"], hours=3)
        self.decide(self.supervisor, request)
        request.refresh_from_db()
        self.assertEqual(request.status, OverrideStatus.APPROVED)
        self.assertEqual(request.approved_as, ApprovedAs.SUPERVISOR)
        self.assertEqual(request.decided_by, self.supervisor)
        fresh = Referral.objects.get(pk=self.referral.pk)
        self.assertEqual(fresh.override_categories, ["identity", "health"])
        self.assertEqual(fresh.override_reason, REASON)
        assert fresh.override_until is not None
        left = fresh.override_until - timezone.now()
        self.assertTrue(dt.timedelta(hours=2, minutes=59) < left <= dt.timedelta(hours=3))
        self.assertEqual(self.visible(), ["identity", "contact", "health"])
        self.assertNotIn("narrative", self.visible())
        self.assertEqual(self.notices(self.worker, NoticeKind.OVERRIDE_DECIDED), 1)
        # When the hours are over, only the consent's categories remain.
        Referral.objects.filter(pk=fresh.pk).update(
            override_until=timezone.now() - dt.timedelta(minutes=1)
        )
        self.assertEqual(self.visible(), ["contact"])
        rows = AuditEntry.objects.filter(object_ref=self.referral.reference)
        for row in rows:
            self.assertNotIn(REASON, json.dumps(row.changed_fields))

    def test_refusal_opens_nothing_and_says_why(self) -> None:
        request = self.ask()
        # A refusal needs its reason.
        self.assert_refused(lambda: self.decide(self.supervisor, request, approve=False))
        self.decide(self.supervisor, request, approve=False, note="Call the clinic first")
        request.refresh_from_db()
        self.assertEqual(request.status, OverrideStatus.REFUSED)
        self.assertEqual(request.decision_note, "Call the clinic first")
        self.assertEqual(request.approved_as, "")
        self.assertEqual(self.visible(), ["contact"])
        self.assertIsNone(Referral.objects.get(pk=self.referral.pk).override_until)
        self.assertEqual(self.notices(self.worker, NoticeKind.OVERRIDE_DECIDED), 1)
        # Decided once: not again.
        self.assert_refused(lambda: self.decide(self.supervisor, request))

    def test_nobody_decides_their_own_request(self) -> None:
        request = self.ask()
        self.assert_refused(lambda: self.decide(self.worker, request, note="Tried everyone"))
        own = self.ask(
            self.police_referral, actor=self.supervisor, ground=G.IMMINENT_THREAT_TO_LIFE
        )
        self.assert_refused(lambda: self.decide(self.supervisor, own))
        self.assert_refused(
            lambda: self.decide(self.supervisor, own, approve=False, note="Changed my mind")
        )

    def test_second_case_worker_approves_where_the_profile_allows_and_supervisors_are_told(
        self,
    ) -> None:
        self.assertEqual(self.world.cases["A"].jurisdiction, "generic")
        request = self.ask()
        # Approving in a supervisor's place says why no supervisor decided.
        self.assert_refused(lambda: self.decide(self.colleague, request))
        told = self.notices(self.supervisor, NoticeKind.OVERRIDE_DECIDED)
        self.decide(self.colleague, request, note="No supervisor answered the phone")
        request.refresh_from_db()
        self.assertEqual(request.status, OverrideStatus.APPROVED)
        self.assertEqual(request.approved_as, ApprovedAs.SECOND_CASE_WORKER)
        self.assertEqual(self.visible(), ["identity", "contact", "health"])
        self.assertEqual(self.notices(self.supervisor, NoticeKind.OVERRIDE_DECIDED), told + 1)
        self.assertEqual(self.notices(self.worker, NoticeKind.OVERRIDE_DECIDED), 1)

    def test_second_case_worker_cannot_refuse(self) -> None:
        request = self.ask()
        self.assert_refused(
            lambda: self.decide(self.colleague, request, approve=False, note="Not convinced")
        )
        request.refresh_from_db()
        self.assertEqual(request.status, OverrideStatus.PENDING)

    def test_second_case_worker_cannot_approve_where_the_profile_does_not_allow_it(self) -> None:
        Case.objects.filter(pk=self.world.cases["A"].pk).update(jurisdiction="nrm")
        request = self.ask()
        self.assert_refused(lambda: self.decide(self.colleague, request, note="Nobody answered"))
        # A supervisor still decides there.
        self.decide(self.supervisor, request)
        self.assertEqual(self.visible(), ["identity", "contact", "health"])

    def test_other_roles_and_another_organisation_cannot_decide(self) -> None:
        request = self.ask()
        for org, role in (
            ("A", Role.DETERMINATION_OFFICER),
            ("A", Role.ORG_ADMIN),
            ("A", Role.SCREENER),
            ("B", Role.SUPERVISOR),
            ("B", Role.CASE_WORKER),
        ):
            with self.subTest(org=org, role=role.value):
                self.assert_refused(
                    lambda org=org, role=role: self.decide(
                        self.world.user(org, role), request, note="x"
                    )
                )

    def test_another_organisations_users_find_nothing(self) -> None:
        request = self.ask()
        for role in (Role.SUPERVISOR, Role.CASE_WORKER):
            client = self.client_for("B", role)
            with self.subTest(role=role.value):
                decide = reverse("referrals:override_decide", args=[request.pk])
                self.assertEqual(client.get(decide).status_code, 404)
                posted = client.post(decide, {"decision": "approve", "version": request.version})
                self.assertEqual(posted.status_code, 404)
                withdraw = reverse("referrals:override_withdraw", args=[request.pk])
                self.assertEqual(client.post(withdraw, {"version": 1}).status_code, 404)
                queue = client.get(reverse("referrals:emergency"))
                self.assertNotContains(queue, self.referral.reference)
        request.refresh_from_db()
        self.assertEqual(request.status, OverrideStatus.PENDING)

    def test_a_stale_version_is_refused_and_changes_nothing(self) -> None:
        request = self.ask()
        seen = request.version
        self.decide(self.supervisor, request, expected_version=seen)
        second = create_user(
            actor=None,
            organisation_id=self.world.orgs["A"].pk,
            username="a-second-supervisor",
            password=PASSWORD,
            roles=[Role.SUPERVISOR.value],
            totp_secret=pyotp.random_base32(),
        )
        before = self.state()
        with self.assertRaises(ConcurrentEditError):
            actions.decide_override(
                second, request, approve=False, note="Too late", expected_version=seen
            )
        self.assertEqual(self.state(), before)
        with self.assertRaises(ConcurrentEditError):
            actions.request_override(
                self.worker,
                self.referral,
                ground=G.SERIOUS_HARM,
                reason=REASON,
                hours=1,
                categories=["health"],
                expected_version=1_000,
            )
        self.assertEqual(self.state(), before)

    def test_approval_is_refused_once_the_referral_is_revoked(self) -> None:
        request = self.ask()
        fresh = Referral.objects.get(pk=self.referral.pk)
        actions.revoke(self.worker, fresh, expected_version=fresh.version)
        self.assert_refused(lambda: self.decide(self.supervisor, request))
        self.assertEqual(self.visible(), [])

    # --- withdrawing -----------------------------------------------------------------

    def test_only_the_requester_withdraws_and_a_withdrawn_request_is_not_decided(self) -> None:
        request = self.ask()
        for other in (self.colleague, self.supervisor, self.world.user("B", Role.CASE_WORKER)):
            with self.subTest(actor=other.username):
                self.assert_refused(
                    lambda other=other: actions.withdraw_override_request(
                        other, request, expected_version=request.version
                    )
                )
        actions.withdraw_override_request(self.worker, request, expected_version=request.version)
        self.assertEqual(request.status, OverrideStatus.WITHDRAWN)
        self.assertTrue(AuditEntry.objects.filter(action=Action.OVERRIDE_WITHDRAW).exists())
        self.assert_refused(lambda: self.decide(self.supervisor, request))
        self.assertEqual(self.visible(), ["contact"])
        # Withdrawn, the referral may be asked for again.
        self.assertEqual(self.ask().status, OverrideStatus.PENDING)

    # --- pages -----------------------------------------------------------------------

    def test_the_queue_shows_the_waiting_request_without_personal_data(self) -> None:
        request = self.ask()
        page = self.client_for("A", Role.SUPERVISOR).get(reverse("referrals:emergency"))
        self.assertContains(page, self.referral.reference)
        self.assertContains(page, str(G.SERIOUS_HARM.label))
        self.assertContains(page, "Clinic C")
        self.assertContains(page, self.worker.username)
        self.assertContains(page, reverse("referrals:override_decide", args=[request.pk]))
        self.assertNotContains(page, NAME_A)
        self.assertNotContains(page, REASON)

    def test_the_queue_reads_a_fixed_number_of_queries(self) -> None:
        self.ask()
        client = self.client_for("A", Role.SUPERVISOR)
        client.get(reverse("referrals:emergency"))  # the session, once
        with CaptureQueriesContext(connection) as one:
            client.get(reverse("referrals:emergency"))
        self.ask(self.police_referral, ground=G.IMMINENT_THREAT_TO_LIFE)
        with CaptureQueriesContext(connection) as two:
            page = client.get(reverse("referrals:emergency"))
        self.assertContains(page, self.police_referral.reference)
        self.assertEqual(len(two), len(one))

    def test_the_decision_page_approves_with_the_version_it_showed(self) -> None:
        request = self.ask()
        client = self.client_for("A", Role.SUPERVISOR)
        url = reverse("referrals:override_decide", args=[request.pk])
        page = client.get(url)
        self.assertContains(page, REASON)
        stale = client.post(url, {"decision": "approve", "note": "", "version": 99})
        self.assertEqual(stale.status_code, 302)
        request.refresh_from_db()
        self.assertEqual(request.status, OverrideStatus.PENDING)
        done = client.post(url, {"decision": "approve", "note": "", "version": request.version})
        self.assertEqual(done.status_code, 302)
        request.refresh_from_db()
        self.assertEqual(request.status, OverrideStatus.APPROVED)
        for bad in ({"decision": "maybe", "version": "x"}, {}):
            with self.subTest(data=bad):
                self.assertEqual(client.post(url, bad).status_code, 302)

    def test_the_requester_sees_no_decision_buttons_on_their_own_request(self) -> None:
        request = self.ask()
        page = self.client_for("A", Role.CASE_WORKER).get(
            reverse("referrals:override_decide", args=[request.pk])
        )
        self.assertContains(page, "someone else must decide")
        self.assertNotContains(page, 'value="approve"')

    def test_the_home_page_leads_each_to_the_request(self) -> None:
        request = self.ask()
        home = self.client_for("A", Role.SUPERVISOR).get(reverse("core:home"))
        self.assertContains(home, str(NoticeKind.OVERRIDE_REQUESTED.label))
        self.assertContains(home, reverse("referrals:emergency"))
        self.decide(self.supervisor, request)
        home = self.client_for("A", Role.CASE_WORKER).get(reverse("core:home"))
        self.assertContains(home, str(NoticeKind.OVERRIDE_DECIDED.label))
        self.assertContains(home, reverse("referrals:detail", args=[self.referral.reference]))

    def test_the_nav_link_is_for_those_who_can_decide(self) -> None:
        link = reverse("referrals:emergency")
        for role, shown in (
            (Role.SUPERVISOR, True),
            (Role.CASE_WORKER, True),  # A's organisation is under the generic profile
            (Role.DETERMINATION_OFFICER, False),
            (Role.SCREENER, False),
        ):
            with self.subTest(role=role.value):
                home = self.client_for("A", role).get(reverse("core:home"))
                self.assertEqual(link in home.content.decode(), shown)
        type(self.world.orgs["A"]).objects.filter(pk=self.world.orgs["A"].pk).update(
            jurisdiction="nrm"
        )
        home = self.client_for("A", Role.CASE_WORKER).get(reverse("core:home"))
        self.assertNotContains(home, link)


class EmergencyRetentionTests(HavenTestCase):
    """The reasons given for emergency sharing are free text about the person: retention
    empties them with the case, or deletes the requests with it."""

    def setUp(self) -> None:
        worker = self.world.user("A", Role.CASE_WORKER)
        referral = Referral.objects.get(pk=self.world.referrals["A"].pk)
        self.request = actions.request_override(
            worker,
            referral,
            ground=G.IMMINENT_THREAT_TO_LIFE,
            reason=REASON,
            hours=2,
            categories=["identity"],
            expected_version=referral.version,
        )
        actions.decide_override(
            self.world.user("A", Role.SUPERVISOR),
            self.request,
            approve=False,
            note="Call the police line first",
            expected_version=self.request.version,
        )
        self.case = close(self.world)

    def _policy(self, outcome: str) -> None:
        set_retention_policy(
            self.world.user("A", Role.ORG_ADMIN), years=2, outcome=outcome, expected_version=None
        )

    def test_anonymising_empties_the_reason_and_the_note(self) -> None:
        self._policy(RetentionOutcome.ANONYMISE)
        [report] = apply_retention(today=LATER)
        self.assertEqual(report.anonymised_cases, [self.case.reference])
        self.request.refresh_from_db()
        self.assertEqual((self.request.reason, self.request.decision_note), ("", ""))
        self.assertEqual(self.request.status, OverrideStatus.REFUSED)  # the fact stays
        row = AuditEntry.objects.get(
            action=Action.RETENTION_ANONYMISE, object_ref=self.case.reference
        )
        self.assertIn("referrals.OverrideRequest.reason", row.changed_fields)

    def test_deleting_removes_the_requests_with_the_case(self) -> None:
        self._policy(RetentionOutcome.DELETE)
        [report] = apply_retention(today=LATER)
        self.assertEqual(report.failed_people, [])
        self.assertEqual(report.deleted_cases, [self.case.reference])
        self.assertFalse(OverrideRequest.objects.filter(pk=self.request.pk).exists())
