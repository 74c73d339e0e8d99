"""Identification requests across organisations: an NGO presumes, the competent authority
named in the jurisdiction profile decides, and the decision comes back to the NGO's case.

The rules are proved on the domain actions (`send_referral`, `decide_request`,
`post_message`, `change_status`); the pages are driven with the test client; the browser
test is in tests/browser/test_identification_request_flow.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from haven.accounts.actions import create_user, ensure_organisation
from haven.accounts.models import OrganisationType, User
from haven.accounts.roles import Role
from haven.assistance.models import ServiceKind
from haven.audit.models import Action, AuditEntry
from haven.cases.actions import decide_closure, request_closure
from haven.cases.choices import ClosureReason
from haven.cases.models import Case, CaseStatus, NoticeKind, Notification
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.directory.models import DirectoryService, Provider
from haven.identification import authority, jurisdictions
from haven.identification.actions import change_status, decide_request
from haven.identification.models import IdentificationChange
from haven.identification.status import DecisionOrganisation
from haven.identification.status import IdentificationStatus as S
from haven.referrals.access import incoming_for
from haven.referrals.actions import post_message, record_consent, revoke, send_referral
from haven.referrals.models import Purpose, Referral, ReferralMessage, ReferralStatus
from tests.helpers import raw_rows
from tests.identification_requests import (
    SHARED,
    authority_service,
    presumed_nrm_case,
    send_request,
)
from tests.personas import PASSWORD, HavenTestCase, consent_data

BASIS = "Fixture basis: indicators of deception and debt bondage"


def fresh(referral: Referral) -> Referral:
    return Referral.objects.get(pk=referral.pk)


def state(case: Case, request: Referral) -> dict[str, Any]:
    """What a refused action must leave as it was."""
    row = Case.objects.get(pk=case.pk)
    again = fresh(request)
    return {
        "case": (row.version, row.identification_status, row.first_decision_due),
        "request": (again.version, again.status),
        "changes": IdentificationChange.objects.filter(case=case).count(),
        "messages": ReferralMessage.objects.count(),
        "audit": AuditEntry.objects.count(),
        "notifications": Notification.objects.count(),
    }


class RequestTestCase(HavenTestCase):
    def setUp(self) -> None:
        self.case = presumed_nrm_case(self.world)
        self.ngo_worker = self.world.user("A", Role.CASE_WORKER)
        self.officer = self.world.user("B", Role.DETERMINATION_OFFICER)

    def decide(self, actor: User, request: Referral, target: str = S.FIRST_POSITIVE, **kw: Any):
        current = fresh(request)
        return decide_request(
            actor,
            current,
            target,
            decided_on=kw.pop("decided_on", timezone.localdate()),
            basis=kw.pop("basis", BASIS),
            expected_version=kw.pop("expected_version", current.version),
        )

    def assertRefused(self, run: Any, request: Referral) -> RefusedError:
        before = state(self.case, request)
        with self.assertRaises(RefusedError) as refused:
            run()
        self.assertTrue(refused.exception.message)
        self.assertEqual(state(self.case, request), before)
        return refused.exception

    def third_organisation_user(self, role: Role, org_type: str = OrganisationType.NGO) -> User:
        org, _made = ensure_organisation(
            actor=None, name="Test organisation C", org_type=org_type, country="TH"
        )
        return create_user(
            actor=None,
            organisation_id=org.pk,
            username=f"c-{role.value}",
            password=PASSWORD,
            roles=[role.value],
        )


class SendingTests(RequestTestCase):
    def test_a_presumed_case_sends_its_request_to_the_competent_authority(self) -> None:
        request = send_request(self.world, self.case)
        self.assertEqual(request.purpose, Purpose.IDENTIFICATION)
        self.assertEqual(request.recipient_organisation, self.world.orgs["B"])
        self.assertEqual(request.status, ReferralStatus.SENT)
        # The authority's deciders hear of it; its case workers (who receive ordinary
        # referrals) neither hear of it nor find it among incoming referrals.
        told = set(
            Notification.objects.filter(referral=request).values_list("user__username", flat=True)
        )
        self.assertEqual(told, {"b-determination_officer", "b-supervisor"})
        self.assertNotIn(request, incoming_for(self.world.user("B", Role.CASE_WORKER)))

    def test_refused_before_presumption(self) -> None:
        Case.objects.filter(pk=self.case.pk).update(identification_status=S.SCREENED)
        self.case.refresh_from_db()
        with self.assertRaises(RefusedError) as refused:
            send_request(self.world, self.case)
        self.assertIn("presumed", refused.exception.message)
        self.assertFalse(Referral.objects.filter(purpose=Purpose.IDENTIFICATION).exists())

    def test_refused_where_the_profile_names_no_authority(self) -> None:
        Case.objects.filter(pk=self.case.pk).update(jurisdiction="generic")
        self.case.refresh_from_db()
        with self.assertRaises(RefusedError) as refused:
            send_request(self.world, self.case)
        self.assertIn("itself", refused.exception.message)

    def test_refused_to_an_organisation_that_is_not_the_authority(self) -> None:
        other = self.third_organisation_user(Role.DETERMINATION_OFFICER)
        provider = Provider.objects.create(
            name="Fixture NGO C",
            organisation=other.organisation,
            org_type=OrganisationType.NGO,
            country="TH",
        )
        service = DirectoryService.objects.create(
            provider=provider, kind=ServiceKind.IDENTIFICATION, description="Not competent"
        )
        record_consent(
            self.ngo_worker,
            self.case,
            consent_data(provider, purpose=Purpose.IDENTIFICATION, categories=SHARED),
        )
        with self.assertRaises(RefusedError) as refused:
            send_referral(
                self.ngo_worker,
                self.case,
                service,
                purpose=Purpose.IDENTIFICATION,
                reason="Other",
                details="",
                categories=SHARED,
                channel="haven",
            )
        self.assertIn("not the competent authority", refused.exception.message)

    def test_refused_without_the_screenings(self) -> None:
        with self.assertRaises(RefusedError) as refused:
            send_request(self.world, self.case, categories=["identity"])
        self.assertIn("screenings", refused.exception.message)

    def test_refused_outside_haven(self) -> None:
        with self.assertRaises(RefusedError) as refused:
            send_referral(
                self.ngo_worker,
                self.case,
                authority_service(self.world),
                purpose=Purpose.IDENTIFICATION,
                reason="Other",
                details="",
                categories=SHARED,
                channel="letter",
            )
        self.assertIn("inside Haven", refused.exception.message)

    def test_refused_without_consent_for_identification(self) -> None:
        case = presumed_nrm_case(self.world, name="Fixture Person Nrm Two")
        consent = case.consents.get()
        consent.withdrawn_at = timezone.now()
        consent.save()
        with self.assertRaises(RefusedError) as refused:
            send_request(self.world, case)
        self.assertIn("consented", refused.exception.message)

    def test_one_open_request_at_a_time(self) -> None:
        send_request(self.world, self.case)
        with self.assertRaises(RefusedError) as refused:
            send_request(self.world, self.case)
        self.assertIn("already open", refused.exception.message)

    def test_the_ngo_cannot_take_the_authoritys_decision_itself(self) -> None:
        officer = self.world.user("A", Role.DETERMINATION_OFFICER)
        before = Case.objects.get(pk=self.case.pk).version
        with self.assertRaises(RefusedError) as refused:
            change_status(
                officer,
                self.case,
                S.FIRST_POSITIVE,
                decided_on=timezone.localdate(),
                basis=BASIS,
                expected_version=before,
            )
        self.assertIn("identification request", refused.exception.message)
        self.assertEqual(Case.objects.get(pk=self.case.pk).version, before)


class DecisionTests(RequestTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = send_request(self.world, self.case)

    def test_the_authority_decides_and_the_decision_comes_back(self) -> None:
        change = self.decide(self.officer, self.request)
        case = Case.objects.get(pk=self.case.pk)
        self.assertEqual(case.identification_status, S.FIRST_POSITIVE)
        # The nrm profile's deadlines follow from the decision, as on one's own case.
        today = timezone.localdate()
        self.assertEqual(case.final_decision_earliest, today + dt.timedelta(days=30))
        self.assertEqual(case.reflection_starts, today)
        self.assertEqual(change.decided_by_organisation, self.world.orgs["B"])
        self.assertEqual(change.decision_organisation_type, DecisionOrganisation.POLICE)
        self.assertEqual(change.decision_name, "Reasonable grounds decision")
        self.assertEqual(change.basis, BASIS)
        self.assertEqual(fresh(self.request).status, ReferralStatus.COMPLETED)
        # Both organisations' trails show it; the case's change is in the NGO's.
        decided = AuditEntry.objects.filter(
            action=Action.IDENTIFICATION_DECIDED, object_ref=self.request.reference
        )
        self.assertEqual(
            set(decided.values_list("organisation_id", flat=True)),
            {self.world.orgs["A"].pk, self.world.orgs["B"].pk},
        )
        self.assertTrue(
            AuditEntry.objects.filter(
                action=Action.IDENTIFICATION_CHANGE,
                object_ref=case.reference,
                organisation=self.world.orgs["A"],
                actor=self.officer,
            ).exists()
        )
        # The NGO's case team is told.
        told = set(
            Notification.objects.filter(event__case=case).values_list("user__username", flat=True)
        )
        self.assertIn("a-case_worker", told)
        self.assertIn("a-supervisor", told)

    def test_the_final_decision_is_asked_for_after_a_positive_first_one(self) -> None:
        self.decide(self.officer, self.request)
        case = Case.objects.get(pk=self.case.pk)
        self.assertEqual(authority.pending(case)[0], "final")  # type: ignore[index]
        second = send_request(self.world, case)
        error = self.assertRefused(
            lambda: self.decide(self.officer, second, S.FINAL_POSITIVE), second
        )
        self.assertIn(case.final_decision_earliest.isoformat(), error.message)  # type: ignore[union-attr]

    def test_only_the_addressed_authority_decides(self) -> None:
        for actor in (
            self.world.user("A", Role.DETERMINATION_OFFICER),  # the NGO itself
            self.world.user("B", Role.CASE_WORKER),  # the authority, but not a decider
            self.third_organisation_user(Role.DETERMINATION_OFFICER, "LawEnforcement"),
        ):
            with self.subTest(actor=actor.username):
                self.assertRefused(lambda a=actor: self.decide(a, self.request), self.request)

    def test_the_jurisdiction_says_which_roles_decide(self) -> None:
        supervisor = self.world.user("B", Role.SUPERVISOR)  # sees the queue, may not decide
        error = self.assertRefused(lambda: self.decide(supervisor, self.request), self.request)
        self.assertIn("role", error.message)

    def test_bad_decisions_are_refused_and_change_nothing(self) -> None:
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        before_presumption = timezone.localdate() - dt.timedelta(days=5)
        for label, run in (
            ("not a decision", lambda: self.decide(self.officer, self.request, S.WITHDREW)),
            ("wrong step", lambda: self.decide(self.officer, self.request, S.FINAL_POSITIVE)),
            ("future", lambda: self.decide(self.officer, self.request, decided_on=tomorrow)),
            ("no basis", lambda: self.decide(self.officer, self.request, basis="  ")),
            (
                "before presumption",
                lambda: self.decide(self.officer, self.request, decided_on=before_presumption),
            ),
        ):
            with self.subTest(label):
                self.assertRefused(run, self.request)

    def test_a_stale_form_changes_nothing(self) -> None:
        before = state(self.case, self.request)
        with self.assertRaises(ConcurrentEditError):
            self.decide(
                self.officer, self.request, expected_version=fresh(self.request).version - 1
            )
        self.assertEqual(state(self.case, self.request), before)

    def test_a_decided_or_revoked_request_is_closed(self) -> None:
        self.decide(self.officer, self.request)
        self.assertRefused(lambda: self.decide(self.officer, self.request), self.request)
        case = Case.objects.get(pk=self.case.pk)
        Case.objects.filter(pk=case.pk).update(identification_status=S.PRESUMED)
        other = send_request(self.world, Case.objects.get(pk=case.pk))
        revoke(self.ngo_worker, other, expected_version=other.version)
        self.assertRefused(lambda: self.decide(self.officer, other), other)

    def test_a_closed_case_takes_no_decision(self) -> None:
        request_closure(
            self.ngo_worker,
            self.case,
            to=CaseStatus.CLOSED,
            reason=ClosureReason.GOALS_MET,
            details="",
            expected_version=Case.objects.get(pk=self.case.pk).version,
        )
        decide_closure(
            self.world.user("A", Role.SUPERVISOR),
            self.case,
            approve=True,
            expected_version=Case.objects.get(pk=self.case.pk).version,
        )
        self.case.refresh_from_db()
        # Closing a case does not revoke its referrals: the request is still open.
        self.assertTrue(fresh(self.request).is_open)
        self.assertRefused(lambda: self.decide(self.officer, self.request), self.request)


class MessageTests(RequestTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = send_request(self.world, self.case)

    def test_the_authority_asks_and_the_ngo_answers(self) -> None:
        Notification.objects.all().delete()
        post_message(self.officer, self.request, "Fixture question: when did the debt start?")
        told = set(
            Notification.objects.filter(kind=NoticeKind.REFERRAL_MESSAGE).values_list(
                "user__username", flat=True
            )
        )
        self.assertEqual(told, {"a-case_worker", "a-supervisor"})
        Notification.objects.all().delete()
        post_message(self.ngo_worker, fresh(self.request), "Fixture answer: in March.")
        told = set(Notification.objects.values_list("user__username", flat=True))
        self.assertEqual(told, {"b-determination_officer", "b-supervisor"})
        self.assertEqual(self.request.messages.count(), 2)
        self.assertEqual(AuditEntry.objects.filter(action=Action.REFERRAL_MESSAGE).count(), 2)

    def test_messages_are_encrypted_at_rest(self) -> None:
        post_message(self.officer, self.request, "Fixture secret sentence")
        leaked = [(t, c) for t, c, v in raw_rows() if "Fixture secret sentence" in v]
        self.assertEqual(leaked, [])

    def test_bad_messages_and_outsiders_are_refused(self) -> None:
        outsider = self.third_organisation_user(Role.DETERMINATION_OFFICER, "LawEnforcement")
        for label, actor, body in (
            ("empty", self.officer, "   "),
            ("too long", self.officer, "x" * 4001),
            ("another organisation", outsider, "Fixture"),
            ("the authority's case worker", self.world.user("B", Role.CASE_WORKER), "Fixture"),
            ("the NGO's officer", self.world.user("A", Role.DETERMINATION_OFFICER), "Fixture"),
        ):
            with self.subTest(label):
                self.assertRefused(
                    lambda a=actor, b=body: post_message(a, fresh(self.request), b), self.request
                )

    def test_no_messages_once_decided(self) -> None:
        self.decide(self.officer, self.request)
        self.assertRefused(
            lambda: post_message(self.ngo_worker, fresh(self.request), "Fixture late"),
            self.request,
        )

    def test_only_identification_requests_carry_messages(self) -> None:
        ordinary = self.world.referrals["A"]
        self.assertRefused(lambda: post_message(self.ngo_worker, ordinary, "Fixture"), ordinary)


class PageTests(RequestTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = send_request(self.world, self.case)
        self.url = reverse("identification:request", kwargs={"reference": self.request.reference})

    def test_the_queue_shows_the_request_with_its_target_date(self) -> None:
        page = self.client_for("B", Role.DETERMINATION_OFFICER).get(
            reverse("identification:requests")
        )
        html = page.content.decode()
        self.assertIn(self.request.reference, html)
        self.assertIn("Reasonable grounds decision", html)
        self.assertNotIn("Fixture Person Nrm", html)  # the queue shows no identity

    def test_the_authority_sees_the_consented_packet_and_the_look_is_audited(self) -> None:
        page = self.client_for("B", Role.DETERMINATION_OFFICER).get(self.url)
        html = page.content.decode()
        self.assertIn("Fixture Person Nrm", html)  # identity was consented
        self.assertNotIn("Fixture narrative", html)  # the narrative was not
        self.assertIn('name="target"', html)
        self.assertNotIn("Fixture Person Nrm", html.split("<title>")[1].split("</title>")[0])
        self.assertTrue(
            AuditEntry.objects.filter(
                action=Action.REFERRAL_VIEW, object_ref=self.request.reference
            ).exists()
        )

    def test_the_sender_sees_the_thread_not_a_decision_form(self) -> None:
        html = self.client_for("A", Role.CASE_WORKER).get(self.url).content.decode()
        self.assertIn("Messages", html)
        self.assertNotIn('name="target"', html)

    def test_deciding_through_the_page(self) -> None:
        client = self.client_for("B", Role.DETERMINATION_OFFICER)
        response = client.post(
            reverse("identification:request_decide", kwargs={"reference": self.request.reference}),
            {
                "target": S.FIRST_NEGATIVE,
                "decided_on": timezone.localdate().isoformat(),
                "basis": BASIS,
                "version": fresh(self.request).version,
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Case.objects.get(pk=self.case.pk).identification_status, S.FIRST_NEGATIVE)
        html = self.client_for("A", Role.CASE_WORKER).get(self.url).content.decode()
        self.assertIn(BASIS, html)

    def test_a_bad_decision_form_changes_nothing(self) -> None:
        client = self.client_for("B", Role.DETERMINATION_OFFICER)
        before = state(self.case, self.request)
        response = client.post(
            reverse("identification:request_decide", kwargs={"reference": self.request.reference}),
            {"target": S.CONFIRMED, "decided_on": "not a date", "version": "x"},
        )
        self.assertEqual(response.status_code, 302)  # back to the request, with the reasons
        self.assertEqual(state(self.case, self.request), before)

    def test_the_ngo_identification_page_offers_the_request(self) -> None:
        Referral.objects.filter(pk=self.request.pk).update(status=ReferralStatus.REVOKED)
        page = self.client_for("A", Role.DETERMINATION_OFFICER).get(
            reverse("identification:change", kwargs={"reference": self.case.reference})
        )
        html = page.content.decode()
        self.assertIn("competent authority", html)
        self.assertIn("?purpose=identification", html)
        self.assertNotIn('value="first_positive"', html)


def test_shipped_authorities_name_known_organisation_types() -> None:
    known = set(OrganisationType.values)
    for profile in jurisdictions.load().values():
        for step in (profile.first_decision, profile.final_decision):
            if step.authority is not None and not step.authority.organisation:
                assert step.authority.org_types <= known, profile.id
