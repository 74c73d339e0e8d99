"""Issue 12: the domain-action refusals that had no test of their own (see the gate
table). Each test calls the action directly, checks the RefusedError and a recognisable
part of its message, and checks that nothing changed.

Left out on purpose: post_message's "Only the two organisations" refusal (locked_case
stops every outsider first) and the concurrent double legal hold (a race between two
transactions, not a refusal one call can reach)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from haven.accounts.models import Organisation, OrganisationType, User
from haven.accounts.roles import Role
from haven.audit.models import AuditEntry
from haven.care import actions as care_actions
from haven.care.models import Stay
from haven.cases.models import Case
from haven.core.errors import RefusedError
from haven.directory import actions as directory_actions
from haven.directory.models import DirectoryService, Provider
from haven.identification.status import IdentificationStatus as S
from haven.justice import actions as justice_actions
from haven.justice.models import Penalisation, PenalisationKind, Proceeding
from haven.people.actions import create_person
from haven.people.models import Person, PersonIndex
from haven.referrals.actions import record_consent
from haven.referrals.models import Referral
from haven.rights import actions as rights_actions
from haven.rights.models import AnonymisedPerson, LegalHold, RetentionOutcome
from haven.rights.retention import apply_retention
from tests.closed_cases import close, everything_about
from tests.identification_requests import send_request
from tests.personas import HavenTestCase, consent_data
from tests.test_care import CareTestCase, days_ago
from tests.test_directory_confidential import OFFICE, SECRET, provider, service
from tests.test_identification_requests import RequestTestCase, fresh
from tests.test_justice import ARREST, PROCEEDING, TODAY, JusticeTestCase
from tests.test_rights import LATER

DAY = dt.timedelta(days=1)


# --- Part 1: identification requests (decide_request) ------------------------------------


class DecideRequestGateTests(RequestTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = send_request(self.world, self.case)

    def refused(self, run: Callable[[], Any], request: Referral, part: str) -> None:
        error = self.assertRefused(run, request)
        self.assertIn(part, error.message)

    def test_a_request_without_a_case_cannot_be_decided(self) -> None:
        # The actions never make such a request: a stored row is stripped of its case.
        Referral.objects.filter(pk=self.request.pk).update(case=None)
        caseless = fresh(self.request)
        self.assertIsNone(caseless.case_id)
        self.refused(
            lambda: self.decide(self.officer, caseless),
            caseless,
            "Only the authority this request was sent to can decide it",
        )
        self.assertEqual(Case.objects.get(pk=self.case.pk).identification_status, S.PRESUMED)

    def test_an_organisation_no_longer_competent_for_the_step_cannot_decide(self) -> None:
        # The request went to B (law enforcement, the nrm profile's authority); B is then
        # registered as an NGO: still the addressee, no longer the competent authority.
        Organisation.objects.filter(pk=self.world.orgs["B"].pk).update(
            org_type=OrganisationType.NGO
        )
        officer = User.objects.select_related("organisation").get(pk=self.officer.pk)
        self.refused(
            lambda: self.decide(officer, self.request),
            self.request,
            "not the competent authority",
        )
        self.assertTrue(fresh(self.request).is_open)


# --- Part 2: justice records and the non-punishment letter --------------------------------


class JusticeGateTests(JusticeTestCase):
    def refused(self, kind: str, data: dict[str, Any], part: str) -> None:
        model = justice_actions.KINDS[kind].model
        before = (model._default_manager.count(), everything_about(self.case))
        with self.assertRaises(RefusedError) as refused:
            justice_actions.add_record(self.worker, self.case, kind, data)
        self.assertIn(part, refused.exception.message)
        self.assertEqual((model._default_manager.count(), everything_about(self.case)), before)

    def their_proceeding(self) -> Proceeding:
        record = justice_actions.add_record(
            self.world.user("B", Role.CASE_WORKER), self.world.cases["B"], "proceeding", PROCEEDING
        )
        assert isinstance(record, Proceeding)
        return record

    def test_an_arrest_detention_or_charge_needs_its_date(self) -> None:
        for kind in (
            PenalisationKind.ARREST,
            PenalisationKind.CUSTODY,
            PenalisationKind.IMMIGRATION_DETENTION,
            PenalisationKind.CHARGE,
        ):
            with self.subTest(kind=kind.value):
                self.refused("penalisation", {**ARREST, "kind": kind, "on": None}, "Give the date")

    def test_an_edit_cannot_remove_the_date_of_an_arrest(self) -> None:
        record = self.arrest()
        before = everything_about(self.case)
        with self.assertRaises(RefusedError) as refused:
            justice_actions.update_record(self.worker, record, {"on": None}, expected_version=1)
        self.assertIn("Give the date", refused.exception.message)
        self.assertEqual(everything_about(self.case), before)
        record.refresh_from_db()
        self.assertEqual((record.on, record.version), (ARREST["on"], 1))

    def test_a_proceeding_needs_its_start_date(self) -> None:
        self.refused(
            "proceeding",
            {**PROCEEDING, "started_on": None},
            "Give the date the proceeding started",
        )

    def test_a_hearing_needs_its_date(self) -> None:
        hearing = {"proceeding": self.proceeding(), "on": None, "kind": "testimony"}
        self.refused("hearing", hearing, "Give the date")

    def test_a_protection_measure_belongs_to_one_of_this_cases_proceedings(self) -> None:
        asked = {
            "proceeding": self.proceeding(),
            "measure": "video_link",
            "requested_on": TODAY - 5 * DAY,
            "decision": "pending",
            "decided_on": None,
        }
        for name, proceeding in (("none", None), ("another case's", self.their_proceeding())):
            with self.subTest(proceeding=name):
                self.refused(
                    "protection",
                    {**asked, "proceeding": proceeding},
                    "Choose one of this case's proceedings",
                )

    def test_a_protection_measure_needs_its_request_date(self) -> None:
        asked = {
            "proceeding": self.proceeding(),
            "measure": "video_link",
            "requested_on": None,
            "decision": "pending",
            "decided_on": None,
        }
        self.refused("protection", asked, "Give the date it was asked for")

    def test_a_safety_reviews_proceeding_is_this_cases(self) -> None:
        review = {
            "proceeding": self.their_proceeding(),
            "reviewed_on": TODAY,
            "outcome": "at_risk",
            "follow_up": "Move to shelter",
        }
        self.refused("safety-review", review, "Choose one of this case's proceedings")

    def test_a_safety_review_needs_its_date(self) -> None:
        review = {
            "proceeding": None,
            "reviewed_on": None,
            "outcome": "at_risk",
            "follow_up": "Move to shelter",
        }
        self.refused("safety-review", review, "Give the date")


class LetterGateTests(JusticeTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Everything a letter needs, so that each refusal below has one cause only.
        Case.objects.filter(pk=self.case.pk).update(
            identification_status=S.PRESUMED,
            presumed_on=TODAY - 20 * DAY,
            exploitation_types=["ForcedLabour"],
        )
        self.case.refresh_from_db()
        self.event = self.arrest()
        self.consent_to_legal()

    def consent_to_legal(self) -> None:
        record_consent(
            self.worker,
            self.case,
            consent_data(self.world.providers["B"], purpose="legal", categories=["legal"]),
        )

    def letter(self, event: Penalisation, *, addressee: str, language: str) -> Any:
        return justice_actions.letter_facts(
            self.worker, self.case, event, addressee=addressee, language=language
        )

    def refused(self, event: Penalisation, *, addressee: str, language: str) -> None:
        before = everything_about(self.case)
        with self.assertRaises(RefusedError) as refused:
            self.letter(event, addressee=addressee, language=language)
        self.assertIn("Some values are not valid", refused.exception.message)
        self.assertEqual(everything_about(self.case), before)

    def test_an_unknown_addressee_or_language_is_refused(self) -> None:
        for addressee, language in (("army", "en"), ("", "en"), ("prosecutor", "xx")):
            with self.subTest(addressee=addressee, language=language):
                self.refused(self.event, addressee=addressee, language=language)
        # The same letter with values from the lists is made (and audited).
        audit = AuditEntry.objects.count()
        self.letter(self.event, addressee="prosecutor", language="en")
        self.assertEqual(AuditEntry.objects.count(), audit + 1)

    def test_an_arrest_of_another_case_is_refused(self) -> None:
        theirs = justice_actions.add_record(
            self.world.user("B", Role.CASE_WORKER), self.world.cases["B"], "penalisation", ARREST
        )
        assert isinstance(theirs, Penalisation)
        self.refused(theirs, addressee="prosecutor", language="en")
        audit = AuditEntry.objects.count()
        self.letter(self.event, addressee="prosecutor", language="en")
        self.assertEqual(AuditEntry.objects.count(), audit + 1)


# --- Part 3: stays and the confidential directory ----------------------------------------


class StayGateTests(CareTestCase):
    def test_a_stay_needs_its_arrival_date(self) -> None:
        for name, entered_on in (("missing", None), ("not a date", days_ago(3).isoformat())):
            with self.subTest(name):
                before = everything_about(self.case())
                stays = Stay.objects.count()
                with self.assertRaises(RefusedError) as refused:
                    care_actions.record_stay(
                        self.worker(), self.case(), self.stay(entered_on=entered_on)
                    )
                self.assertIn("Give the day the person arrived", refused.exception.message)
                self.assertEqual(Stay.objects.count(), stays)
                self.assertEqual(everything_about(self.case()), before)


class ConfidentialGateTests(HavenTestCase):
    def setUp(self) -> None:
        self.steward = self.world.user("A", Role.DIRECTORY_STEWARD)

    def test_a_provider_with_a_confidential_service_keeps_its_last_contact(self) -> None:
        owner = provider("Email Only Test", address=SECRET, email="help@example.org")
        service(owner, "accommodation", confidential=True)
        owner.refresh_from_db()
        self.assertFalse(owner.confidential)  # only its service is
        audit = AuditEntry.objects.count()
        with self.assertRaises(RefusedError) as refused:
            directory_actions.update_provider(
                self.steward, owner, {"email": ""}, expected_version=owner.version
            )
        self.assertIn("needs a phone number or an e-mail address", refused.exception.message)
        again = Provider.objects.get(pk=owner.pk)
        self.assertEqual((again.email, again.phone, again.version), ("help@example.org", "", 1))
        self.assertEqual(AuditEntry.objects.count(), audit)

    def test_a_service_cannot_become_confidential_while_its_provider_has_no_contact(
        self,
    ) -> None:
        owner = provider("No Contact Service Test", address=OFFICE)
        shelter = service(owner, "accommodation")
        audit = AuditEntry.objects.count()
        with self.assertRaises(RefusedError) as refused:
            directory_actions.update_service(
                self.steward, shelter, {"confidential": True}, expected_version=shelter.version
            )
        self.assertIn("needs a phone number or an e-mail address", refused.exception.message)
        again = DirectoryService.objects.get(pk=shelter.pk)
        self.assertEqual((again.confidential, again.version), (False, 1))
        self.assertEqual(AuditEntry.objects.count(), audit)


# --- Part 4: legal holds and retention ---------------------------------------------------


class LiftLegalHoldGateTests(HavenTestCase):
    def setUp(self) -> None:
        self.case = self.world.cases["A"]
        self.supervisor = self.world.user("A", Role.SUPERVISOR)
        self.hold = rights_actions.place_legal_hold(self.supervisor, self.case, "Trial pending")

    def refused(self, actor: User, reason: str, part: str) -> None:
        audit = AuditEntry.objects.count()
        with self.assertRaises(RefusedError) as refused:
            rights_actions.lift_legal_hold(actor, self.case, reason)
        self.assertIn(part, refused.exception.message)
        hold = LegalHold.objects.get(pk=self.hold.pk)
        self.assertEqual((hold.lifted_at, hold.lifted_by, hold.lift_reason), (None, None, ""))
        self.assertEqual(LegalHold.objects.count(), 1)
        self.assertEqual(AuditEntry.objects.count(), audit)

    def test_other_roles_and_other_organisations_cannot_lift(self) -> None:
        for org, role in (("A", Role.CASE_WORKER), ("A", Role.ORG_ADMIN), ("B", Role.SUPERVISOR)):
            with self.subTest(org=org, role=role.value):
                self.refused(
                    self.world.user(org, role), "Verdict final", "Your role does not allow"
                )

    def test_lifting_needs_a_reason_of_at_most_the_limit(self) -> None:
        self.refused(self.supervisor, "   ", "Give the reason")
        too_long = "x" * (rights_actions.MAX_REASON + 1)
        self.refused(self.supervisor, too_long, "The reason is too long")
        # At the limit it is lifted.
        rights_actions.lift_legal_hold(self.supervisor, self.case, "x" * rights_actions.MAX_REASON)
        self.assertIsNotNone(LegalHold.objects.get(pk=self.hold.pk).lifted_at)


class RetentionOwnershipBase(HavenTestCase):
    """A's due case whose person B holds (a row the actions never make: open_case refuses
    another organisation's person): A's policy takes the case, never B's person."""

    def setUp(self) -> None:
        self.case = close(self.world)
        self.theirs = create_person(
            self.world.user("B", Role.CASE_WORKER),
            {"full_name": "Fixture Person Elsewhere", "gender": "Feminine", "citizenship": ["TH"]},
        )
        # B's person has no case of their own, so only their owner can protect them.
        Case.objects.filter(pk=self.case.pk).update(person=self.theirs)
        rights_actions.set_retention_policy(
            self.world.user("A", Role.ORG_ADMIN),
            years=2,
            outcome=self.outcome,
            expected_version=None,
        )

    outcome: str

    def assert_person_untouched(self) -> None:
        person = Person.objects.get(pk=self.theirs.pk)
        self.assertEqual(person.full_name, "Fixture Person Elsewhere")
        self.assertEqual(person.organisation_id, self.world.orgs["B"].pk)
        self.assertFalse(AnonymisedPerson.objects.filter(person=person).exists())
        self.assertTrue(PersonIndex.objects.filter(person=person).exists())
        self.assertFalse(
            AuditEntry.objects.filter(
                action__startswith="retention.", object_ref=person.reference
            ).exists()
        )


class RetentionAnonymiseOwnershipTests(RetentionOwnershipBase):
    outcome = RetentionOutcome.ANONYMISE

    def test_anonymising_never_touches_a_person_of_another_organisation(self) -> None:
        [report] = apply_retention(today=LATER)
        self.assertEqual(report.anonymised_cases, [self.case.reference])
        self.assertEqual((report.anonymised_people, report.failed_people), ([], []))
        self.assertEqual(Case.objects.get(pk=self.case.pk).summary, "")
        self.assert_person_untouched()


class RetentionDeleteOwnershipTests(RetentionOwnershipBase):
    outcome = RetentionOutcome.DELETE

    def test_deleting_never_removes_a_person_of_another_organisation(self) -> None:
        [report] = apply_retention(today=LATER)
        self.assertEqual(report.deleted_cases, [self.case.reference])
        self.assertEqual((report.deleted_people, report.failed_people), ([], []))
        self.assertFalse(Case.objects.filter(pk=self.case.pk).exists())
        self.assert_person_untouched()
