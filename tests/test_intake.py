"""The hand-over from screening to casework: a screened person reaches a case worker.

The rules live in `haven.cases.intake`; the tests call the actions directly, then walk the
same path through the pages as a screener, a supervisor, an intake officer and a case worker.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from haven.accounts.models import User
from haven.accounts.roles import Role
from haven.audit.models import Action, AuditEntry
from haven.cases import intake
from haven.cases.actions import open_case
from haven.cases.models import Case, CaseStatus, Intake, Notification
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.core.management.commands.demo import SCREENINGS
from haven.people.access import people_for
from haven.people.actions import create_person
from haven.people.models import Person
from haven.screening import actions as screening_actions
from haven.screening import engine
from haven.screening.models import Screening
from tests.personas import READY, HavenTestCase

PRESUMED = SCREENINGS["adult_labour"]


class IntakeTests(HavenTestCase):
    def setUp(self) -> None:
        self.screener = self.world.user("A", Role.SCREENER)
        self.worker = self.world.user("A", Role.CASE_WORKER)
        self.supervisor = self.world.user("A", Role.SUPERVISOR)
        self.officer = self.world.user("A", Role.INTAKE_OFFICER)
        self.person = create_person(
            self.screener,
            {"full_name": "Intake Sample Person", "gender": "Feminine", "citizenship": ["KH"]},
            confirmed_not_duplicate=True,
        )

    def screened(
        self, person: Person | None = None, *, medical: bool = False, complete: bool = True
    ) -> Screening:
        screening = screening_actions.start_screening(
            self.screener, readiness=READY, person=person or self.person
        )
        screening_actions.set_profile(
            self.screener,
            screening,
            {**PRESUMED["profile"], "interview_language": "en"},
            expected_version=screening.version,
        )
        screening_actions.record_answers(
            self.screener,
            screening,
            None,
            {**PRESUMED["answers"], "protection_urgent_medical_need": "yes" if medical else "no"},
            {},
            expected_version=screening.version,
        )
        if complete:
            outcome = engine.evaluate(screening.profile, screening.answers, "en").outcome
            screening_actions.complete(
                self.screener,
                screening,
                judgement=outcome,
                reason="",
                expected_version=screening.version,
            )
        return screening

    def assign(self, item: Intake, actor: User | None = None, case: Case | None = None) -> Case:
        return intake.assign(
            actor or self.supervisor,
            item,
            case_worker=self.worker,
            case=case,
            expected_version=item.version,
        )

    # --- the actions ------------------------------------------------------------------

    def test_hand_over_puts_the_person_in_the_queue_most_urgent_first(self) -> None:
        plain = intake.hand_over(self.screener, self.screened())
        other = create_person(
            self.screener,
            {"full_name": "Intake Second Sample", "gender": "Masculine"},
            confirmed_not_duplicate=True,
        )
        urgent = intake.hand_over(self.screener, self.screened(other, medical=True))
        self.assertEqual(list(intake.intake_queue(self.supervisor)), [urgent, plain])
        self.assertEqual(list(intake.intake_queue(self.officer)), [urgent, plain])
        self.assertEqual(urgent.priority, 0)
        for role in (Role.SCREENER, Role.CASE_WORKER, Role.COORDINATOR, Role.ANALYST):
            self.assertFalse(intake.intake_queue(self.world.user("A", role)).exists())
        self.assertFalse(intake.intake_queue(self.world.user("B", Role.SUPERVISOR)).exists())
        self.assertTrue(
            AuditEntry.objects.filter(
                action=Action.INTAKE_HAND_OVER, object_ref=plain.screening.reference
            ).exists()
        )

    def test_hand_over_refuses_what_a_case_worker_could_not_act_on(self) -> None:
        unfinished = self.screened(complete=False)
        with self.assertRaises(RefusedError):
            intake.hand_over(self.screener, unfinished)
        anonymous = screening_actions.start_screening(self.screener, readiness=READY)
        with self.assertRaises(RefusedError):
            intake.hand_over(self.screener, anonymous)
        done = self.screened()
        with self.assertRaises(RefusedError):  # not the screener's own, not their org's
            intake.hand_over(self.world.user("B", Role.SUPERVISOR), done)
        intake.hand_over(self.screener, done)
        with self.assertRaises(RefusedError):
            intake.hand_over(self.screener, done)
        with self.assertRaises(RefusedError):  # the person already waits
            intake.hand_over(self.screener, self.screened())
        self.assertEqual(Intake.objects.filter(person=self.person).count(), 1)

    def test_a_screening_whose_case_has_a_worker_needs_no_hand_over(self) -> None:
        screening = self.world.screenings["A"]
        screening_actions.record_answers(
            self.screener,
            screening,
            None,
            PRESUMED["answers"],
            {},
            expected_version=screening.version,
        )
        screening_actions.complete(
            self.screener,
            screening,
            judgement=screening.outcome or "presumed_victim",
            reason="fixture",
            expected_version=screening.version,
        )
        with self.assertRaises(RefusedError):
            intake.hand_over(self.screener, screening)

    def test_assigning_opens_a_case_attaches_the_screening_and_tells_the_worker(self) -> None:
        screening = self.screened()
        item = intake.hand_over(self.screener, screening)
        self.assertFalse(
            people_for(self.worker, intake.Capability.PERSON_VIEW)
            .filter(pk=self.person.pk)
            .exists()
        )
        case = self.assign(item, actor=self.officer)
        self.assertEqual(case.person, self.person)
        self.assertEqual(case.assigned_to, self.worker)
        screening.refresh_from_db()
        self.assertEqual(screening.case, case)
        item.refresh_from_db()
        self.assertFalse(item.is_waiting)
        self.assertEqual(
            (item.case, item.assigned_to, item.assigned_by), (case, self.worker, self.officer)
        )
        self.assertTrue(
            people_for(self.worker, intake.Capability.PERSON_VIEW)
            .filter(pk=self.person.pk)
            .exists()
        )
        told = Notification.objects.filter(user=self.worker, event__case=case)
        self.assertIn("handed_over", set(told.values_list("event__kind", flat=True)))
        self.assertFalse(intake.intake_queue(self.supervisor).exists())
        with self.assertRaises(RefusedError):
            self.assign(item)

    def test_assigning_onto_an_existing_active_case(self) -> None:
        existing = open_case(
            self.supervisor,
            self.person,
            assigned_to=None,
            opened_on=dt.date(2026, 2, 1),
            summary="",
        )
        item = intake.hand_over(self.screener, self.screened())
        case = self.assign(item, case=existing)
        self.assertEqual(case.pk, existing.pk)
        existing.refresh_from_db()
        self.assertEqual(existing.assigned_to, self.worker)
        self.assertEqual(Case.objects.filter(person=self.person).count(), 1)

    def test_assign_refuses_wrong_people_cases_and_stale_versions(self) -> None:
        item = intake.hand_over(self.screener, self.screened())
        for role in (Role.SCREENER, Role.CASE_WORKER, Role.COORDINATOR, Role.ORG_ADMIN):
            with self.assertRaises(RefusedError):
                self.assign(item, actor=self.world.user("A", role))
        with self.assertRaises(RefusedError):
            self.assign(item, actor=self.world.user("B", Role.SUPERVISOR))
        with self.assertRaises(RefusedError):  # a case worker of another organisation
            intake.assign(
                self.supervisor,
                item,
                case_worker=self.world.user("B", Role.CASE_WORKER),
                case=None,
                expected_version=item.version,
            )
        with self.assertRaises(RefusedError):  # somebody else's case
            self.assign(item, case=self.world.cases["A"])
        closed = open_case(
            self.supervisor,
            self.person,
            assigned_to=None,
            opened_on=dt.date(2026, 2, 1),
            summary="",
        )
        Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)
        with self.assertRaises(RefusedError):  # a closed case is not one to assign onto
            self.assign(item, case=closed)
        with self.assertRaises(ConcurrentEditError):
            intake.assign(
                self.supervisor,
                item,
                case_worker=self.worker,
                case=None,
                expected_version=item.version + 1,
            )
        item.refresh_from_db()
        self.assertTrue(item.is_waiting)
        self.assertEqual(Case.objects.filter(person=self.person).count(), 1)

    # --- the pages --------------------------------------------------------------------

    def test_the_pages_from_screener_to_case_worker(self) -> None:
        screening = self.screened(medical=True)
        screener = self.client_for("A", Role.SCREENER)
        result = reverse("screening:result", args=[screening.reference])
        page = screener.get(result)
        self.assertContains(page, "Hand over to casework")
        screener.post(reverse("screening:hand_over", args=[screening.reference]))
        self.assertContains(screener.get(result), "waiting in the intake queue")

        supervisor = self.client_for("A", Role.SUPERVISOR)
        home = supervisor.get(reverse("core:home"))
        self.assertContains(home, "Waiting for a case worker")
        self.assertContains(home, self.person.reference)
        self.assertContains(home, "Urgent")
        self.assertNotContains(home, "Intake Sample Person")

        officer = self.client_for("A", Role.INTAKE_OFFICER)
        queue = officer.get(reverse("cases:intake"))
        self.assertContains(queue, "Urgent medical need")
        self.assertNotContains(queue, "Intake Sample Person")
        item = Intake.objects.get(screening=screening)
        assign = reverse("cases:intake_assign", args=[item.pk])
        prefix = f"i{item.pk}"
        refused = officer.post(assign, {f"{prefix}-version": item.version}, follow=True)
        self.assertContains(refused, "Nothing was changed")
        self.assertTrue(Intake.objects.get(pk=item.pk).is_waiting)
        officer.post(
            assign,
            {
                f"{prefix}-case_worker": self.worker.pk,
                f"{prefix}-case": "",
                f"{prefix}-version": item.version,
            },
        )
        case = Case.objects.get(person=self.person)

        worker = self.client_for("A", Role.CASE_WORKER)
        self.assertContains(worker.get(reverse("core:home")), case.reference)
        self.assertContains(
            worker.get(reverse("cases:detail", args=[case.reference])), screening.reference
        )
        self.assertEqual(
            worker.get(reverse("people:detail", args=[self.person.reference])).status_code, 200
        )
        self.assertContains(screener.get(result), "Given to the case worker")
