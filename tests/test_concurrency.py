"""Two people editing the same record: the second save is refused with a clear message and
the first edit survives (version check).

Both editors load the edit page, so both forms carry the same hidden `version`. The first
save bumps the stored version; the second names the old one and is turned away.
"""

from __future__ import annotations

import datetime as dt

import pyotp
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from haven.accounts.actions import create_user
from haven.accounts.models import User
from haven.accounts.roles import Role
from haven.audit.chain import verify
from haven.audit.models import Action, AuditEntry
from haven.cases.actions import update_case
from haven.cases.models import Case
from haven.core.errors import ConcurrentEditError, stale_edit_message
from haven.people.actions import EDITABLE_FIELDS, update_person
from haven.people.models import Person
from tests.helpers import FormData, case_state, form_as_sent, hidden_version, person_state
from tests.personas import PASSWORD, HavenTestCase


def audit_count(action: str, reference: str) -> int:
    return AuditEntry.objects.filter(action=action, object_ref=reference).count()


class ConcurrentEditTests(HavenTestCase):
    second_supervisor: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.second_supervisor = create_user(
            actor=None,
            organisation_id=cls.world.orgs["A"].pk,
            username="a-supervisor-2",
            password=PASSWORD,
            roles=[Role.SUPERVISOR.value],
            totp_secret=pyotp.random_base32(),
        )

    def editors(self) -> tuple[Client, Client]:
        """Two supervisors of organisation A, each signed in on their own client."""
        second = Client()
        second.force_login(self.second_supervisor)
        return self.client_for("A", Role.SUPERVISOR), second

    def open_edit_page(self, client: Client, url: str) -> FormData:
        page = client.get(url)
        self.assertEqual(page.status_code, 200)
        data = form_as_sent(page)
        self.assertEqual(data["version"], str(hidden_version(page)))
        return data

    # --- People -------------------------------------------------------------------------

    def test_second_save_of_person_is_refused_and_first_edit_survives(self) -> None:
        reference = self.world.people["A"].reference
        edit_url = reverse("people:edit", args=[reference])
        first, second = self.editors()
        first_form = self.open_edit_page(first, edit_url)
        second_form = self.open_edit_page(second, edit_url)
        self.assertEqual(first_form["version"], second_form["version"])
        updates_before = audit_count(Action.PERSON_UPDATE, reference)
        original_phone = Person.objects.get(reference=reference).phone

        saved = first.post(edit_url, {**first_form, "full_name": "Name From First Editor"})
        self.assertRedirects(
            saved, reverse("people:detail", args=[reference]), fetch_redirect_response=False
        )
        refused = second.post(
            edit_url,
            {**second_form, "full_name": "Name From Second Editor", "phone": "+66 2 000 0000"},
        )
        self.assertRedirects(refused, edit_url, fetch_redirect_response=False)

        person = Person.objects.get(reference=reference)
        self.assertEqual(person.full_name, "Name From First Editor")
        self.assertEqual(person.phone, original_phone)
        self.assertEqual(person.version, int(first_form["version"]) + 1)
        self.assertEqual(audit_count(Action.PERSON_UPDATE, reference), updates_before + 1)
        latest = AuditEntry.objects.filter(action=Action.PERSON_UPDATE).order_by("-seq").first()
        assert latest is not None
        self.assertEqual(latest.actor, self.world.user("A", Role.SUPERVISOR))
        self.assertTrue(verify().ok)

        shown = second.get(refused["Location"])
        self.assertContains(shown, escape(stale_edit_message()), count=1)
        self.assertNotContains(first.get(saved["Location"]), escape(stale_edit_message()))

    def test_refused_person_editor_gets_the_latest_version_and_can_save_again(self) -> None:
        reference = self.world.people["A"].reference
        edit_url = reverse("people:edit", args=[reference])
        first, second = self.editors()
        first_form = self.open_edit_page(first, edit_url)
        second_form = self.open_edit_page(second, edit_url)
        first.post(edit_url, {**first_form, "full_name": "Name From First Editor"})
        refused = second.post(edit_url, {**second_form, "given_name": "Second"})

        # "The form now shows the latest version": the first editor's name and version.
        reloaded = second.get(refused["Location"])
        fresh = form_as_sent(reloaded)
        self.assertEqual(fresh["full_name"], "Name From First Editor")
        self.assertEqual(hidden_version(reloaded), int(first_form["version"]) + 1)

        saved = second.post(edit_url, {**fresh, "given_name": "Second"})
        self.assertRedirects(
            saved, reverse("people:detail", args=[reference]), fetch_redirect_response=False
        )
        person = Person.objects.get(reference=reference)
        self.assertEqual(
            (person.full_name, person.given_name), ("Name From First Editor", "Second")
        )
        self.assertEqual(person.version, int(first_form["version"]) + 2)

    def test_person_edit_without_a_version_is_refused_as_stale(self) -> None:
        reference = self.world.people["A"].reference
        edit_url = reverse("people:edit", args=[reference])
        editor, _other = self.editors()
        form = self.open_edit_page(editor, edit_url)
        del form["version"]
        before = person_state(reference)
        response = editor.post(edit_url, {**form, "full_name": "Overwrite Without Version"})
        self.assertRedirects(response, edit_url, fetch_redirect_response=False)
        self.assertEqual(person_state(reference), before)

    def test_save_that_changes_nothing_does_not_make_the_other_form_stale(self) -> None:
        reference = self.world.people["A"].reference
        edit_url = reverse("people:edit", args=[reference])
        first, second = self.editors()
        first_form = self.open_edit_page(first, edit_url)
        second_form = self.open_edit_page(second, edit_url)
        first.post(edit_url, first_form)
        saved = second.post(edit_url, {**second_form, "full_name": "Name From Second Editor"})
        self.assertRedirects(
            saved, reverse("people:detail", args=[reference]), fetch_redirect_response=False
        )
        self.assertEqual(
            Person.objects.get(reference=reference).full_name, "Name From Second Editor"
        )

    def test_update_person_with_stale_version_raises_and_changes_nothing(self) -> None:
        reference = self.world.people["A"].reference
        person = Person.objects.get(reference=reference)
        stale = person.version
        data = {name: getattr(person, name) for name in EDITABLE_FIELDS}
        update_person(
            self.world.user("A", Role.SUPERVISOR),
            person,
            {**data, "full_name": "Name From First Editor"},
            expected_version=stale,
        )
        before = person_state(reference)
        audit_rows = AuditEntry.objects.count()

        for expected_version in (stale, stale + 2, 0):
            with self.subTest(expected_version=expected_version):
                with self.assertRaises(ConcurrentEditError):
                    update_person(
                        self.second_supervisor,
                        Person.objects.get(reference=reference),
                        {**data, "full_name": "Name From Second Editor", "aliases": ["Other"]},
                        expected_version=expected_version,
                    )
                self.assertEqual(person_state(reference), before)
                self.assertEqual(AuditEntry.objects.count(), audit_rows)
        self.assertEqual(before["full_name"], "Name From First Editor")
        self.assertEqual(before["version"], stale + 1)

    # --- Cases --------------------------------------------------------------------------

    def test_second_save_of_case_is_refused_and_first_edit_survives(self) -> None:
        reference = self.world.cases["A"].reference
        edit_url = reverse("cases:edit", args=[reference])
        first, second = self.editors()
        first_form = self.open_edit_page(first, edit_url)
        second_form = self.open_edit_page(second, edit_url)
        updates_before = audit_count(Action.CASE_UPDATE, reference)
        original = case_state(reference)

        saved = first.post(edit_url, {**first_form, "summary": "Summary from the first editor"})
        self.assertRedirects(
            saved, reverse("cases:detail", args=[reference]), fetch_redirect_response=False
        )
        refused = second.post(
            edit_url,
            {**second_form, "summary": "Summary from the second editor", "assigned_to": ""},
        )
        self.assertRedirects(refused, edit_url, fetch_redirect_response=False)

        after = case_state(reference)
        self.assertEqual(after["summary"], "Summary from the first editor")
        self.assertEqual(after["assigned_to"], original["assigned_to"])
        self.assertEqual(after["version"], original["version"] + 1)
        self.assertEqual(audit_count(Action.CASE_UPDATE, reference), updates_before + 1)
        self.assertTrue(verify().ok)

        shown = second.get(refused["Location"])
        self.assertContains(shown, escape(stale_edit_message()), count=1)
        fresh = form_as_sent(shown)
        self.assertEqual(fresh["summary"], "Summary from the first editor")
        self.assertEqual(hidden_version(shown), after["version"])

    def test_update_case_with_stale_version_raises_and_changes_nothing(self) -> None:
        reference = self.world.cases["A"].reference
        case = Case.objects.get(reference=reference)
        stale = case.version
        update_case(
            self.world.user("A", Role.SUPERVISOR),
            case,
            expected_version=stale,
            summary="Summary from the first editor",
            opened_on=case.opened_on,
        )
        before = case_state(reference)
        audit_rows = AuditEntry.objects.count()
        with self.assertRaises(ConcurrentEditError):
            update_case(
                self.second_supervisor,
                Case.objects.get(reference=reference),
                expected_version=stale,
                summary="Summary from the second editor",
                opened_on=case.opened_on - dt.timedelta(days=1),
                assigned_to=None,
            )
        self.assertEqual(case_state(reference), before)
        self.assertEqual(AuditEntry.objects.count(), audit_rows)
        self.assertEqual(before["summary"], "Summary from the first editor")
