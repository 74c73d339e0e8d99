"""People: recording, exact search in any script, identity views audited, scoped lists."""

from __future__ import annotations

from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from haven.accounts.roles import Role
from haven.audit.models import AuditEntry
from haven.cases.actions import open_case
from haven.people.actions import create_person, update_person
from haven.people.models import Person
from tests.personas import HavenTestCase

NAMES = {
    "khmer": "សុខា ចាន់ធី",
    "burmese": "မောင်မောင်ဦး",
    "thai": "สมศรี ใจดี",
    "vietnamese": "Nguyễn Thị Hoa",
}


def person_form(**fields: str) -> dict[str, str]:
    return {
        "gender": "NonSpecifiedUnknown",
        "doc-TOTAL_FORMS": "1",
        "doc-INITIAL_FORMS": "0",
        **fields,
    }


class PeopleTests(HavenTestCase):
    def test_names_in_every_script_are_stored_found_and_shown(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        for script, name in NAMES.items():
            with self.subTest(script=script):
                response = client.post(reverse("people:create"), person_form(full_name=name))
                self.assertEqual(response.status_code, 302)
                reference = response["Location"].split("/")[2]
                found = client.post(reverse("people:search"), {"name": f"  {name.upper()} "})
                self.assertContains(found, reference)
                detail = client.get(response["Location"])
                self.assertContains(detail, name)

    def test_search_by_document_number_ignores_spacing_and_case(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        response = client.post(
            reverse("people:create"),
            person_form(
                full_name="Doc Holder",
                **{"doc-0-doc_type": "passport", "doc-0-number": "N 1234-567"},
            ),
        )
        reference = response["Location"].split("/")[2]
        found = client.post(reverse("people:search"), {"document": "n1234567"})
        self.assertContains(found, reference)

    def test_search_only_finds_people_the_user_may_see(self) -> None:
        client = self.client_for("B", Role.SUPERVISOR)
        found = client.post(reverse("people:search"), {"name": "Fixture Person A"})
        self.assertNotContains(found, self.world.people["A"].reference)

    def test_search_never_travels_in_the_url(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        self.assertEqual(client.get(reverse("people:search"), {"name": "x"}).status_code, 405)

    def test_htmx_search_returns_a_fragment(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        response = client.post(
            reverse("people:search"), {"name": "Fixture Person A"}, headers={"HX-Request": "true"}
        )
        self.assertNotContains(response, "<html")
        self.assertContains(response, self.world.people["A"].reference)

    def test_every_view_of_identity_is_audited(self) -> None:
        client = self.client_for("A", Role.DETERMINATION_OFFICER)
        person = self.world.people["A"]
        before = AuditEntry.objects.filter(action="person.view_identity").count()
        client.get(reverse("people:detail", kwargs={"reference": person.reference}))
        client.get(reverse("people:detail", kwargs={"reference": person.reference}))
        after = AuditEntry.objects.filter(action="person.view_identity").count()
        self.assertEqual(after - before, 2)

    def test_list_shows_references_not_names(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        listing = client.get(reverse("people:list"))
        self.assertContains(listing, self.world.people["A"].reference)
        self.assertNotContains(listing, "Fixture Person A")

    def test_page_titles_carry_references_only(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        person = self.world.people["A"]
        page = client.get(reverse("people:detail", kwargs={"reference": person.reference}))
        self.assertContains(page, f"<title>Person {person.reference} · Haven</title>", html=False)

    def test_estimated_age_sets_a_child_age_band(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        response = client.post(
            reverse("people:create"),
            person_form(full_name="Young Fixture", estimated_age="15", age_basis="Own account"),
        )
        person = Person.objects.get(reference=response["Location"].split("/")[2])
        self.assertEqual(person.age_band, "12-17")
        self.assertTrue(person.is_possibly_child)

    def test_edit_records_changed_field_names(self) -> None:
        client = self.client_for("A", Role.SCREENER)
        person = self.world.people["A"]
        client.post(
            reverse("people:edit", kwargs={"reference": person.reference}),
            person_form(
                full_name="Fixture Person A",
                phone="+66 1",
                gender="Feminine",
                citizenship="TH",
                languages="th",
                version=str(person.version),
            ),
        )
        entry = AuditEntry.objects.filter(action="person.update").latest("seq")
        self.assertEqual(entry.changed_fields, ["phone"])
        person.refresh_from_db()
        self.assertEqual(person.version, 2)

    def test_typed_language_survives_an_edit(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        person = self.world.people["A"]
        edit = reverse("people:edit", kwargs={"reference": person.reference})
        form = {"full_name": "Fixture Person A", "gender": "Feminine", "citizenship": "TH"}
        client.post(edit, person_form(**form, other_languages="hmn", version=str(person.version)))
        person.refresh_from_db()
        self.assertIn("hmn", person.languages)
        page = client.get(edit)
        self.assertContains(page, 'value="hmn"')
        data = person_form(**form, other_languages="hmn", version=str(person.version))
        client.post(edit, data)
        person.refresh_from_db()
        self.assertIn("hmn", person.languages)

    def test_partial_update_keeps_the_age_band(self) -> None:
        actor = self.world.users[("A", Role.CASE_WORKER)]
        person = create_person(
            actor, {"full_name": "Aged Fixture", "estimated_age": "15", "age_basis": "Own account"}
        )
        self.assertEqual(person.age_band, "12-17")
        update_person(actor, person, {"phone": "+66 2"}, expected_version=person.version)
        person.refresh_from_db()
        self.assertEqual(person.age_band, "12-17")

    def test_a_reference_collision_draws_again_and_saves_once(self) -> None:
        actor = self.world.users[("A", Role.CASE_WORKER)]
        taken = self.world.people["A"].reference
        draws = iter([taken, "HVN-XYZ-234"])
        with mock.patch("haven.core.pseudonyms.new_reference", lambda prefix: next(draws)):
            person = create_person(actor, {"full_name": "Collision Fixture"})
        self.assertEqual(person.reference, "HVN-XYZ-234")
        self.assertEqual(Person.objects.filter(reference=taken).count(), 1)
        creations = AuditEntry.objects.filter(action="person.create", object_ref=person.reference)
        self.assertEqual(creations.count(), 1)

    def test_list_query_count_does_not_grow_with_records(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("people:list"))
        for number in range(15):
            create_person(self.world.user("A", Role.SCREENER), {"full_name": f"Extra {number}"})
        with CaptureQueriesContext(connection) as many:
            client.get(reverse("people:list"))
        self.assertEqual(len(few), len(many))

    def test_case_list_query_count_does_not_grow_with_records(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("cases:list"))
        worker = self.world.user("A", Role.CASE_WORKER)
        for _ in range(10):
            open_case(
                worker,
                self.world.people["A"],
                assigned_to=worker,
                opened_on=self.world.cases["A"].opened_on,
                summary="",
                confirmed_second_case=True,
            )
        with CaptureQueriesContext(connection) as many:
            client.get(reverse("cases:list"))
        self.assertEqual(len(few), len(many))
