"""Person search by name parts in any order and script; the duplicate warning."""

from __future__ import annotations

import io
import re
from typing import Any

from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from haven.accounts.roles import Role
from haven.audit.models import AuditEntry
from haven.people import names
from haven.people.actions import (
    PossibleDuplicateError,
    SearchHit,
    create_person,
    update_person,
)
from haven.people.models import IndexKind, Person, PersonIndex
from tests.helpers import raw_rows
from tests.personas import HavenTestCase
from tests.test_people import person_form

HEX_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class NameTokenTests(HavenTestCase):
    def test_variant_romanisations_share_a_sound_key(self) -> None:
        keys = {names.sound_key(names.romanise(v)) for v in ("sokha", "Sokhar", "sokah", "SOKHA")}
        self.assertEqual(keys, {"sk"})

    def test_thai_script_and_its_usual_spelling_share_a_sound_key(self) -> None:
        thai = names.sound_key(names.romanise("สมศรี"))
        self.assertEqual(thai, names.sound_key(names.romanise("Somsri")))

    def test_burmese_names_split_into_syllables(self) -> None:
        self.assertEqual(names.tokens("မောင်မောင်ဦး"), ["မောင်", "ဦး"])

    def test_zero_width_space_separates_khmer_words(self) -> None:
        self.assertEqual(names.tokens("សុខា\u200bចាន់ធី"), ["សុខា", "ចាន់ធី"])

    def test_index_kinds_are_the_model_choices(self) -> None:
        self.assertEqual(names.WRITTEN, IndexKind.NAME_TOKEN)
        self.assertEqual(names.LATIN, IndexKind.NAME_LATIN)
        self.assertEqual(names.SOUND, IndexKind.NAME_SOUND)
        self.assertEqual(names.FULL_NAME, IndexKind.NAME)


class PersonSearchTests(HavenTestCase):
    def record(self, full_name: str, **data: Any) -> Person:
        worker = self.world.user("A", Role.SUPERVISOR)
        data = {"full_name": full_name, **data}
        return create_person(worker, data, confirmed_not_duplicate=True)

    def search(self, name: str = "", document: str = "", client: Client | None = None) -> Any:
        client = client or self.client_for("A", Role.SUPERVISOR)
        return client.post(reverse("people:search"), {"name": name, "document": document})

    def hits(self, name: str) -> list[SearchHit]:
        response = self.search(name)
        self.assertEqual(response.status_code, 200)
        results: list[SearchHit] = response.context["results"]
        return results

    def references(self, name: str) -> list[str]:
        return [hit.person.reference for hit in self.hits(name)]

    def test_reversed_name_order_finds_the_person(self) -> None:
        person = self.record("Sokha Chan")
        hits = self.hits("chan SOKHA")
        self.assertEqual(hits[0].person, person)
        self.assertEqual((hits[0].parts_found, hits[0].match), (2, "exact"))

    def test_given_name_alone_finds_the_person(self) -> None:
        person = self.record("Mya Thandar Win", given_name="Thandar")
        self.assertIn(person.reference, self.references("Thandar"))

    def test_khmer_script_meets_its_latin_romanisation(self) -> None:
        khmer = self.record("ស្រី សុខា")
        latin = self.record("Sokha Srei")
        found = {hit.person: hit.match for hit in self.hits("Srei Sokha")}
        self.assertEqual(found[khmer], "latin")
        self.assertEqual(found[latin], "exact")
        self.assertIn(latin.reference, self.references("សុខា"))

    def test_spelling_variant_is_found_below_the_exact_spelling(self) -> None:
        variant = self.record("Sokhar Chan")
        exact = self.record("Sokha Chan")
        hits = self.hits("Sokha Chan")
        order = [hit.person for hit in hits]
        self.assertLess(order.index(exact), order.index(variant))
        self.assertEqual(hits[order.index(variant)].match, "sound")
        self.assertIn(exact.reference, self.references("sokah"))

    def test_more_matching_parts_rank_first(self) -> None:
        one = self.record("Dara Sokha")
        both = self.record("Dara Chan Sokha")
        hits = self.hits("Sokha Chan")
        self.assertEqual([h.person for h in hits][:2], [both, one])
        self.assertEqual([h.parts_found for h in hits][:2], [2, 1])

    def test_document_number_still_finds_the_person(self) -> None:
        person = self.record("Doc Holder", documents=[{"type": "passport", "number": "N 1234"}])
        response = self.search(document="n1234")
        self.assertEqual(response.context["results"][0].person, person)

    def test_index_holds_no_name_in_clear(self) -> None:
        given = "Zqvwk" + "xt"  # no hex letters after the first, so digests cannot contain it
        self.record(f"សុខា{given} {given}Lwx", given_name=given, aliases=["Wxyz Tvk"])
        secrets = {"សុខា", given.lower(), "wxyz", "tvk", "lwx"}
        for token in names.tokens(f"សុខា{given} {given}Lwx Wxyz Tvk"):
            latin = names.romanise(token)
            secrets |= {token, latin, names.sound_key(latin)} - {""}
        index_table = PersonIndex._meta.db_table
        leaks = [
            (table, column, secret)
            for table, column, value in raw_rows()
            for secret in secrets
            if table == index_table and column != "kind" and secret in value.casefold()
        ]
        self.assertEqual(leaks, [])
        for kind, digest in PersonIndex.objects.values_list("kind", "digest"):
            self.assertRegex(digest, HEX_DIGEST)
            self.assertIn(kind, IndexKind.values)

    def test_another_organisations_person_is_never_found(self) -> None:
        client = self.client_for("B", Role.SUPERVISOR)
        theirs = self.world.people["A"].reference
        for query in ("Fixture Person A", "Person Fixture", "Fixture", "fixtur"):
            with self.subTest(query=query):
                response = self.search(query, client=client)
                self.assertNotContains(response, theirs)
        page = client.get(reverse("people:detail", kwargs={"reference": theirs}))
        self.assertEqual(page.status_code, 404)

    def test_screener_finds_only_people_they_recorded(self) -> None:
        someone_elses = self.record("Fixture Person Other")
        client = self.client_for("A", Role.SCREENER)
        response = self.search("Fixture Person", client=client)
        self.assertNotContains(response, someone_elses.reference)

    def test_results_show_no_identity_and_opening_one_is_audited(self) -> None:
        person = self.record("Sokha Chan", aliases=["Nary"], phone="+855 12")
        searches = AuditEntry.objects.filter(action="person.search").count()
        response = self.search("Sokha")
        self.assertContains(response, person.reference)
        for identity in ("Sokha Chan", "Nary", "+855 12"):
            self.assertNotContains(response, identity)
        self.assertEqual(AuditEntry.objects.filter(action="person.search").count(), searches + 1)
        views = AuditEntry.objects.filter(
            action="person.view_identity", object_ref=person.reference
        )
        self.assertEqual(views.count(), 0)
        client = self.client_for("A", Role.SUPERVISOR)
        client.get(reverse("people:detail", kwargs={"reference": person.reference}))
        self.assertEqual(views.count(), 1)

    def test_search_query_count_does_not_grow_with_results(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        self.record("Sokha Chan")
        with self.assertNumQueries(SEARCH_QUERIES):
            response = self.search("Sokha", client=client)
        self.assertEqual(len(response.context["results"]), 1)
        for number in range(12):
            self.record(f"Sokha Extra{number}")
        with self.assertNumQueries(SEARCH_QUERIES):
            response = self.search("Sokha", client=client)
        self.assertEqual(len(response.context["results"]), 13)

    def test_edit_keeps_the_index_in_step(self) -> None:
        person = self.record("Sokha Chan")
        actor = self.world.user("A", Role.SUPERVISOR)
        update_person(actor, person, {"full_name": "Dara Chan"}, expected_version=person.version)
        self.assertNotIn(person.reference, self.references("Sokha"))
        self.assertIn(person.reference, self.references("Dara"))

    def test_reindex_command_indexes_people_recorded_before_name_parts(self) -> None:
        person = self.record("Sokha Chan")
        PersonIndex.objects.filter(person=person).exclude(kind=IndexKind.NAME).delete()
        self.assertNotIn(person.reference, self.references("Chan"))
        out = io.StringIO()
        call_command("people", "reindex", stdout=out)
        self.assertNotIn("Sokha", out.getvalue())
        self.assertEqual(self.hits("Chan")[0].person, person)

    def assert_refused(self, response: HttpResponse, message: str) -> None:
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, message)
        self.assertIsNone(response.context["results"])

    def test_bad_input_gets_a_clear_message(self) -> None:
        searches = AuditEntry.objects.filter(action="person.search").count()
        self.assert_refused(self.search("   "), "Enter a name or a document number.")
        self.assert_refused(self.search("x" * 201), "Ensure this value has at most 200 characters")
        self.assert_refused(self.search("!!! -- ?"), "A name needs at least one letter or digit.")
        self.assert_refused(self.search(" ".join("abcdefghi")), "at most 8 name parts")
        self.assert_refused(
            self.search(document="--"), "A document number needs at least one letter or digit."
        )
        self.assertEqual(AuditEntry.objects.filter(action="person.search").count(), searches)

    def test_htmx_search_with_bad_input_returns_the_message_fragment(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        response = client.post(
            reverse("people:search"), {"name": "..."}, headers={"HX-Request": "true"}
        )
        self.assertNotContains(response, "<html")
        self.assertContains(response, "A name needs at least one letter or digit.")


# The search page: session and user, who comes with their organisation (2), the index rows
# and the people found (2), the search's one audit row, savepoints and chain head (7), the
# session save with its savepoints (3). Constant, whatever the number of results.
SEARCH_QUERIES = 14


class DuplicateWarningTests(HavenTestCase):
    def setUp(self) -> None:
        self.existing = create_person(
            self.world.user("A", Role.CASE_WORKER),
            {"full_name": "Sokha Chan", "date_of_birth": "1990-04-01", "citizenship": ["KH"]},
        )

    def new_person(self, **fields: Any) -> dict[str, Any]:
        base = {"full_name": "CHAN Sokha", "date_of_birth": "1990-04-01", "citizenship": "KH"}
        return person_form(**{**base, **fields})

    def test_warning_shows_the_candidate_and_saves_nothing(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        count = Person.objects.count()
        views = AuditEntry.objects.filter(
            action="person.view_identity", object_ref=self.existing.reference
        )
        response = client.post(reverse("people:create"), self.new_person())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This person may already be recorded")
        self.assertContains(
            response, reverse("people:detail", kwargs={"reference": self.existing.reference})
        )
        self.assertContains(response, "Sokha Chan")
        self.assertEqual(Person.objects.count(), count)
        self.assertEqual(views.count(), 1)
        self.assertFalse(AuditEntry.objects.filter(action="person.create", object_ref="").exists())

    def test_only_explicit_confirmation_records_the_person_anyway(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        count = Person.objects.count()
        for unconfirmed in ("", "false"):
            data = self.new_person(confirmed_not_duplicate=unconfirmed)
            response = client.post(reverse("people:create"), data)
            self.assertContains(response, "This person may already be recorded")
        self.assertEqual(Person.objects.count(), count)
        data = self.new_person(confirmed_not_duplicate="on")
        response = client.post(reverse("people:create"), data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Person.objects.count(), count + 1)
        entry = AuditEntry.objects.filter(action="person.create").latest("seq")
        self.assertIn("confirmed_not_duplicate", entry.changed_fields)

    def test_create_action_refuses_a_possible_duplicate_unless_confirmed(self) -> None:
        actor = self.world.user("A", Role.CASE_WORKER)
        data = {"full_name": "ចាន់ សុខា", "date_of_birth": "1990-04-01", "citizenship": ["KH"]}
        with self.assertRaises(PossibleDuplicateError) as refused:
            create_person(actor, data)
        self.assertEqual(refused.exception.candidates, [self.existing])
        person = create_person(actor, data, confirmed_not_duplicate=True)
        self.assertNotEqual(person, self.existing)

    def test_other_age_citizenship_or_name_is_no_duplicate(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        for change in (
            {"date_of_birth": "", "estimated_age": "15", "age_basis": "Own account"},
            {"citizenship": "TH"},
            {"full_name": "Sokha Chan Dara"},
            {"full_name": "Sokha"},
        ):
            with self.subTest(change=change):
                response = client.post(reverse("people:create"), self.new_person(**change))
                self.assertEqual(response.status_code, 302)

    def test_same_age_band_counts_without_a_date_of_birth(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        data = self.new_person(date_of_birth="1989-06-01")  # 35 to 44 like 1990-04-01
        response = client.post(reverse("people:create"), data)
        self.assertContains(response, "This person may already be recorded")

    def test_people_the_user_may_not_see_are_never_candidates(self) -> None:
        for org, role in (("A", Role.SCREENER), ("B", Role.SUPERVISOR)):
            with self.subTest(org=org, role=role):
                client = self.client_for(org, role)
                response = client.post(reverse("people:create"), self.new_person())
                self.assertEqual(response.status_code, 302)
                self.assertNotContains(client.get(response["Location"]), self.existing.reference)
