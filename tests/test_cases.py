"""Cases: opening, editing, assignment rights."""

from __future__ import annotations

from django.urls import reverse

from haven.accounts.roles import Role
from haven.audit.models import AuditEntry
from haven.cases.models import Case
from tests.personas import HavenTestCase


class CaseTests(HavenTestCase):
    def test_case_worker_opens_a_case_assigned_to_themselves(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        person = self.world.people["A"]
        response = client.post(
            reverse("cases:create", kwargs={"reference": person.reference}),
            {"opened_on": "2026-03-01", "summary": "First contact", "confirmed_second_case": "on"},
        )
        case = Case.objects.get(reference=response["Location"].split("/")[2])
        self.assertEqual(case.assigned_to, self.world.user("A", Role.CASE_WORKER))
        self.assertEqual(case.organisation, self.world.orgs["A"])
        self.assertTrue(
            AuditEntry.objects.filter(action="case.create", object_ref=case.reference).exists()
        )

    def test_supervisor_assigns_and_reassigns(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        case = self.world.cases["A"]
        response = client.post(
            reverse("cases:edit", kwargs={"reference": case.reference}),
            {
                "opened_on": "2026-01-05",
                "summary": case.summary,
                "assigned_to": "",
                "version": case.version,
            },
        )
        self.assertEqual(response.status_code, 302)
        case.refresh_from_db()
        self.assertIsNone(case.assigned_to)

    def test_supervisor_cannot_assign_someone_who_is_not_a_case_worker(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        case = self.world.cases["A"]
        outsider = self.world.user("B", Role.CASE_WORKER)
        response = client.post(
            reverse("cases:edit", kwargs={"reference": case.reference}),
            {"opened_on": "2026-01-05", "assigned_to": outsider.pk, "version": case.version},
        )
        self.assertEqual(response.status_code, 400)
        case.refresh_from_db()
        self.assertEqual(case.assigned_to, self.world.user("A", Role.CASE_WORKER))

    def test_case_worker_edit_keeps_the_assignment(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        case = self.world.cases["A"]
        client.post(
            reverse("cases:edit", kwargs={"reference": case.reference}),
            {
                "opened_on": "2026-01-05",
                "summary": "Updated",
                "assigned_to": "",
                "version": case.version,
            },
        )
        case.refresh_from_db()
        self.assertEqual(case.summary, "Updated")
        self.assertEqual(case.assigned_to, self.world.user("A", Role.CASE_WORKER))

    def test_case_page_does_not_show_identity(self) -> None:
        client = self.client_for("A", Role.DETERMINATION_OFFICER)
        case = self.world.cases["A"]
        page = client.get(reverse("cases:detail", kwargs={"reference": case.reference}))
        self.assertContains(page, case.person.reference)
        self.assertNotContains(page, "Fixture Person A")

    def test_future_opening_date_is_refused(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        person = self.world.people["A"]
        before = Case.objects.count()
        response = client.post(
            reverse("cases:create", kwargs={"reference": person.reference}),
            {"opened_on": "2999-01-01"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Case.objects.count(), before)
