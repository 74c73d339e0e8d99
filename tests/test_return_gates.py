"""Non-refoulement and the reflection period as gates on a voluntary return (issue 12,
part 4): the actions refuse, with the reason in the user's language, and change nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from haven.accounts.roles import Role
from haven.assistance.actions import approve_return_plan, save_return_plan
from haven.assistance.models import ReturnPlan
from haven.audit.models import Action, AuditEntry
from haven.cases.actions import update_case_record
from haven.cases.choices import AsylumReferral, FearOfReturn
from haven.cases.models import Case, CaseEvent, EventKind
from haven.core.errors import ConcurrentEditError
from haven.identification import jurisdictions
from tests.test_case_management import CaseManagementTestCase, fresh, return_data, today

ASSESSMENT = "Recruiter convicted; village chief and family confirm no threat (TEST)"


def plan_state(case: Case) -> tuple[Any, ...]:
    plan = ReturnPlan.objects.get(case=case)
    return (plan.version, plan.approved_at, plan.protection_found_safe, plan.travel_on)


class ReturnGateTestCase(CaseManagementTestCase):
    def setUp(self) -> None:
        self.plan = save_return_plan(self.worker, self.case, return_data(), expected_version=None)

    def approve(self, **kwargs: Any) -> ReturnPlan:
        plan = ReturnPlan.objects.get(case=self.case)
        return approve_return_plan(
            self.supervisor, self.case, expected_version=plan.version, **kwargs
        )

    def refused(self, **kwargs: Any) -> str:
        """The approval is refused and neither the case nor the plan changed."""
        before = plan_state(self.case)
        error = self.assertRefusedAndUnchanged(
            self.case,
            lambda c: approve_return_plan(
                self.supervisor,
                c,
                expected_version=ReturnPlan.objects.get(case=c).version,
                **kwargs,
            ),
        )
        self.assertEqual(plan_state(self.case), before)
        return error.message

    def set_case(self, **fields: Any) -> None:
        Case.objects.filter(pk=self.case.pk).update(**fields)


class ApprovalTests(ReturnGateTestCase):
    def test_a_supervisor_approves_a_plan_with_no_bar(self) -> None:
        plan = self.approve()
        self.assertTrue(plan.is_approved)
        self.assertEqual(plan.approved_by, self.supervisor)
        self.assertFalse(plan.protection_found_safe)
        entry = AuditEntry.objects.order_by("-seq").first()
        assert entry is not None
        self.assertEqual(entry.action, Action.ASSISTANCE_RETURN_APPROVE)
        self.assertTrue(
            CaseEvent.objects.filter(case=self.case, kind=EventKind.RETURN_APPROVED).exists()
        )

    def test_only_a_supervisor_approves(self) -> None:
        for role in (Role.CASE_WORKER, Role.SCREENER, Role.DETERMINATION_OFFICER):
            with self.subTest(role=role):
                user = self.world.user("A", role)
                self.assertRefusedAndUnchanged(
                    self.case,
                    lambda c, user=user: approve_return_plan(
                        user, c, expected_version=self.plan.version
                    ),
                )
        other = self.world.user("B", Role.SUPERVISOR)
        self.assertRefusedAndUnchanged(
            self.case,
            lambda c: approve_return_plan(other, c, expected_version=self.plan.version),
        )
        self.assertFalse(fresh_plan(self.case).is_approved)

    def test_a_stale_plan_is_not_approved(self) -> None:
        with self.assertRaises(ConcurrentEditError):
            approve_return_plan(self.supervisor, self.case, expected_version=self.plan.version + 5)
        self.assertFalse(fresh_plan(self.case).is_approved)

    def test_a_changed_plan_needs_approving_again(self) -> None:
        plan = self.approve()
        save_return_plan(
            self.worker,
            self.case,
            return_data(receiving_organisation="Another NGO"),
            expected_version=plan.version,
        )
        self.assertFalse(fresh_plan(self.case).is_approved)
        # Approved again, it cannot be approved twice.
        self.approve()
        self.assertIn("already approved", self.refused())


class NonRefoulementTests(ReturnGateTestCase):
    def test_fear_of_return_bars_approval_without_a_protection_assessment(self) -> None:
        self.set_case(fear_of_return=FearOfReturn.YES)
        for kwargs in (
            {},
            {"found_safe": True, "assessment": ASSESSMENT},
            {"still_asks": True, "assessment": ASSESSMENT},
            {"found_safe": True, "still_asks": True, "assessment": "   "},
        ):
            with self.subTest(**{k: bool(v) for k, v in kwargs.items()}):
                message = self.refused(**kwargs)
                self.assertIn("fears harm", message)
                self.assertIn("protection assessment", message)
        plan = self.approve(found_safe=True, still_asks=True, assessment=ASSESSMENT)
        self.assertTrue(plan.is_approved)
        self.assertTrue(plan.protection_found_safe and plan.protection_still_asks)
        self.assertEqual(plan.protection_assessed_on, today())
        entry = AuditEntry.objects.order_by("-seq").first()
        assert entry is not None
        self.assertNotIn("Recruiter", json.dumps(entry.changed_fields))

    def test_an_open_asylum_referral_bars_approval_until_it_ends(self) -> None:
        self.set_case(asylum_referral=AsylumReferral.REFERRED, asylum_referral_on=today())
        self.assertIn("asylum", self.refused())
        self.set_case(asylum_referral=AsylumReferral.ENDED)
        self.assertTrue(self.approve().is_approved)

    def test_fear_recorded_after_approval_withdraws_it(self) -> None:
        self.approve()
        case = self.case
        update_case_record(
            self.worker, case, {"fear_of_return": FearOfReturn.YES}, expected_version=case.version
        )
        self.assertFalse(fresh_plan(case).is_approved)
        # Approved on a protection assessment: the approval stands.
        self.approve(found_safe=True, still_asks=True, assessment=ASSESSMENT)
        case = self.case
        update_case_record(
            self.worker,
            case,
            {"asylum_referral": AsylumReferral.REFERRED, "asylum_referral_on": today()},
            expected_version=case.version,
        )
        self.assertTrue(fresh_plan(case).is_approved)


class ReflectionTests(ReturnGateTestCase):
    def start_reflection(self, jurisdiction: str = "generic") -> None:
        self.set_case(
            jurisdiction=jurisdiction,
            reflection_starts=today() - dt.timedelta(days=3),
            reflection_ends=today() + dt.timedelta(days=26),
        )

    def test_no_approval_during_the_reflection_period_with_the_profiles_words(self) -> None:
        for ident in ("generic", "nrm"):
            with self.subTest(profile=ident):
                self.start_reflection(ident)
                profile = jurisdictions.get(ident)
                self.assertIn(profile.reflection_notice, self.refused())
                with translation.override("th"):
                    self.assertIn(profile.reflection_notice_in("th"), self.refused())
                    self.assertNotEqual(
                        profile.reflection_notice_in("th"), profile.reflection_notice
                    )

    def test_no_travel_date_inside_the_reflection_period(self) -> None:
        self.set_case(
            reflection_starts=today() + dt.timedelta(days=2),
            reflection_ends=today() + dt.timedelta(days=31),
        )
        before = plan_state(self.case)
        self.assertRefusedAndUnchanged(
            self.case,
            lambda c: save_return_plan(
                self.worker,
                c,
                return_data(travel_on=today() + dt.timedelta(days=10)),
                expected_version=self.plan.version,
            ),
        )
        self.assertEqual(plan_state(self.case), before)
        # After it ends, the travel date is fine and the plan can be approved.
        plan = save_return_plan(
            self.worker,
            self.case,
            return_data(travel_on=today() + dt.timedelta(days=40)),
            expected_version=self.plan.version,
        )
        self.assertEqual(plan.travel_on, today() + dt.timedelta(days=40))
        self.assertTrue(self.approve().is_approved)

    def test_the_period_over_the_return_may_be_approved(self) -> None:
        self.set_case(
            reflection_starts=today() - dt.timedelta(days=40),
            reflection_ends=today() - dt.timedelta(days=11),
        )
        self.assertTrue(self.approve().is_approved)


class ApprovalPageTests(ReturnGateTestCase):
    def url(self) -> str:
        return reverse("assistance:return_approve", args=[self.case.reference])

    def test_the_page_asks_for_the_protection_assessment_and_refuses_without_it(self) -> None:
        self.set_case(fear_of_return=FearOfReturn.YES)
        client = self.client_for("A", Role.SUPERVISOR)
        page = client.get(self.url())
        self.assertContains(page, "Non-refoulement")
        self.assertContains(page, 'name="assessment"')
        response = client.post(self.url(), {"version": self.plan.version})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "protection assessment", status_code=400)
        self.assertFalse(fresh_plan(self.case).is_approved)
        response = client.post(
            self.url(),
            {
                "version": self.plan.version,
                "found_safe": "on",
                "still_asks": "on",
                "assessment": ASSESSMENT,
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(fresh_plan(self.case).is_approved)
        case_page = client.get(reverse("cases:detail", args=[self.case.reference]))
        self.assertContains(case_page, "return found safe")

    def test_the_case_page_says_why_a_plan_waits(self) -> None:
        self.set_case(
            reflection_starts=today() - dt.timedelta(days=1),
            reflection_ends=today() + dt.timedelta(days=28),
        )
        page = self.client_for("A", Role.SUPERVISOR).get(
            reverse("cases:detail", args=[self.case.reference])
        )
        self.assertContains(page, "Waiting for a supervisor")
        self.assertContains(page, escape(jurisdictions.get("generic").reflection_notice))
        worker_page = self.client_for("A", Role.CASE_WORKER).get(
            reverse("cases:detail", args=[self.case.reference])
        )
        self.assertNotContains(worker_page, self.url())


def fresh_plan(case: Case) -> ReturnPlan:
    return ReturnPlan.objects.get(case=fresh(case))
