"""Children's safeguards as gates (issue 12, part 3), called on the domain actions directly.

For a child, or a person whose age is uncertain: completing a screening, approving a
return plan and closing a case each need a guardian (or the reason none could be
appointed yet), a best-interests assessment and the child's assent. Each gate refuses
with the reason and changes nothing; it opens once the safeguards are recorded. Consent
for a child is the guardian's consent and the child's assent, never an adult's consent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from haven.accounts.roles import Role
from haven.assistance import actions as assist
from haven.assistance.models import ReturnPlan
from haven.audit.models import Action, AuditEntry
from haven.cases import actions as cases
from haven.cases.children import Gate, is_child, missing_safeguards, refusal
from haven.cases.models import AgeAssessment, AgeOutcome, Case, CaseEvent, CaseStatus, EventKind
from haven.core.errors import RefusedError
from haven.referrals import actions as referrals
from haven.referrals.models import Channel, Consent, ConsentMethod
from haven.screening import actions as screening_actions
from haven.screening.models import Screening, ScreeningStatus
from tests.closed_cases import everything_about
from tests.personas import READY, HavenTestCase, consent_data

SAFEGUARDS: dict[str, Any] = {
    "guardian": "Ms Guardian, appointed guardian",
    "guardian_appointed_on": dt.date(2026, 1, 6),
    "best_interests_assessed_on": dt.date(2026, 1, 7),
    "best_interests_summary": "Stay in care; trace the family first",
    "child_assent": True,
    "child_assent_on": dt.date(2026, 1, 7),
}


def today() -> dt.date:
    return timezone.localdate()


class ChildSafeguardsTestCase(HavenTestCase):
    def case(self) -> Case:
        return Case.objects.get(pk=self.world.cases["A"].pk)

    def worker(self) -> Any:
        return self.world.user("A", Role.CASE_WORKER)

    def supervisor(self) -> Any:
        return self.world.user("A", Role.SUPERVISOR)

    def assess_age(self, outcome: str = AgeOutcome.CHILD, **changes: Any) -> AgeAssessment:
        return cases.record_age_assessment(
            self.worker(),
            self.case(),
            **{
                "method": "interview",
                "assessed_on": today(),
                "outcome": outcome,
                "estimated_age": 15 if outcome == AgeOutcome.CHILD else None,
                "benefit_of_doubt_applied": False,
                "note": "Holistic assessment with the social worker",
                **changes,
            },
        )

    def record_safeguards(self, **changes: Any) -> None:
        case = self.case()
        cases.update_case_record(
            self.worker(), case, {**SAFEGUARDS, **changes}, expected_version=case.version
        )

    def request_closure(self) -> None:
        case = self.case()
        cases.request_closure(
            self.worker(),
            case,
            to=CaseStatus.CLOSED,
            reason="goals_met",
            details="",
            expected_version=case.version,
        )

    def assert_refused_and_unchanged(self, act: Any, gate: Gate) -> RefusedError:
        before = everything_about(self.case())
        with self.assertRaises(RefusedError) as refused:
            act()
        self.assertEqual(everything_about(self.case()), before)
        self.assertIn(refusal(gate, missing_safeguards(self.case())), refused.exception.message)
        return refused.exception


class WhoCountsAsAChildTests(ChildSafeguardsTestCase):
    def test_an_adult_case_without_assessment_is_not_a_childs(self) -> None:
        self.assertFalse(is_child(self.case()))

    def test_an_assessment_finding_a_child_makes_it_a_childs_case(self) -> None:
        self.assess_age(AgeOutcome.CHILD)
        self.assertTrue(is_child(self.case()))

    def test_an_uncertain_age_counts_as_a_child(self) -> None:
        self.assess_age(AgeOutcome.UNCERTAIN, benefit_of_doubt_applied=True)
        self.assertTrue(is_child(self.case()))

    def test_the_latest_assessment_decides(self) -> None:
        self.assess_age(AgeOutcome.CHILD, assessed_on=today() - dt.timedelta(days=3))
        self.assess_age(AgeOutcome.ADULT, estimated_age=25)
        self.assertFalse(is_child(self.case()))

    def test_a_teen_age_band_is_a_child_without_any_assessment(self) -> None:
        person = self.case().person
        person.age_band = "12-17"
        person.save(update_fields=["age_band"])
        self.assertTrue(is_child(self.case()))

    def test_missing_safeguards_names_each_in_turn(self) -> None:
        self.assertEqual(len(missing_safeguards(self.case())), 3)
        self.record_safeguards(guardian="", guardian_appointed_on=None)
        self.assertEqual(
            missing_safeguards(self.case()),
            ["a guardian, or the reason none could be appointed yet"],
        )
        self.record_safeguards(guardian="", guardian_none_reason="No guardian available yet")
        self.assertEqual(missing_safeguards(self.case()), [])


class AgeAssessmentTests(ChildSafeguardsTestCase):
    def test_it_is_recorded_audited_and_in_the_history(self) -> None:
        version = self.case().version
        assessment = self.assess_age(AgeOutcome.CHILD)
        self.assertEqual(assessment.recorded_by, self.worker())
        self.assertEqual(self.case().version, version + 1)
        entry = AuditEntry.objects.filter(action=Action.CASE_AGE_ASSESSMENT).get()
        self.assertIn("note", entry.changed_fields)
        self.assertNotIn("Holistic", str(entry.changed_fields))
        self.assertTrue(
            CaseEvent.objects.filter(case=self.case(), kind=EventKind.AGE_ASSESSED).exists()
        )

    def test_the_note_is_encrypted_at_rest(self) -> None:
        self.assess_age(AgeOutcome.CHILD)
        with connection.cursor() as cursor:
            cursor.execute("SELECT note FROM cases_ageassessment")
            (raw,) = cursor.fetchone()
        self.assertNotIn("Holistic", str(raw))

    def test_bad_assessments_are_refused_and_change_nothing(self) -> None:
        bad = {
            "a future date": {"assessed_on": today() + dt.timedelta(days=1)},
            "benefit of the doubt giving an adult": {
                "outcome": AgeOutcome.ADULT,
                "benefit_of_doubt_applied": True,
            },
            "an unknown method": {"method": "guess"},
            "an unknown outcome": {"outcome": "teenager"},
            "a child aged 19": {"outcome": AgeOutcome.CHILD, "estimated_age": 19},
            "an adult aged 15": {"outcome": AgeOutcome.ADULT, "estimated_age": 15},
            "an age of 500": {"outcome": AgeOutcome.UNCERTAIN, "estimated_age": 500},
        }
        for what, changes in bad.items():
            with self.subTest(what):
                before = everything_about(self.case())
                with self.assertRaises(RefusedError):
                    self.assess_age(**{"outcome": AgeOutcome.CHILD, **changes})
                self.assertEqual(everything_about(self.case()), before)

    def test_only_who_may_edit_the_case_record_may_assess_age(self) -> None:
        for org, role in (
            ("A", Role.SCREENER),
            ("A", Role.DETERMINATION_OFFICER),
            ("B", Role.SUPERVISOR),
        ):
            with self.subTest(org=org, role=role), self.assertRaises(RefusedError):
                cases.record_age_assessment(
                    self.world.user(org, role),
                    self.case(),
                    method="interview",
                    assessed_on=today(),
                    outcome=AgeOutcome.CHILD,
                )
        self.assertFalse(AgeAssessment.objects.exists())


class ClosureGateTests(ChildSafeguardsTestCase):
    def test_a_childs_closure_request_is_refused_without_safeguards(self) -> None:
        self.assess_age()
        error = self.assert_refused_and_unchanged(self.request_closure, Gate.CLOSURE)
        self.assertIn("best-interests assessment", error.message)
        self.assertIn("the child's assent", error.message)

    def test_a_childs_closure_request_is_allowed_once_safeguards_are_recorded(self) -> None:
        self.assess_age()
        self.record_safeguards()
        self.request_closure()
        self.assertTrue(self.case().closure_pending)

    def test_a_reason_no_guardian_could_be_appointed_stands_in_for_one(self) -> None:
        self.assess_age()
        self.record_safeguards(guardian="", guardian_none_reason="Court appointment pending")
        self.request_closure()
        self.assertTrue(self.case().closure_pending)

    def test_approving_is_refused_when_the_age_was_found_a_childs_after_the_request(
        self,
    ) -> None:
        self.request_closure()
        self.assess_age(AgeOutcome.UNCERTAIN, benefit_of_doubt_applied=True)
        case = self.case()
        self.assert_refused_and_unchanged(
            lambda: cases.decide_closure(
                self.supervisor(), case, approve=True, expected_version=case.version
            ),
            Gate.CLOSURE,
        )
        # Refusing the closure request is always possible: it closes nothing.
        cases.decide_closure(self.supervisor(), case, approve=False, expected_version=case.version)
        self.assertFalse(self.case().closure_pending)

    def test_approving_a_childs_closure_with_safeguards_closes_it(self) -> None:
        self.assess_age()
        self.record_safeguards()
        self.request_closure()
        case = self.case()
        cases.decide_closure(self.supervisor(), case, approve=True, expected_version=case.version)
        self.assertTrue(self.case().is_closed)

    def test_an_adults_case_closes_without_a_childs_safeguards(self) -> None:
        self.request_closure()
        self.assertTrue(self.case().closure_pending)


class ReturnPlanGateTests(ChildSafeguardsTestCase):
    def plan(self) -> ReturnPlan:
        return ReturnPlan.objects.create(
            case=self.case(),
            informed_consent=True,
            requested_on=today() - dt.timedelta(days=5),
            destination_country="KH",
            risk_assessed_on=today() - dt.timedelta(days=2),
            risk_level="low",
            risk_summary="Family supportive",
            receiving_organisation="Receiving NGO",
            receiving_plan="Met at the border",
            created_by=self.worker(),
        )

    def approve(self, plan: ReturnPlan) -> ReturnPlan:
        return assist.approve_return_plan(
            self.supervisor(), self.case(), expected_version=plan.version
        )

    def test_a_childs_return_is_refused_without_safeguards(self) -> None:
        self.assess_age()
        plan = self.plan()
        self.assert_refused_and_unchanged(lambda: self.approve(plan), Gate.RETURN_PLAN)
        plan.refresh_from_db()
        self.assertFalse(plan.is_approved)

    def test_a_childs_return_is_approved_once_safeguards_are_recorded(self) -> None:
        self.assess_age()
        self.record_safeguards()
        plan = self.approve(self.plan())
        self.assertTrue(plan.is_approved)


class ScreeningGateTests(ChildSafeguardsTestCase):
    def child_screening(self, case: Case | None = None, age: int = 15) -> Screening:
        screener = self.world.user("A", Role.SCREENER if case is None else Role.CASE_WORKER)
        screening = screening_actions.start_screening(
            screener, readiness=READY, person=None, case=case
        )
        screening_actions.set_profile(
            screener,
            screening,
            {"age_at_events": age, "exploitation": ["labour"], "interview_language": "en"},
            expected_version=screening.version,
        )
        return screening

    def complete(self, screening: Screening, **safeguards: Any) -> None:
        screening_actions.complete(
            self.world.user("A", Role.SCREENER),
            screening,
            judgement="indicators_present",
            reason="My own view after the interview",
            expected_version=screening.version,
            safeguards=safeguards,
        )

    def test_a_childs_screening_is_not_completed_without_safeguards(self) -> None:
        screening = self.child_screening()
        before = Screening.objects.filter(pk=screening.pk).values().get()
        audit = AuditEntry.objects.count()
        with self.assertRaises(RefusedError) as refused:
            self.complete(screening, guardian="Ms Guardian")
        self.assertIn("This screening is of a child", refused.exception.message)
        self.assertIn("a best-interests assessment", refused.exception.message)
        self.assertNotIn("a guardian", refused.exception.message)
        self.assertEqual(Screening.objects.filter(pk=screening.pk).values().get(), before)
        self.assertEqual(AuditEntry.objects.count(), audit)

    def test_a_childs_screening_keeps_the_safeguards_given_at_completion(self) -> None:
        screening = self.child_screening()
        self.complete(
            screening,
            guardian_none_reason="Guardian being appointed by the court",
            best_interests_assessed_on=today(),
            child_assent=True,
        )
        screening.refresh_from_db()
        self.assertEqual(screening.status, ScreeningStatus.COMPLETED)
        self.assertEqual(screening.guardian_none_reason, "Guardian being appointed by the court")
        self.assertTrue(screening.child_assent)
        entry = AuditEntry.objects.filter(action=Action.SCREENING_COMPLETE).latest("seq")
        self.assertIn("guardian_none_reason", entry.changed_fields)

    def test_a_future_best_interests_date_is_refused(self) -> None:
        screening = self.child_screening()
        with self.assertRaises(RefusedError):
            self.complete(
                screening,
                guardian="Ms Guardian",
                best_interests_assessed_on=today() + dt.timedelta(days=2),
                child_assent=True,
            )

    def test_a_childs_screening_on_a_case_needs_the_cases_safeguards(self) -> None:
        screening = self.child_screening(self.case())
        with self.assertRaises(RefusedError) as refused:
            # Safeguards given with the screening do not stand in for the case's own.
            self.complete(screening, **SAFEGUARDS)
        self.assertIn("This screening is of a child", refused.exception.message)
        self.record_safeguards()
        screening.refresh_from_db()
        self.complete(screening)
        screening.refresh_from_db()
        self.assertTrue(screening.is_completed)

    def test_a_screening_on_a_childs_case_is_a_childs_whatever_its_own_profile(self) -> None:
        self.assess_age(AgeOutcome.UNCERTAIN)
        screening = self.child_screening(self.case(), age=30)
        with self.assertRaises(RefusedError):
            self.complete(screening)

    def test_an_adults_screening_completes_as_before(self) -> None:
        screening = self.child_screening(age=30)
        self.complete(screening)
        screening.refresh_from_db()
        self.assertTrue(screening.is_completed)


class ChildConsentTests(ChildSafeguardsTestCase):
    def consent(self, **changes: Any) -> Consent:
        provider = self.world.services_listed["B"].provider
        return referrals.record_consent(
            self.worker(), self.case(), consent_data(provider, categories=["health"], **changes)
        )

    def test_an_adults_consent_is_refused_for_a_child(self) -> None:
        self.assess_age()
        for method in (ConsentMethod.WRITTEN, ConsentMethod.VERBAL):
            with self.subTest(method=method):
                before = everything_about(self.case())
                with self.assertRaises(RefusedError) as refused:
                    self.consent(method=method)
                self.assertEqual(
                    refused.exception.message,
                    "This person is a child: record the guardian's consent and the child's assent.",
                )
                self.assertEqual(everything_about(self.case()), before)

    def test_a_childs_consent_needs_the_guardians_consent_and_the_childs_assent(self) -> None:
        self.assess_age()
        child = {
            "method": ConsentMethod.CHILD,
            "guardian_consented": True,
            "guardian_name": "Ms Guardian",
            "child_assented": True,
        }
        for missing in ("guardian_consented", "guardian_name", "child_assented"):
            with self.subTest(missing=missing), self.assertRaises(RefusedError):
                self.consent(**{**child, missing: "" if missing == "guardian_name" else False})
        consent = self.consent(**child)
        self.assertTrue(consent.guardian_consented and consent.child_assented)
        self.assertEqual(consent.guardian_name, "Ms Guardian")

    def test_the_cases_guardian_is_the_one_named_by_default(self) -> None:
        self.assess_age()
        self.record_safeguards()
        consent = self.consent(
            method=ConsentMethod.CHILD, guardian_consented=True, child_assented=True
        )
        self.assertEqual(consent.guardian_name, SAFEGUARDS["guardian"])

    def test_an_adults_consent_recorded_before_the_age_was_known_shares_nothing(self) -> None:
        service = self.world.services_listed["B"]
        on = today()
        self.assertEqual(
            referrals.allowed_categories(self.case(), service.provider, "assistance", on),
            ["identity", "contact"],
        )
        self.assess_age(AgeOutcome.UNCERTAIN, benefit_of_doubt_applied=True)
        self.assertEqual(
            referrals.allowed_categories(self.case(), service.provider, "assistance", on), []
        )
        with self.assertRaises(RefusedError):
            referrals.send_referral(
                self.worker(),
                self.case(),
                service,
                purpose="assistance",
                reason="AdditionalServicesRequired",
                details="",
                categories=["contact"],
                channel=Channel.HAVEN,
            )
        # The referral already sent shows nothing more under that consent.
        self.assertEqual(
            referrals.visible_categories(self.world.referrals["A"], timezone.now()), []
        )
        # The case page says so beside the consent, so nobody relies on it.
        page = self.client_for("A", Role.CASE_WORKER).get(
            reverse("cases:detail", args=[self.case().reference])
        )
        self.assertContains(page, "consent: it shares nothing for a child")


class ChildSafeguardPageTests(ChildSafeguardsTestCase):
    def test_the_case_page_says_what_a_child_still_needs_and_links_the_age_page(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        url = reverse("cases:detail", args=[self.case().reference])
        page = client.get(url)
        self.assertNotContains(page, 'id="child-safeguards-missing"')
        self.assertContains(page, reverse("cases:age_assessment_add", args=[self.case().reference]))
        self.assess_age()
        page = client.get(url)
        self.assertContains(page, 'id="child-safeguards-missing"')
        self.assertContains(page, "Interview (holistic assessment)")
        self.record_safeguards()
        self.assertNotContains(client.get(url), 'id="child-safeguards-missing"')

    def test_the_age_page_records_an_assessment(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        url = reverse("cases:age_assessment_add", args=[self.case().reference])
        response = client.post(
            url,
            {
                "method": "medical",
                "assessed_on": today().isoformat(),
                "outcome": "uncertain",
                "estimated_age": "17",
                "benefit_of_doubt_applied": "on",
                "note": "Wrist X-ray inconclusive",
            },
        )
        self.assertEqual(response.status_code, 302)
        assessment = AgeAssessment.objects.get()
        self.assertEqual((assessment.method, assessment.estimated_age), ("medical", 17))
        self.assertTrue(is_child(self.case()))
        self.assertContains(client.get(url), "Wrist X-ray inconclusive")

    def test_bad_input_on_the_age_page_saves_nothing_and_never_fails(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        url = reverse("cases:age_assessment_add", args=[self.case().reference])
        good = {"method": "interview", "assessed_on": today().isoformat(), "outcome": "child"}
        for bad in (
            {"assessed_on": (today() + dt.timedelta(days=1)).isoformat()},
            {"assessed_on": "not a date"},
            {"outcome": "teenager"},
            {"method": ""},
            {"estimated_age": "-3"},
            {"estimated_age": "x" * 5000},
            {"outcome": "adult", "benefit_of_doubt_applied": "on"},
        ):
            with self.subTest(bad=bad):
                response = client.post(url, {**good, **bad})
                self.assertIn(response.status_code, (200, 400, 409))
        self.assertFalse(AgeAssessment.objects.exists())

    def test_a_childs_screening_asks_for_the_safeguards_and_keeps_what_was_typed(self) -> None:
        screener = self.world.user("A", Role.SCREENER)
        screening = screening_actions.start_screening(screener, readiness=READY)
        screening_actions.set_profile(
            screener,
            screening,
            {"age_at_events": 14, "exploitation": ["labour"], "interview_language": "en"},
            expected_version=screening.version,
        )
        client = self.client_for("A", Role.SCREENER)
        url = reverse("screening:result", args=[screening.reference])
        self.assertContains(client.get(url), "The child gives their assent")
        screening.refresh_from_db()
        data = {
            "judgement": "not_indicated",
            "reason": "Nothing found",
            "version": screening.version,
            "guardian": "Ms Guardian",
        }
        refused = client.post(url, data)
        self.assertEqual(refused.status_code, 400)
        self.assertContains(refused, "This screening is of a child", status_code=400)
        self.assertContains(refused, 'value="Ms Guardian"', status_code=400)
        screening.refresh_from_db()
        self.assertFalse(screening.is_completed)
        done = client.post(
            url,
            {**data, "best_interests_assessed_on": today().isoformat(), "child_assent": "on"},
        )
        self.assertEqual(done.status_code, 302)
        screening.refresh_from_db()
        self.assertTrue(screening.is_completed)
        self.assertEqual(screening.guardian, "Ms Guardian")

    def test_the_consent_form_records_a_childs_consent(self) -> None:
        self.assess_age()
        client = self.client_for("A", Role.CASE_WORKER)
        url = reverse("referrals:consent_add", args=[self.case().reference])
        form = {
            "recipient_provider": self.world.providers["B"].pk,
            "categories": ["health"],
            "purpose": "assistance",
            "expires_on": (today() + dt.timedelta(days=30)).isoformat(),
            "method": "written",
            "purpose_explained": "on",
            "uses_explained": "on",
            "right_to_see_explained": "on",
            "storage_explained": "on",
            "withdrawal_explained": "on",
        }
        count = Consent.objects.count()
        refused = client.post(url, form)
        self.assertContains(refused, "This person is a child", status_code=refused.status_code)
        self.assertEqual(Consent.objects.count(), count)
        child = {
            **form,
            "method": ConsentMethod.CHILD,
            "guardian_consented": "on",
            "guardian_name": "Ms Guardian",
            "child_assented": "on",
        }
        self.assertEqual(client.post(url, child).status_code, 302)
        consent = Consent.objects.latest("pk")
        self.assertEqual(consent.guardian_name, "Ms Guardian")
