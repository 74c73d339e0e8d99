"""Personal data never sits in the database in clear, on SQLite or PostgreSQL."""

from __future__ import annotations

import uuid

from django.urls import reverse

from haven.accounts.roles import Role
from haven.core import crypto
from haven.people.models import Person
from tests.helpers import raw_rows
from tests.personas import HavenTestCase


def marker() -> str:
    return "Zq" + uuid.uuid4().hex[:12]


class EncryptionAtRestTests(HavenTestCase):
    def test_no_table_holds_identity_in_clear(self) -> None:
        name, alias, number, phone, street = (marker() for _ in range(5))
        khmer = "សុខា" + name
        client = self.client_for("A", Role.CASE_WORKER)
        response = client.post(
            reverse("people:create"),
            {
                "full_name": khmer,
                "given_name": name,
                "aliases": alias,
                "date_of_birth": "2009-02-03",
                "phone": phone,
                "address": street,
                "gender": "Feminine",
                "doc-TOTAL_FORMS": "1",
                "doc-INITIAL_FORMS": "0",
                "doc-0-doc_type": "passport",
                "doc-0-number": number,
                "doc-0-country": "KH",
            },
        )
        self.assertEqual(response.status_code, 302)
        person = Person.objects.get(reference=response["Location"].split("/")[2])
        client.post(
            reverse("cases:create", kwargs={"reference": person.reference}),
            {"opened_on": "2026-02-01", "summary": f"notes about {name}"},
        )
        secrets = [khmer, name, name.lower(), alias, number, phone, street, "2009-02-03"]
        leaks = [
            (table, column)
            for table, column, value in raw_rows()
            for secret in secrets
            if secret in value
        ]
        self.assertEqual(leaks, [])
        # ... while the application still reads it back.
        person.refresh_from_db()
        self.assertEqual(person.full_name, khmer)
        self.assertEqual(person.documents[0]["number"], number)

    def test_ciphertext_names_its_key_and_is_bound_to_its_column(self) -> None:
        token = crypto.encrypt("Fixture", "people.person.full_name")
        self.assertTrue(token.startswith(f"hv1${crypto.key_ring().primary}$"))
        self.assertEqual(crypto.decrypt(token, "people.person.full_name"), "Fixture")
        with self.assertRaises(crypto.DecryptionError) as raised:
            crypto.decrypt(token, "people.person.phone")
        self.assertNotIn("Fixture", str(raised.exception))

    def test_each_encryption_uses_a_fresh_nonce(self) -> None:
        first = crypto.encrypt("same", "ctx")
        self.assertNotEqual(first, crypto.encrypt("same", "ctx"))

    def test_blind_index_matches_across_case_spacing_and_zero_width_marks(self) -> None:
        typed = "  សុខា\u200b  ចាន់  "
        stored = "សុខា ចាន់"
        self.assertEqual(
            crypto.blind_index("name", crypto.normalise_text(typed)),
            crypto.blind_index("name", crypto.normalise_text(stored)),
        )
        self.assertEqual(
            crypto.normalise_document_number("n 123-456 a"),
            crypto.normalise_document_number("N123456A"),
        )
