"""Keyboard and screen-reader basics, and no English left on pages in the other languages.

Each page is rendered in English and in every other interface language; a visible text
node (or a visible label in an attribute) that comes back unchanged is English that
should have been translated, unless it sits in an element that says its own language
(`lang`), is a reference (`class="ref"`), or is a proper noun, number or code below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import polib
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from haven.accounts.roles import Role
from haven.core.reference import COUNTRY_NAMES, country_choices
from haven.directory import demo
from haven.directory.hours import local_hours
from haven.directory.models import Provider
from haven.identification import jurisdictions
from haven.people.models import Person
from haven.screening import engine
from haven.screening.models import Screening
from tests.helpers import sign_in
from tests.personas import PASSWORD, HavenTestCase

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
SKIPPED = {"script", "style", "template", "datalist"}
LABEL_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt", "data-label")
# Proper nouns, references, codes and fixture data that stay as they are in every language.
ALLOWED = re.compile(
    r"^("
    r"Haven|HTCDS|ILO|EC|ISO|NRM|PDF|TOTP|UN|OK"
    r"|Fixture .*|Test organisation [AB]|[ab]-[a-z_]+|.*\(DEMO\)|Demo .*"
    r"|[A-Z]{2,3}(-[A-Z0-9]+)?|[0-9A-Z]{4,}-[0-9A-Z-]+|v?[\d.:/,\- ]+"
    r"|\S+@\S+|https?://\S+"
    r")$"
)


def kept_as_is(language: str) -> frozenset[str]:
    """Text a translator kept unchanged ("Status" in Indonesian), and the names of the
    countries outside the region, which follow iso-codes (incomplete for Burmese)."""
    po = polib.pofile(str(Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES/django.po"))
    kept = {e.msgstr for e in po.translated_entries() if e.msgstr == e.msgid}
    with translation.override(language):
        kept |= {name for code, name in country_choices() if code not in COUNTRY_NAMES}
    # Place names as providers list them are data, like the providers' names.
    for provider in Provider.objects.exclude(areas=[]):
        kept.add(provider.area_names)
    return frozenset(kept)


@dataclass
class Node:
    text: str
    where: str


@dataclass
class TextNodes(HTMLParser):
    """Visible text nodes of a page, outside elements marked with another language."""

    page_language: str = "en"
    nodes: list[Node] = field(default_factory=list)
    stack: list[tuple[str, bool]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def _excluded(self) -> bool:
        return any(excluded for _tag, excluded in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        own_language = values.get("lang")
        excluded = (
            tag in SKIPPED
            or "ref" in (values.get("class") or "").split()
            or (own_language is not None and tag != "html" and own_language != self.page_language)
        )
        if not excluded and not self._excluded():
            for name in LABEL_ATTRIBUTES:
                if values.get(name):
                    self.nodes.append(Node(str(values[name]).strip(), f"{tag}[{name}]"))
            if (
                tag == "input"
                and values.get("type") in {"submit", "button"}
                and values.get("value")
            ):
                self.nodes.append(Node(str(values["value"]).strip(), "input[value]"))
        if tag not in VOID:
            self.stack.append((tag, excluded))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._excluded():
            where = self.stack[-1][0] if self.stack else "?"
            self.nodes.append(Node(text, where))


def text_nodes(html: str, language: str) -> list[Node]:
    parser = TextNodes(page_language=language)
    parser.feed(html)
    return parser.nodes


def has_words(text: str) -> bool:
    return re.search(r"[A-Za-z]{2,}", text) is not None and not ALLOWED.match(text)


class Page:
    def __init__(self, client: Client, url: str) -> None:
        self.client, self.url = client, url

    def html(self, language: str) -> str:
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = self.client.get(self.url)
        assert response.status_code == 200, (self.url, response.status_code)
        assert f'<html lang="{language}"' in response.content.decode()
        return response.content.decode()


class PagesTestCase(HavenTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        demo.load()
        person = cls.world.people["A"]
        Person.objects.filter(pk=person.pk).update(languages=["my", "th", "km"])

    def signed_in(self, role: Role, org: str = "A") -> Client:
        return self.client_for(org, role)

    def completed_screening(self, client: Client) -> Screening:
        screening = self.world.screenings["A"]
        for topic in engine.TOPIC_ORDER:
            screening.refresh_from_db()
            data: dict[str, object] = {"version": screening.version}
            for indicator in engine.indicators_for(topic):
                data[f"a_{indicator.id}"] = "no"
            client.post(reverse("screening:topic", args=[screening.reference, topic]), data)
        screening.refresh_from_db()
        return screening

    def pages(self) -> dict[str, Page]:
        anonymous = Client()
        provider = Provider.objects.filter(public=True).exclude(opening_hours="").first()
        assert provider is not None
        second_step = Client()
        second_step.post(
            reverse("account_login"),
            {"login": self.world.user("A", Role.CASE_WORKER).username, "password": PASSWORD},
        )
        worker = self.signed_in(Role.CASE_WORKER)
        screener = self.signed_in(Role.SCREENER)
        screening = self.completed_screening(screener)
        referral = self.world.referrals["A"]
        return {
            "public list": Page(anonymous, reverse("directory:public")),
            "public provider": Page(
                anonymous, reverse("directory:public_provider", args=[provider.pk])
            ),
            "sign in": Page(Client(), reverse("accounts:login")),
            "second step": Page(second_step, reverse("mfa_authenticate")),
            "people": Page(worker, reverse("people:list")),
            "person": Page(
                worker, reverse("people:detail", args=[self.world.people["A"].reference])
            ),
            "screenings": Page(screener, reverse("screening:list")),
            "screening result": Page(
                screener, reverse("screening:result", args=[screening.reference])
            ),
            "outgoing referrals": Page(worker, reverse("referrals:outgoing")),
            "incoming referrals": Page(
                self.signed_in(Role.CASE_WORKER, "B"), reverse("referrals:incoming")
            ),
            "referral": Page(worker, reverse("referrals:detail", args=[referral.reference])),
            "referral flows": Page(self.signed_in(Role.COORDINATOR), reverse("referrals:flows")),
            "directory staff page": Page(
                self.signed_in(Role.SUPERVISOR), reverse("directory:manage")
            ),
        }


class UntranslatedTextTests(PagesTestCase):
    def test_no_english_left_on_pages_in_the_other_languages(self) -> None:
        left: dict[str, list[str]] = {}
        kept = {language: kept_as_is(language) for language in LANGUAGES}
        for name, page in self.pages().items():
            english = {n.text for n in text_nodes(page.html("en"), "en") if has_words(n.text)}
            for language in LANGUAGES:
                for node in text_nodes(page.html(language), language):
                    if node.text in english and node.text not in kept[language]:
                        left.setdefault(f"{name} ({language})", []).append(
                            f"<{node.where}> {node.text}"
                        )
        report = "\n".join(f"{page}: {nodes}" for page, nodes in sorted(left.items()))
        assert not left, f"English text on translated pages:\n{report}"

    def test_staff_languages_and_opening_hours_are_in_the_page_language(self) -> None:
        provider = Provider.objects.filter(public=True, opening_hours__startswith="Monday").first()
        assert provider is not None
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
        page = client.get(reverse("directory:public_provider", args=[provider.pk]))
        html = page.content.decode()
        self.assertIn("ច័ន្ទ", html)  # Monday
        self.assertNotIn("Monday", html)
        self.assertNotIn("Burmese", html)

    def test_hours_outside_the_pattern_are_shown_as_written_and_marked_english(self) -> None:
        self.assertEqual(local_hours("Mornings, ask at the gate").lang, "en")
        hours = local_hours("Monday to Friday, 8:00 to 17:00; Saturday, 9:00 to 12:00")
        self.assertEqual(hours.lang, "")

    def test_person_page_names_languages_in_the_page_language(self) -> None:
        client = self.signed_in(Role.CASE_WORKER)
        page = Page(client, reverse("people:detail", args=[self.world.people["A"].reference]))
        self.assertIn("ភាសាភូមា", page.html("km"))  # Burmese
        self.assertIn("Bahasa Myanmar", page.html("id"))

    def test_jurisdiction_names_come_in_every_interface_language(self) -> None:
        for profile in jurisdictions.available().values():
            for language in LANGUAGES:
                for named in (
                    profile,
                    profile.presumption,
                    profile.first_decision,
                    profile.final_decision,
                ):
                    self.assertNotEqual(named.name_in(language), named.name, (profile.id, language))
            self.assertEqual(profile.name_in("en"), profile.name)


class KeyboardAndScreenReaderTests(PagesTestCase):
    def test_every_page_starts_with_a_skip_link_to_main(self) -> None:
        for name, page in self.pages().items():
            html = page.html("en")
            first = re.search(
                r"<(a|button|input|select|textarea)\b[^>]*>", html.split("<body", 1)[1]
            )
            assert first is not None, name
            self.assertIn('href="#main"', first.group(0), name)
            self.assertIn('class="skip"', first.group(0), name)
            self.assertIn('<main id="main"', html, name)

    def test_the_language_menu_never_submits_on_its_own(self) -> None:
        for name, page in self.pages().items():
            html = page.html("en")
            self.assertNotIn("autosubmit", html, name)
            menu = html.split('class="lang"', 1)[1].split("</form>", 1)[0]
            self.assertRegex(menu, r'<button type="submit"(?![^>]*js-hide)[^>]*>Change</button>')

    def test_the_code_field_has_focus_at_the_second_step(self) -> None:
        client = Client()
        client.post(
            reverse("account_login"),
            {"login": self.world.user("A", Role.CASE_WORKER).username, "password": PASSWORD},
        )
        html = client.get(reverse("mfa_authenticate")).content.decode()
        field = re.search(r'<input[^>]*name="code"[^>]*>', html)
        assert field is not None
        self.assertIn("autofocus", field.group(0))
        self.assertIn('autocomplete="one-time-code"', field.group(0))

    def test_the_code_field_still_signs_in(self) -> None:
        client = Client()
        sign_in(client, self.world.user("A", Role.SCREENER))
        self.assertEqual(client.get(reverse("people:list")).status_code, 200)

    def test_every_table_has_a_caption_and_scoped_headers(self) -> None:
        tables = 0
        for name, page in self.pages().items():
            html = page.html("en")
            for table in re.findall(r"<table\b.*?</table>", html, flags=re.S):
                tables += 1
                self.assertRegex(
                    table, r"^<table[^>]*>\s*<caption\b[^>]*>[^<\s][^<]*</caption>", name
                )
                for header in re.findall(r"<th\b[^>]*>", table):
                    self.assertRegex(header, r'scope="(col|row)"', name)
        self.assertGreaterEqual(tables, 6)
