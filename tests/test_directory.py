"""The service directory: search and eligibility, the public pages (signed out, in the
visitor's language, never about cases or people), the PDF in Khmer, and keeping the
directory current (versions, scopes, free places, audit)."""

from __future__ import annotations

import io
import re
import tempfile
import unittest
from pathlib import Path
from typing import Any

import pypdf
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from haven.accounts.actions import ensure_organisation
from haven.accounts.models import Organisation, OrganisationType
from haven.accounts.roles import Role
from haven.assistance.models import ServiceKind
from haven.audit.models import AuditEntry
from haven.cases.choices import ExploitationType
from haven.core.errors import RefusedError, stale_edit_message
from haven.core.reference import Gender
from haven.directory import actions, demo
from haven.directory.models import DirectoryService, Provider
from haven.directory.search import Criteria, accepts, age_fits, open_to, search_services
from tests.helpers import form_as_sent
from tests.personas import HavenTestCase

KHMER_SHELTER = "ទីជម្រកសុវត្ថិភាពសម្រាប់ស្ត្រី និងក្មេងស្រី។ ឥតគិតថ្លៃ។"
# A Khmer sentence whose characters come back unchanged from the PDF's text layer (some
# stacked clusters are extracted in visual order, so not every sentence round-trips).
KHMER_DESCRIPTION = "សេវាឥតគិតថ្លៃ"
SEXES = [g.value for g in Gender]
EXPLOITATION = [e.value for e in ExploitationType]
COUNTRIES = ["TH", "KH", "VN", "MM", "ID", "LA"]


def provider(name: str, **fields: Any) -> Provider:
    data = {"org_type": OrganisationType.NGO, "country": "TH", "languages": ["th"], **fields}
    return actions.create_provider(None, {"name": name, **data})


def service(of: Provider, kind: str = "accommodation", **fields: Any) -> DirectoryService:
    return actions.add_service(None, of, {"kind": kind, "description": "Help.", **fields})


def unsaved(**fields: Any) -> DirectoryService:
    """A service with its provider, never saved: the pure rules need no database."""
    country = fields.pop("country", "TH")
    areas = fields.pop("areas", [])
    languages = fields.pop("languages", [])
    owner = Provider(name="x", org_type="NGO", country=country, areas=areas, languages=languages)
    return DirectoryService(provider=owner, kind=fields.pop("kind", "medical"), **fields)


codes = st.sampled_from(SEXES)
ages = st.none() | st.integers(min_value=0, max_value=120)


class EligibilityRuleTests(unittest.TestCase):
    """The pure rules, on unsaved records: no database."""

    @given(value=st.text(max_size=12))
    def test_an_empty_list_admits_anyone(self, value: str) -> None:
        self.assertTrue(open_to([], value))

    @given(allowed=st.lists(codes, min_size=1, unique=True), value=codes)
    def test_a_listed_restriction_admits_exactly_those_listed(
        self, allowed: list[str], value: str
    ) -> None:
        self.assertEqual(open_to(allowed, value), value in allowed)

    @given(allowed=st.lists(codes, unique=True))
    def test_asking_for_nothing_filters_nothing(self, allowed: list[str]) -> None:
        self.assertTrue(open_to(allowed, ""))

    @given(low=ages, high=ages, age=ages)
    def test_age_limits_are_inclusive_and_a_missing_limit_is_open(
        self, low: int | None, high: int | None, age: int | None
    ) -> None:
        fits = age_fits(unsaved(age_min=low, age_max=high), age)
        expected = age is None or ((low is None or low <= age) and (high is None or age <= high))
        self.assertEqual(fits, expected)

    def test_childrens_shelter_takes_a_17_year_old_but_not_an_18_year_old(self) -> None:
        home = unsaved(kind="accommodation", age_max=17)
        self.assertTrue(accepts(home, Criteria(age=17)))
        self.assertFalse(accepts(home, Criteria(age=18)))
        self.assertTrue(accepts(home, Criteria()), "age unknown: not filtered out")

    def test_womens_shelter_is_for_women_and_a_service_for_anyone_is_for_everyone(self) -> None:
        women = unsaved(sexes=["Feminine"])
        anyone = unsaved()
        for sex in SEXES:
            with self.subTest(sex=sex):
                self.assertEqual(accepts(women, Criteria(sex=sex)), sex == "Feminine")
                self.assertTrue(accepts(anyone, Criteria(sex=sex)))

    def test_a_provider_without_areas_covers_the_whole_country(self) -> None:
        national = unsaved(areas=[])
        local = unsaved(areas=["Chiang Mai", "Chiang Rai"])
        self.assertTrue(accepts(national, Criteria(area="Songkhla")))
        self.assertTrue(accepts(local, Criteria(area="  chiang   MAI ")))
        self.assertFalse(accepts(local, Criteria(area="Songkhla")))

    def test_language_filter_keeps_providers_whose_staff_speak_it(self) -> None:
        self.assertTrue(accepts(unsaved(languages=["th", "my"]), Criteria(language="my")))
        self.assertFalse(accepts(unsaved(languages=["th"]), Criteria(language="my")))

    def test_description_falls_back_to_plain_english(self) -> None:
        item = unsaved(description="Safe shelter.", descriptions={"km": KHMER_SHELTER})
        self.assertEqual(item.description_in("km"), KHMER_SHELTER)
        self.assertEqual(item.description_in("th"), "Safe shelter.")
        self.assertEqual(item.description_with_language("my"), ("Safe shelter.", "en"))


criteria_strategy = st.builds(
    Criteria,
    kind=st.sampled_from(["", "accommodation", "medical", "legal"]),
    country=st.sampled_from(["", *COUNTRIES[:3]]),
    area=st.sampled_from(["", "Bangkok", "Phnom Penh"]),
    language=st.sampled_from(["", "th", "km", "my"]),
    sex=st.sampled_from(["", *SEXES[:3]]),
    age=st.none() | st.integers(min_value=0, max_value=90),
    nationality=st.sampled_from(["", *COUNTRIES[:3]]),
    exploitation=st.sampled_from(["", *EXPLOITATION[:3]]),
    referrals_only=st.booleans(),
)


class SearchTests(HypothesisTestCase):
    hidden: Provider

    @classmethod
    def setUpTestData(cls) -> None:
        spread = [
            ("TH", ["Bangkok"], ["th", "en"]),
            ("TH", [], ["th", "my"]),
            ("KH", ["Phnom Penh"], ["km"]),
            ("VN", [], ["vi", "km"]),
        ]
        restrictions: list[dict[str, Any]] = [
            {},
            {"sexes": ["Feminine"], "capacity": 10},
            {"age_max": 17, "accepts_referrals": False},
            {"age_min": 18, "nationalities": ["KH", "VN"]},
            {"exploitation_types": ["ForcedLabour"], "sexes": ["Masculine", "Feminine"]},
        ]
        kinds = ["accommodation", "medical", "legal"]
        for n, (country, areas, languages) in enumerate(spread):
            owner = provider(f"Search {n}", country=country, areas=areas, languages=languages)
            for m, rules in enumerate(restrictions):
                service(owner, kinds[(n + m) % len(kinds)], **rules)
        cls.hidden = provider("Search hidden", public=False)
        service(cls.hidden, "medical")

    @hypothesis_settings(max_examples=60, deadline=None)
    @given(criteria=criteria_strategy)
    def test_database_search_agrees_with_the_pure_rules(self, criteria: Criteria) -> None:
        everything = DirectoryService.objects.select_related("provider").filter(
            provider__public=True
        )
        expected = {s.pk for s in everything if accepts(s, criteria)}
        self.assertEqual({s.pk for s in search_services(criteria)}, expected)

    def test_women_find_the_womens_service_and_men_do_not(self) -> None:
        for_women = {s.pk for s in search_services(Criteria(sex="Feminine"))}
        for_men = {s.pk for s in search_services(Criteria(sex="Masculine"))}
        only_women = set(DirectoryService.objects.filter(capacity=10).values_list("pk", flat=True))
        self.assertTrue(only_women <= for_women)
        self.assertFalse(only_women & for_men)

    def test_providers_kept_out_of_the_public_directory_are_found_by_staff_only(self) -> None:
        public = {s.provider_id for s in search_services(Criteria(kind="medical"))}
        staff = {
            s.provider_id for s in search_services(Criteria(kind="medical"), public_only=False)
        }
        self.assertNotIn(self.hidden.pk, public)
        self.assertIn(self.hidden.pk, staff)

    def test_results_come_grouped_by_country_then_provider(self) -> None:
        found = search_services(Criteria())
        keys = [(s.provider.country, s.provider.name) for s in found]
        self.assertEqual(keys, sorted(keys))


# --- Public pages ---------------------------------------------------------------------


class PublicDirectoryTests(HavenTestCase):
    shelter: Provider
    hidden: Provider

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.shelter = provider(
            "Public Shelter Test",
            country="KH",
            areas=["Phnom Penh"],
            phone="+00 000 000 999",
            languages=["km", "en"],
        )
        service(
            cls.shelter,
            "accommodation",
            description="Safe shelter for women and girls.",
            descriptions={"km": KHMER_SHELTER},
            sexes=["Feminine"],
            capacity=12,
        )
        service(cls.shelter, "medical", description="Health care.")
        cls.hidden = provider("Hidden Provider Test", public=False)

    def _urls(self) -> list[str]:
        return [
            reverse("directory:public"),
            reverse("directory:public") + "?kind=accommodation&country=KH&sex=Feminine&age=30",
            reverse("directory:public_provider", kwargs={"pk": self.shelter.pk}),
        ]

    def test_public_pages_work_signed_out(self) -> None:
        client = Client()
        for url in self._urls():
            with self.subTest(url=url):
                response = client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Public Shelter Test")
        pdf = client.get(reverse("directory:public_pdf") + "?lang=km")
        self.assertEqual(pdf.status_code, 200)
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertTrue(pdf.content.startswith(b"%PDF-"))
        self.assertIn("attachment", pdf["Content-Disposition"])

    def test_public_pages_never_show_or_link_to_cases_or_people(self) -> None:
        signed_in = self.client_for("A", Role.SUPERVISOR)
        secrets = [
            *(p.reference for p in self.world.people.values()),
            *(c.reference for c in self.world.cases.values()),
            *(s.reference for s in self.world.screenings.values()),
            "Fixture Person",
            "Fixture case notes",
        ]
        staff_paths = ("/people/", "/cases/", "/screenings/", "/audit/", "/referrals/")
        for client in (Client(), signed_in):
            for url in self._urls():
                body = client.get(url).content.decode()
                with self.subTest(url=url, signed_in=client is signed_in):
                    for secret in secrets:
                        self.assertNotIn(secret, body)
                    for path in staff_paths:
                        self.assertNotIn(f'href="{path}', body)
                    self.assertNotIn("Sign out", body)

    def test_providers_kept_out_of_the_public_directory_answer_404(self) -> None:
        url = reverse("directory:public_provider", kwargs={"pk": self.hidden.pk})
        self.assertEqual(Client().get(url).status_code, 404)
        self.assertNotContains(Client().get(reverse("directory:public")), "Hidden Provider")

    def test_public_page_follows_the_language_switch(self) -> None:
        client = Client()
        response = client.post(reverse("set_language"), {"language": "km", "next": "/directory/"})
        self.assertEqual(response.status_code, 302)
        page = client.get(reverse("directory:public")).content.decode()
        self.assertIn('<html lang="km">', page)
        self.assertIn(f'<p lang="km">{KHMER_SHELTER}</p>', page)
        self.assertIn("កន្លែងស្នាក់នៅប្រកបដោយសុវត្ថិភាព", page)  # "Safe accommodation"
        self.assertIn("ភាសា", page)  # "Language", the switcher's label
        self.assertIn("lang=km", page, "the PDF link asks for the page's language")

    def test_bad_filters_answer_400_and_never_500(self) -> None:
        client = Client(raise_request_exception=False)
        base = reverse("directory:public")
        for query in (
            "age=abc",
            "age=-1",
            "age=99999999999999999999",
            "country=ZZ",
            "kind=nonsense",
            "area=" + "x" * 500,
        ):
            with self.subTest(query=query):
                self.assertEqual(client.get(f"{base}?{query}").status_code, 400)
        self.assertEqual(client.get(f"{base}?page=abc").status_code, 200)
        self.assertEqual(client.get(f"{base}?area=%00").status_code, 400)
        pdf = reverse("directory:public_pdf")
        self.assertEqual(client.get(f"{pdf}?lang=xx").status_code, 400)
        self.assertEqual(client.get(f"{pdf}?age=abc").status_code, 400)

    def test_list_query_count_does_not_grow_with_the_directory(self) -> None:
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                Client().get(reverse("directory:public"))
            return len(captured)

        before = queries()
        for n in range(5):
            service(provider(f"More {n}", country="TH", areas=[f"Area {n}"]), "legal")
        self.assertEqual(queries(), before)
        self.assertLessEqual(before, 4)

    def test_public_list_is_small(self) -> None:
        response = Client().get(reverse("directory:public"))
        self.assertLess(len(response.content), 60 * 1024)
        self.assertIsNone(re.search(rb"<script(?![^>]*\bsrc=)", response.content))


# --- PDF ------------------------------------------------------------------------------


def pdf_fonts(reader: pypdf.PdfReader) -> set[str]:
    fonts: set[str] = set()
    for page in reader.pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        for font in resources.get_object().get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


class PdfExportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        owner = provider("Khmer Export Test", country="KH", languages=["km"])
        service(
            owner,
            "medical",
            description="Free health care.",
            descriptions={"km": KHMER_DESCRIPTION, "th": "บริการสุขภาพฟรี"},
        )

    def test_khmer_export_embeds_a_noto_khmer_font_and_keeps_the_text(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "directory-km.pdf"
            out = io.StringIO()
            call_command("directory", "export", "--lang", "km", "--output", str(path), stdout=out)
            data = path.read_bytes()
        self.assertTrue(data.startswith(b"%PDF-"))
        reader = pypdf.PdfReader(io.BytesIO(data))
        fonts = pdf_fonts(reader)
        self.assertTrue(
            any("Noto" in f and "Khmer" in f for f in fonts), f"no Noto Khmer font in {fonts}"
        )
        text = "".join(page.extract_text() for page in reader.pages)
        self.assertIn("Khmer Export Test", text)
        # Text extraction reorders some shaped Khmer syllables (a reader's limit, not the
        # PDF's), so only a word that extracts stably is checked; the glyphs are looked at.
        self.assertIn("កម្ពុជា", text)  # Cambodia, named in Khmer

    def test_bad_language_exits_with_code_2(self) -> None:
        output = str(Path(tempfile.gettempdir()) / "directory-fr.pdf")
        with self.assertRaises(CommandError) as raised:
            call_command("directory", "export", "--lang", "fr", "--output", output)
        self.assertEqual(raised.exception.returncode, 2)
        self.assertIn("en, id, th, km, vi, my", str(raised.exception))

    def test_unwritable_output_exits_with_code_2(self) -> None:
        for target in ("/nonexistent-folder/x.pdf", tempfile.gettempdir()):
            with self.subTest(target=target), self.assertRaises(CommandError) as raised:
                call_command("directory", "export", "--lang", "en", "--output", target)
            self.assertEqual(raised.exception.returncode, 2)


# --- Keeping the directory current ----------------------------------------------------


def provider_form(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Added Provider",
        "org_type": "NGO",
        "country": "TH",
        "areas": "Chiang Mai\nChiang Rai\n",
        "address": "1 Example Road",
        "opening_hours": "Every day",
        "phone": "+00 000 000 000",
        "email": "help@example.org",
        "website": "https://example.org",
        "languages": ["th", "en"],
        "other_languages": "shn",
        "public": "on",
        **overrides,
    }


def service_form(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "accommodation",
        "description": "Shelter for women.",
        "description_km": KHMER_SHELTER,
        "sexes": ["Feminine"],
        "age_min": "18",
        "age_max": "",
        "capacity": "20",
        "accepts_referrals": "on",
        **overrides,
    }


def state(item: Provider | DirectoryService) -> dict[str, Any]:
    item.refresh_from_db()
    return {k: v for k, v in vars(item).items() if not k.startswith("_")}


class KeepingTheDirectoryTests(HavenTestCase):
    of_a: Provider
    beds: DirectoryService
    outside: Provider

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.of_a = provider("Provider of A", organisation=cls.world.orgs["A"])
        cls.beds = service(cls.of_a, "accommodation", capacity=10)
        cls.outside = provider("Provider outside Haven")

    def test_org_admin_lists_their_own_organisation(self) -> None:
        client = self.client_for("A", Role.ORG_ADMIN)
        response = client.post(reverse("directory:provider_add"), provider_form())
        self.assertEqual(response.status_code, 302)
        added = Provider.objects.get(name="Added Provider")
        self.assertEqual(added.organisation, self.world.orgs["A"])
        self.assertEqual(added.areas, ["Chiang Mai", "Chiang Rai"])
        self.assertEqual(added.languages, ["th", "en", "shn"])
        entry = AuditEntry.objects.get(action="directory.provider", object_ref=str(added.pk))
        self.assertEqual(entry.object_type, "provider")
        self.assertIn("areas", entry.changed_fields)
        self.assertNotIn("Chiang Mai", str(entry.changed_fields))

    def test_org_admin_cannot_list_another_organisation(self) -> None:
        client = self.client_for("A", Role.ORG_ADMIN)
        other = self.world.orgs["B"].pk
        client.post(reverse("directory:provider_add"), provider_form(organisation=other))
        self.assertEqual(
            Provider.objects.get(name="Added Provider").organisation_id, self.world.orgs["A"].pk
        )

    def test_directory_steward_keeps_providers_of_any_organisation(self) -> None:
        client = self.client_for("B", Role.DIRECTORY_STEWARD)
        url = reverse("directory:provider_edit", kwargs={"pk": self.of_a.pk})
        data = form_as_sent(client.get(url))
        data["phone"] = "+00 111"
        self.assertEqual(client.post(url, data).status_code, 302)
        self.assertEqual(Provider.objects.get(pk=self.of_a.pk).phone, "+00 111")
        added = client.post(
            reverse("directory:service_add", kwargs={"pk": self.outside.pk}), service_form()
        )
        self.assertEqual(added.status_code, 302)
        self.assertTrue(DirectoryService.objects.filter(provider=self.outside).exists())

    def test_directory_steward_lists_providers_outside_haven(self) -> None:
        client = self.client_for("A", Role.DIRECTORY_STEWARD)
        response = client.post(reverse("directory:provider_add"), provider_form(organisation=""))
        self.assertEqual(response.status_code, 302)
        self.assertIsNone(Provider.objects.get(name="Added Provider").organisation)

    def test_system_admin_keeps_no_directory_entry(self) -> None:
        for org in ("A", "B"):
            client = self.client_for(org, Role.SYSTEM_ADMIN)
            for name, pk in (
                ("directory:provider_edit", self.of_a.pk),
                ("directory:service_add", self.of_a.pk),
                ("directory:service_edit", self.beds.pk),
                ("directory:provider_edit", self.outside.pk),
            ):
                url = reverse(name, kwargs={"pk": pk})
                with self.subTest(org=org, url=url):
                    self.assertEqual(client.get(url).status_code, 403)
                    self.assertEqual(client.post(url, service_form()).status_code, 403)
            self.assertEqual(client.get(reverse("directory:manage")).status_code, 403)
        self.assertEqual(Provider.objects.get(pk=self.of_a.pk).version, 1)
        self.assertEqual(DirectoryService.objects.filter(provider=self.of_a).count(), 1)

    def test_the_actions_refuse_entries_the_actor_does_not_keep(self) -> None:
        """The rule lives in the domain layer: called directly, without any view."""
        before = (state(self.of_a), state(self.outside), DirectoryService.objects.count())
        for org, role in (
            ("B", Role.ORG_ADMIN),
            ("B", Role.SYSTEM_ADMIN),
            ("A", Role.SYSTEM_ADMIN),
        ):
            actor = self.world.user(org, role)
            with self.subTest(org=org, role=role.value):
                with self.assertRaises(RefusedError):
                    actions.add_service(actor, self.of_a, {"kind": "legal", "description": "x"})
                with self.assertRaises(RefusedError):
                    actions.update_provider(actor, self.of_a, {"phone": "+1"}, expected_version=1)
                with self.assertRaises(RefusedError):
                    actions.update_service(actor, self.beds, {"capacity": 3}, expected_version=1)
                with self.assertRaises(RefusedError):
                    actions.create_provider(actor, {"name": "Sneaked in", "country": "TH"})
        admin_a = self.world.user("A", Role.ORG_ADMIN)
        with self.assertRaises(RefusedError):
            actions.add_service(admin_a, self.outside, {"kind": "legal", "description": "x"})
        with self.assertRaises(RefusedError):
            actions.create_provider(
                admin_a, {"name": "Sneaked in", "organisation": self.world.orgs["B"]}
            )
        with self.assertRaises(RefusedError):
            actions.update_provider(
                admin_a,
                self.of_a,
                {"organisation": self.world.orgs["B"]},
                expected_version=1,
            )
        with self.assertRaises(RefusedError):
            actions.update_availability(self.world.user("B", Role.CASE_WORKER), self.beds, 1)
        self.assertEqual(
            (state(self.of_a), state(self.outside), DirectoryService.objects.count()), before
        )
        self.assertFalse(Provider.objects.filter(name="Sneaked in").exists())

    def test_the_actions_let_each_keeper_keep_what_is_theirs(self) -> None:
        admin_a = self.world.user("A", Role.ORG_ADMIN)
        actions.update_provider(admin_a, self.of_a, {"phone": "+00 2"}, expected_version=1)
        steward_b = self.world.user("B", Role.DIRECTORY_STEWARD)
        actions.add_service(steward_b, self.outside, {"kind": "legal", "description": "Aid."})
        moved = actions.update_provider(
            steward_b, self.outside, {"organisation": self.world.orgs["B"]}, expected_version=1
        )
        self.assertEqual(moved, ["organisation"])
        self.assertEqual(Provider.objects.get(pk=self.of_a.pk).phone, "+00 2")

    def test_stale_provider_edit_is_refused_and_nothing_is_saved(self) -> None:
        first = self.client_for("A", Role.ORG_ADMIN)
        second = self.client_for("A", Role.DIRECTORY_STEWARD)
        url = reverse("directory:provider_edit", kwargs={"pk": self.of_a.pk})
        mine, theirs = form_as_sent(first.get(url)), form_as_sent(second.get(url))
        self.assertEqual(first.post(url, {**mine, "phone": "+00 first"}).status_code, 302)
        before = state(self.of_a)
        refused = second.post(url, {**theirs, "phone": "+00 second", "name": "Renamed"})
        self.assertEqual(refused.status_code, 302)
        self.assertEqual(state(self.of_a), before)
        page = second.get(url)
        self.assertContains(page, escape(stale_edit_message()))
        self.assertContains(page, "+00 first")

    def test_stale_service_edit_is_refused(self) -> None:
        client = self.client_for("A", Role.ORG_ADMIN)
        url = reverse("directory:service_edit", kwargs={"pk": self.beds.pk})
        sent = form_as_sent(client.get(url))
        client.post(url, {**sent, "capacity": "11"})
        before = state(self.beds)
        client.post(url, {**sent, "capacity": "12"})
        self.assertEqual(state(self.beds), before)
        self.assertEqual(before["capacity"], 11)

    def test_org_admin_of_another_organisation_is_told_not_found(self) -> None:
        client = self.client_for("B", Role.ORG_ADMIN)
        for name, pk in (
            ("directory:provider_edit", self.of_a.pk),
            ("directory:service_add", self.of_a.pk),
            ("directory:service_edit", self.beds.pk),
            ("directory:provider_edit", self.outside.pk),
        ):
            url = reverse(name, kwargs={"pk": pk})
            with self.subTest(url=url):
                self.assertEqual(client.get(url).status_code, 404)
                self.assertEqual(client.post(url, provider_form()).status_code, 404)
        self.assertEqual(Provider.objects.get(pk=self.of_a.pk).version, 1)

    def test_org_admin_adds_a_service_with_translations_and_eligibility(self) -> None:
        client = self.client_for("A", Role.ORG_ADMIN)
        url = reverse("directory:service_add", kwargs={"pk": self.of_a.pk})
        self.assertEqual(client.post(url, service_form()).status_code, 302)
        added = DirectoryService.objects.get(provider=self.of_a, description="Shelter for women.")
        self.assertEqual(added.descriptions, {"km": KHMER_SHELTER})
        self.assertEqual(added.sexes, ["Feminine"])
        self.assertEqual((added.age_min, added.age_max), (18, None))
        self.assertTrue(
            AuditEntry.objects.filter(
                action="directory.service",
                object_type="directory_service",
                object_ref=str(added.pk),
            ).exists()
        )

    def test_bad_service_input_answers_400_in_the_users_language_and_saves_nothing(self) -> None:
        client = self.client_for("A", Role.ORG_ADMIN)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
        url = reverse("directory:service_add", kwargs={"pk": self.of_a.pk})
        count = DirectoryService.objects.count()
        for bad in (
            {"age_min": "30", "age_max": "17"},
            {"capacity": "-1"},
            {"kind": "teleportation"},
            {"sexes": ["Robot"]},
            {"nationalities": ["ZZ"]},
            {"description": "x" * 2001},
        ):
            with self.subTest(bad=bad):
                response = client.post(url, service_form(**bad))
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, '<html lang="km">', status_code=400)
        self.assertEqual(DirectoryService.objects.count(), count)

    def test_case_worker_of_the_provider_updates_free_places(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        url = reverse("directory:availability", kwargs={"pk": self.beds.pk})
        self.assertEqual(client.post(url, {"available": "3"}).status_code, 302)
        self.beds.refresh_from_db()
        self.assertEqual(self.beds.available, 3)
        self.assertIsNotNone(self.beds.availability_updated_at)
        self.assertEqual(self.beds.version, 1, "free places do not make an open edit stale")
        entry = AuditEntry.objects.get(action="directory.availability")
        self.assertEqual(entry.object_ref, str(self.beds.pk))
        self.assertEqual(entry.actor, self.world.user("A", Role.CASE_WORKER))

    def test_more_free_places_than_capacity_are_refused(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        url = reverse("directory:availability", kwargs={"pk": self.beds.pk})
        response = client.post(url, {"available": "11"})
        self.assertEqual(response.status_code, 400)
        self.assertIsNone(DirectoryService.objects.get(pk=self.beds.pk).available)

    def test_staff_of_another_organisation_cannot_update_free_places(self) -> None:
        for role in (Role.CASE_WORKER, Role.SUPERVISOR, Role.ORG_ADMIN):
            client = self.client_for("B", role)
            url = reverse("directory:availability", kwargs={"pk": self.beds.pk})
            with self.subTest(role=role.value):
                self.assertEqual(client.post(url, {"available": "1"}).status_code, 404)
        self.assertIsNone(DirectoryService.objects.get(pk=self.beds.pk).available)
        self.assertFalse(AuditEntry.objects.filter(action="directory.availability").exists())

    def test_manage_lists_only_the_providers_each_user_keeps(self) -> None:
        pages = {
            (org, role): self.client_for(org, role)
            .get(reverse("directory:manage"))
            .content.decode()
            for org, role in (
                ("A", Role.CASE_WORKER),
                ("A", Role.ORG_ADMIN),
                ("B", Role.ORG_ADMIN),
                ("B", Role.DIRECTORY_STEWARD),
            )
        }
        availability = reverse("directory:availability", kwargs={"pk": self.beds.pk})
        edit = reverse("directory:provider_edit", kwargs={"pk": self.of_a.pk})
        self.assertIn(availability, pages[("A", Role.CASE_WORKER)])
        self.assertNotIn(edit, pages[("A", Role.CASE_WORKER)])
        self.assertIn(edit, pages[("A", Role.ORG_ADMIN)])
        self.assertNotIn("Provider of A", pages[("B", Role.ORG_ADMIN)])
        self.assertIn("Provider outside Haven", pages[("B", Role.DIRECTORY_STEWARD)])
        self.assertIn("Provider of A", pages[("B", Role.DIRECTORY_STEWARD)])
        self.assertNotIn(availability, pages[("B", Role.DIRECTORY_STEWARD)])


class DemoDirectoryTests(TestCase):
    def test_demo_is_fictional_varied_translated_and_loads_once(self) -> None:
        ngo, _ = ensure_organisation(
            actor=None, name=demo.DEMO_NGO, org_type=OrganisationType.NGO, country="TH"
        )
        demo.load()
        counts = (Provider.objects.count(), DirectoryService.objects.count())
        demo.load()
        self.assertEqual((Provider.objects.count(), DirectoryService.objects.count()), counts)
        providers = Provider.objects.all()
        self.assertTrue(all("(DEMO)" in p.name for p in providers))
        self.assertEqual({p.country for p in providers}, set(COUNTRIES))
        self.assertEqual(
            Provider.objects.get(organisation=ngo).name, "Lotus Lantern Outreach (DEMO)"
        )
        self.assertFalse(Organisation.objects.filter(name=demo.DEMO_POLICE).exists())
        services = list(DirectoryService.objects.all())
        kinds = {s.kind for s in services}
        for kind in ("accommodation", "medical", "legal", "psychosocial", "return"):
            self.assertIn(kind, kinds)
        self.assertTrue(all({"km", "th"} <= set(s.descriptions) for s in services))
        shelters = [s for s in services if s.kind == ServiceKind.ACCOMMODATION]
        self.assertTrue(any(s.age_max == 17 for s in shelters))
        self.assertTrue(any("Feminine" in s.sexes for s in shelters))
        self.assertTrue(all(s.capacity and s.available is not None for s in shelters))
