"""Opening a second active case for the same person: a warning the user answers, not a rule."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from haven.accounts.roles import Role
from haven.audit.models import Action, AuditEntry
from haven.cases.actions import ActiveCaseExistsError, open_case
from haven.cases.models import Case, CaseStatus
from haven.people.models import Person
from tests.personas import HavenTestCase

OPENED = dt.date(2026, 3, 1)


class SecondCaseActionTests(HavenTestCase):
    def open(self, role: Role = Role.CASE_WORKER, *, confirmed: bool = False) -> Case:
        actor = self.world.user("A", role)
        return open_case(
            actor,
            self.world.people["A"],
            assigned_to=self.world.user("A", Role.CASE_WORKER),
            opened_on=OPENED,
            summary="",
            confirmed_second_case=confirmed,
        )

    def audited_fields(self, case: Case) -> list[str]:
        entry = AuditEntry.objects.get(action=Action.CASE_CREATE, object_ref=case.reference)
        return list(entry.changed_fields)

    def test_an_active_case_stops_a_second_one_and_is_named(self) -> None:
        before = Case.objects.count()
        with self.assertRaises(ActiveCaseExistsError) as raised:
            self.open()
        self.assertEqual(raised.exception.cases, [self.world.cases["A"]])
        self.assertEqual(Case.objects.count(), before)

    def test_a_case_in_follow_up_still_counts_as_active(self) -> None:
        Case.objects.filter(pk=self.world.cases["A"].pk).update(status=CaseStatus.FOLLOW_UP)
        with self.assertRaises(ActiveCaseExistsError):
            self.open()

    def test_a_closed_case_does_not_warn(self) -> None:
        for status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED):
            Case.objects.filter(person=self.world.people["A"]).update(status=status)
            case = self.open()
            self.assertNotIn("confirmed_second_case", self.audited_fields(case))

    def test_another_organisations_case_does_not_warn(self) -> None:
        own = self.world.cases["A"]
        Case.objects.filter(pk=own.pk).update(status=CaseStatus.CLOSED)
        # The same person's active case held by organisation B (as a data fixture).
        Case.objects.create(
            reference="CAS-ZZZ-ZZZ",
            person=self.world.people["A"],
            jurisdiction=own.jurisdiction,
            organisation=self.world.orgs["B"],
            created_by=self.world.user("B", Role.CASE_WORKER),
            opened_on=OPENED,
        )
        self.assertEqual(self.open().organisation, self.world.orgs["A"])

    def test_a_case_the_actor_cannot_see_warns_without_naming_it(self) -> None:
        Case.objects.filter(pk=self.world.cases["A"].pk).update(
            created_by=self.world.user("A", Role.SUPERVISOR), assigned_to=None
        )
        with self.assertRaises(ActiveCaseExistsError) as raised:
            self.open()
        self.assertEqual(raised.exception.cases, [])

    def test_confirmed_second_case_is_opened_and_the_audit_names_the_answer(self) -> None:
        case = self.open(Role.SUPERVISOR, confirmed=True)
        self.assertEqual(case.person, self.world.people["A"])
        self.assertIn("confirmed_second_case", self.audited_fields(case))
        self.assertEqual(
            Case.objects.filter(person=self.world.people["A"]).exclude(pk=case.pk).count(), 1
        )


class SecondCaseViewTests(HavenTestCase):
    def url(self) -> str:
        return reverse("cases:create", args=[self.world.people["A"].reference])

    def test_the_form_warns_and_links_to_the_active_case(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        before = Case.objects.count()
        page = client.post(self.url(), {"opened_on": "2026-03-01", "summary": ""})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "This person already has an active case")
        existing = self.world.cases["A"]
        self.assertContains(page, reverse("cases:detail", args=[existing.reference]))
        self.assertContains(page, self.world.user("A", Role.CASE_WORKER).username)
        self.assertContains(page, 'name="confirmed_second_case"')
        self.assertNotContains(page, self.world.people["A"].full_name)
        self.assertEqual(Case.objects.count(), before)

    def test_the_confirmed_form_opens_the_second_case(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        response = client.post(
            self.url(),
            {"opened_on": "2026-03-01", "summary": "", "confirmed_second_case": "on"},
        )
        self.assertEqual(response.status_code, 302)
        reference = response["Location"].split("/")[2]
        case = Case.objects.get(reference=reference)
        self.assertNotEqual(case, self.world.cases["A"])
        entry = AuditEntry.objects.get(action=Action.CASE_CREATE, object_ref=reference)
        self.assertIn("confirmed_second_case", entry.changed_fields)

    def test_a_case_worker_is_told_to_ask_when_the_active_case_is_a_colleagues(self) -> None:
        worker = self.world.user("A", Role.CASE_WORKER)
        # The worker recorded the person, but the active case is a colleague's.
        Person.objects.filter(pk=self.world.people["A"].pk).update(created_by=worker)
        Case.objects.filter(pk=self.world.cases["A"].pk).update(
            created_by=self.world.user("A", Role.SUPERVISOR), assigned_to=None
        )
        client = self.client_for("A", Role.CASE_WORKER)
        page = client.post(self.url(), {"opened_on": "2026-03-01", "summary": ""})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "Ask your supervisor before you open another case.")
        self.assertNotContains(page, self.world.cases["A"].reference)

    def test_the_edit_form_does_not_offer_the_confirmation(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        page = client.get(reverse("cases:edit", args=[self.world.cases["A"].reference]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'name="confirmed_second_case"')
