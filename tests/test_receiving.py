"""The receiving side of a referral: who is told, who routes, and the case it opens.

Organisation A's case refers the person to B's service (`world.referrals["A"]`), sharing
identity and contact details under a live consent.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from haven.accounts.roles import Role
from haven.audit.models import Action, AuditEntry
from haven.cases.models import Case, NoticeKind, Notification
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.people.models import Person
from haven.referrals import actions, receiving
from haven.referrals.models import Referral, ReferralStatus
from tests.helpers import home_section
from tests.personas import HavenTestCase


class ReceivingTests(HavenTestCase):
    def setUp(self) -> None:
        self.referral = self.world.referrals["A"]
        self.b_worker = self.world.user("B", Role.CASE_WORKER)
        self.b_coordinator = self.world.user("B", Role.COORDINATOR)

    def told(self, kind: str) -> set[str]:
        return set(
            Notification.objects.filter(referral=self.referral, kind=kind).values_list(
                "user__username", flat=True
            )
        )

    def accept(self) -> None:
        actions.respond(
            self.b_worker,
            self.referral,
            accept=True,
            reason="",
            expected_version=self.referral.version,
        )

    # --- who is told ------------------------------------------------------------------

    def test_an_incoming_referral_tells_those_who_answer_or_route_it(self) -> None:
        self.assertEqual(
            self.told(NoticeKind.REFERRAL_RECEIVED),
            {"b-case_worker", "b-supervisor", "b-coordinator"},
        )

    def test_revocation_and_withdrawal_tell_the_recipient(self) -> None:
        actions.withdraw_consent(self.world.user("A", Role.CASE_WORKER), self.world.consents["A"])
        self.assertIn("b-case_worker", self.told(NoticeKind.CONSENT_WITHDRAWN))
        actions.revoke(
            self.world.user("A", Role.CASE_WORKER),
            self.referral,
            expected_version=self.referral.version,
        )
        self.assertEqual(
            self.told(NoticeKind.REFERRAL_REVOKED),
            {"b-case_worker", "b-supervisor", "b-coordinator"},
        )

    def test_home_pages_keep_incoming_and_outgoing_apart(self) -> None:
        Referral.objects.filter(pk=self.referral.pk).update(
            sent_at=timezone.now() - dt.timedelta(days=30)
        )
        sender = self.client_for("A", Role.CASE_WORKER).get(reverse("core:home"))
        incoming, outgoing = home_section(sender, "incoming"), home_section(sender, "outgoing")
        self.assertIn("Your referrals without an answer", outgoing)
        self.assertIn(self.referral.reference, outgoing)
        self.assertNotIn(self.referral.reference, incoming)
        self.assertIn(self.world.referrals["B"].reference, incoming)
        receiver = self.client_for("B", Role.COORDINATOR).get(reverse("core:home"))
        self.assertContains(receiver, "1 incoming referral waits for an answer")
        self.assertContains(receiver, self.referral.reference)
        self.assertContains(receiver, "New incoming referral")
        self.assertNotContains(receiver, "Fixture Person A")

    # --- routing ----------------------------------------------------------------------

    def test_a_coordinator_routes_without_reading_the_packet(self) -> None:
        client = self.client_for("B", Role.COORDINATOR)
        listing = client.get(reverse("referrals:incoming"))
        self.assertContains(listing, self.referral.reference)
        self.assertNotContains(listing, "Fixture request")
        packet = client.get(reverse("referrals:packet", args=[self.referral.reference]))
        self.assertEqual(packet.status_code, 403)
        receiving.route(
            self.b_coordinator,
            self.referral,
            self.b_worker,
            expected_version=self.referral.version,
        )
        self.assertEqual(self.referral.handled_by, self.b_worker)
        self.assertEqual(self.told(NoticeKind.REFERRAL_ROUTED), {"b-case_worker"})
        self.assertTrue(
            AuditEntry.objects.filter(
                action=Action.REFERRAL_ROUTE, object_ref=self.referral.reference
            ).exists()
        )

    def test_routing_refuses_the_wrong_people(self) -> None:
        version = self.referral.version
        with self.assertRaises(RefusedError):  # a case worker does not route
            receiving.route(self.b_worker, self.referral, self.b_worker, expected_version=version)
        with self.assertRaises(RefusedError):  # the sender's side does not route
            receiving.route(
                self.world.user("A", Role.COORDINATOR),
                self.referral,
                self.world.user("A", Role.CASE_WORKER),
                expected_version=version,
            )
        for colleague in (self.world.user("A", Role.CASE_WORKER), self.b_coordinator):
            with self.assertRaises(RefusedError):  # not of B, or cannot answer referrals
                receiving.route(
                    self.b_coordinator, self.referral, colleague, expected_version=version
                )
        with self.assertRaises(ConcurrentEditError):
            receiving.route(
                self.b_coordinator, self.referral, self.b_worker, expected_version=version + 1
            )
        self.referral.refresh_from_db()
        self.assertIsNone(self.referral.handled_by)

    # --- the case at the receiving end -------------------------------------------------

    def test_an_accepted_referral_opens_a_case_pre_filled_under_live_consent(self) -> None:
        client = self.client_for("B", Role.CASE_WORKER)
        url = f"{reverse('people:create')}?referral={self.referral.reference}"
        not_yet = client.get(url, follow=True)
        self.assertContains(not_yet, "only for an accepted referral")
        self.accept()
        form = client.get(url)
        self.assertContains(form, 'value="Fixture Person A"')
        response = client.post(
            reverse("people:create"),
            {
                "referral": self.referral.reference,
                "full_name": "Fixture Person A",
                "gender": "Feminine",
                "citizenship": ["TH"],
                "languages": ["th"],
                "doc-TOTAL_FORMS": "0",
                "doc-INITIAL_FORMS": "0",
            },
        )
        self.referral.refresh_from_db()
        case = self.referral.receiver_case
        self.assertIsNotNone(case)
        assert case is not None
        self.assertRedirects(response, reverse("cases:detail", args=[case.reference]))
        self.assertEqual(case.organisation, self.world.orgs["B"])
        self.assertEqual(case.assigned_to, self.b_worker)
        self.assertEqual(case.person.organisation, self.world.orgs["B"])
        self.assertEqual(case.summary, "Fixture request")
        with self.assertRaises(RefusedError):
            receiving.open_case(self.b_worker, self.referral, case.person)

    def test_what_is_not_consented_is_not_pre_filled(self) -> None:
        self.accept()
        actions.withdraw_consent(self.world.user("A", Role.CASE_WORKER), self.world.consents["A"])
        self.assertEqual(
            receiving.prefill(
                self.referral, actions.visible_categories(self.referral, timezone.now())
            ),
            {},
        )

    def test_a_known_person_joins_their_active_case(self) -> None:
        self.accept()
        person = self.world.people["B"]
        case, opened = receiving.open_case(
            self.world.user("B", Role.SUPERVISOR), self.referral, person
        )
        self.assertFalse(opened)
        self.assertEqual(case, self.world.cases["B"])
        self.assertEqual(Case.objects.filter(person=person).count(), 1)

    def test_open_case_refuses_the_wrong_side_and_state(self) -> None:
        person_a = self.world.people["A"]
        with self.assertRaises(RefusedError):  # not accepted yet
            receiving.open_case(self.b_worker, self.referral, self.world.people["B"])
        self.accept()
        with self.assertRaises(RefusedError):  # the sender cannot take its own referral on
            receiving.open_case(self.world.user("A", Role.CASE_WORKER), self.referral, person_a)
        with self.assertRaises(RefusedError):  # a person of another organisation
            receiving.open_case(self.b_worker, self.referral, person_a)
        with self.assertRaises(RefusedError):  # a coordinator routes, and does not open cases
            receiving.open_case(self.b_coordinator, self.referral, self.world.people["B"])
        self.referral.refresh_from_db()
        self.assertIsNone(self.referral.receiver_case)
        self.assertEqual(self.referral.status, ReferralStatus.ACCEPTED)
        self.assertFalse(
            Person.objects.filter(organisation=self.world.orgs["B"])
            .exclude(pk=self.world.people["B"].pk)
            .exists()
        )
