"""Confidential places in the directory: their address never leaves Haven in a public
output (the public list and search, a provider's page, the PDF, the API, `haven directory
export`), signed in or not, whatever the filters; only a phone or e-mail is shown. The
keepers of the entry still see the address on its edit page."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from haven.accounts.models import OrganisationType
from haven.accounts.roles import Role
from haven.core.errors import RefusedError
from haven.directory import actions
from haven.directory.models import DirectoryService, Provider
from haven.directory.search import withheld_addresses
from tests.personas import HavenTestCase

SECRET = "99 Hidden Lane Secretville"
SECRET_TOO = "7 Quiet Road Unseen"
OFFICE = "1 Open Street Publictown"
PDFTOTEXT = shutil.which("pdftotext")
NEEDS_PDFTOTEXT = unittest.skipIf(PDFTOTEXT is None, "needs poppler's pdftotext")


def provider(name: str, **fields: Any) -> Provider:
    data = {"org_type": OrganisationType.NGO, "country": "TH", "languages": ["th"], **fields}
    return actions.create_provider(None, {"name": name, **data})


def service(of: Provider, kind: str = "accommodation", **fields: Any) -> DirectoryService:
    return actions.add_service(None, of, {"kind": kind, "description": "Help.", **fields})


def pdf_text(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "directory.pdf"
        path.write_bytes(data)
        done = subprocess.run(  # noqa: S603 - a fixed program on a file written here
            [str(PDFTOTEXT), "-layout", str(path), "-"], check=True, capture_output=True
        )
    return done.stdout.decode()


def squeezed(text: str) -> str:
    return " ".join(text.split())


class ConfidentialAddressTests(HavenTestCase):
    secret: Provider
    mixed: Provider
    open: Provider

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # A provider whose whole location is secret.
        cls.secret = provider(
            "Secret Shelter Test",
            address=SECRET,
            phone="+66 000 111 222",
            confidential=True,
            organisation=cls.world.orgs["A"],
        )
        service(cls.secret, "accommodation", capacity=10)
        # An NGO whose office is public but whose shelter is not: the office address
        # would lead to the shelter listed under it.
        cls.mixed = provider("Mixed NGO Test", address=SECRET_TOO, email="help@example.org")
        service(cls.mixed, "legal")
        service(cls.mixed, "accommodation", confidential=True)
        cls.open = provider("Open Clinic Test", address=OFFICE, phone="+66 1")
        service(cls.open, "medical")

    def setUp(self) -> None:
        cache.clear()  # the PDF is cached per day

    def assert_hidden(self, text: str, *, where: str) -> None:
        for address in (SECRET, SECRET_TOO):
            self.assertNotIn(address, text, where)
            self.assertNotIn(address, squeezed(text), where)

    def _clients(self) -> list[Client]:
        # Anonymous, and a signed-in keeper of the secret entry: public outputs are the
        # same for everyone.
        return [Client(), self.client_for("A", Role.ORG_ADMIN)]

    def test_withheld_addresses_names_flagged_providers_and_providers_of_flagged_services(
        self,
    ) -> None:
        ids = [self.secret.pk, self.mixed.pk, self.open.pk]
        self.assertEqual(withheld_addresses(ids), {self.secret.pk, self.mixed.pk})

    def test_public_list_and_every_search_hide_the_address(self) -> None:
        searches = [
            "",
            "?kind=accommodation",
            "?kind=legal",
            "?country=TH",
            "?kind=accommodation&country=TH&language=th",
        ]
        for client in self._clients():
            for query in searches:
                with self.subTest(query=query):
                    response = client.get(reverse("directory:public") + query)
                    self.assertEqual(response.status_code, 200)
                    body = response.content.decode()
                    self.assert_hidden(body, where=query)
        page = Client().get(reverse("directory:public")).content.decode()
        self.assertIn(OFFICE, page)  # an ordinary address is still shown
        self.assertIn("+66 000 111 222", page)  # the way to reach the secret shelter
        self.assertIn("help@example.org", page)
        self.assertIn("Kept confidential", page)

    def test_provider_pages_hide_the_address(self) -> None:
        for client in self._clients():
            for owner in (self.secret, self.mixed):
                url = reverse("directory:public_provider", kwargs={"pk": owner.pk})
                response = client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assert_hidden(response.content.decode(), where=url)

    def test_a_provider_page_without_services_hides_the_address_too(self) -> None:
        bare = provider("Bare Secret Test", address=SECRET, phone="+66 2", confidential=True)
        response = Client().get(reverse("directory:public_provider", kwargs={"pk": bare.pk}))
        self.assert_hidden(response.content.decode(), where="bare provider page")
        self.assertContains(response, "+66 2")

    @NEEDS_PDFTOTEXT
    def test_pdf_text_never_holds_the_address(self) -> None:
        for language in ("en", "th"):
            for query in ("", "&kind=accommodation"):
                with self.subTest(language=language, query=query):
                    url = reverse("directory:public_pdf") + f"?lang={language}{query}"
                    response = Client().get(url)
                    self.assertEqual(response.status_code, 200)
                    text = pdf_text(response.content)
                    self.assertIn("Secret Shelter Test", squeezed(text))
                    self.assert_hidden(text, where=url)
        text = pdf_text(Client().get(reverse("directory:public_pdf") + "?lang=en").content)
        self.assertIn(OFFICE, squeezed(text))

    @NEEDS_PDFTOTEXT
    def test_exported_pdf_never_holds_the_address(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "directory.pdf"
            call_command("directory", "export", "--output", str(path), stdout=None)
            self.assert_hidden(pdf_text(path.read_bytes()), where="haven directory export")

    def test_api_never_returns_the_address(self) -> None:
        listing = Client().get("/api/v1/directory/services")
        self.assertEqual(listing.status_code, 200)
        self.assert_hidden(listing.content.decode(), where="API list")
        rows = {row["provider"]["name"]: row["provider"] for row in listing.json()["items"]}
        self.assertEqual(rows["Secret Shelter Test"]["address"], "")
        self.assertTrue(rows["Secret Shelter Test"]["address_withheld"])
        self.assertTrue(rows["Mixed NGO Test"]["address_withheld"])
        self.assertEqual(rows["Open Clinic Test"]["address"], OFFICE)
        self.assertFalse(rows["Open Clinic Test"]["address_withheld"])
        for one in DirectoryService.objects.filter(provider__in=[self.secret, self.mixed]):
            response = Client().get(f"/api/v1/directory/services/{one.pk}")
            self.assertEqual(response.status_code, 200)
            self.assert_hidden(response.content.decode(), where=f"API service {one.pk}")

    def test_keepers_still_see_the_address_on_the_edit_page(self) -> None:
        url = reverse("directory:provider_edit", kwargs={"pk": self.secret.pk})
        for client in (
            self.client_for("A", Role.ORG_ADMIN),
            self.client_for("A", Role.DIRECTORY_STEWARD),
        ):
            self.assertContains(client.get(url), SECRET)
        # Not a keeper: the other organisation's admin is told it does not exist.
        self.assertEqual(self.client_for("B", Role.ORG_ADMIN).get(url).status_code, 404)

    def test_flagging_on_the_edit_page_hides_the_address_at_once(self) -> None:
        url = reverse("directory:provider_edit", kwargs={"pk": self.open.pk})
        steward = self.client_for("A", Role.DIRECTORY_STEWARD)
        self.assertIn(OFFICE, Client().get(reverse("directory:public")).content.decode())
        data = {
            "name": "Open Clinic Test",
            "org_type": OrganisationType.NGO,
            "country": "TH",
            "address": OFFICE,
            "phone": "+66 1",
            "languages": ["th"],
            "public": "on",
            "confidential": "on",
            "version": self.open.version,
        }
        self.assertEqual(steward.post(url, data).status_code, 302)
        self.assertNotIn(OFFICE, Client().get(reverse("directory:public")).content.decode())


class ConfidentialRuleTests(HavenTestCase):
    """The rule lives in the actions: a confidential place must stay reachable."""

    def test_a_confidential_provider_without_phone_or_email_is_refused(self) -> None:
        with self.assertRaises(RefusedError):
            provider("Unreachable Test", address=SECRET, confidential=True)
        self.assertFalse(Provider.objects.filter(name="Unreachable Test").exists())

    def test_flagging_an_existing_provider_without_contact_is_refused_and_nothing_changes(
        self,
    ) -> None:
        owner = provider("No Contact Test", address=SECRET)
        steward = self.world.user("A", Role.DIRECTORY_STEWARD)
        with self.assertRaises(RefusedError):
            actions.update_provider(
                steward, owner, {"confidential": True}, expected_version=owner.version
            )
        owner.refresh_from_db()
        self.assertFalse(owner.confidential)
        self.assertEqual(owner.version, 1)

    def test_a_confidential_service_needs_a_reachable_provider(self) -> None:
        owner = provider("No Contact Either Test", address=OFFICE)
        with self.assertRaises(RefusedError):
            service(owner, "accommodation", confidential=True)
        self.assertFalse(owner.services.exists())

    def test_removing_the_last_contact_of_a_confidential_place_is_refused(self) -> None:
        owner = provider("Phone Only Test", address=SECRET, phone="+66 3", confidential=True)
        steward = self.world.user("A", Role.DIRECTORY_STEWARD)
        with self.assertRaises(RefusedError):
            actions.update_provider(steward, owner, {"phone": ""}, expected_version=owner.version)
        owner.refresh_from_db()
        self.assertEqual(owner.phone, "+66 3")
