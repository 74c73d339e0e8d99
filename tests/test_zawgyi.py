"""Burmese typed in Zawgyi is caught before it is saved, and the person typing chooses."""

from __future__ import annotations

from django.urls import reverse

from haven.accounts.roles import Role
from haven.core import burmese
from haven.people.models import Person
from tests.personas import HavenTestCase
from tests.test_bad_input import valid_person

ZAWGYI_NAME = "ေဒၚ ႏွင္းဆီ ျမင့္"
UNICODE_NAME = burmese.to_unicode(ZAWGYI_NAME)
ALIAS = "ဒီအလုပ္ကို တစ္စုံတစ္ေယာက္က ရွာေပးခဲ့တာလား"


def test_the_detector_tells_zawgyi_from_unicode() -> None:
    assert burmese.looks_like_zawgyi(ALIAS)
    assert not burmese.looks_like_zawgyi(burmese.to_unicode(ALIAS))
    # Short Unicode words the detector alone takes for Zawgyi are not flagged.
    for word in ("ဘာသာစကား", "ခံရသူဟု ယူဆရသူ", "Nguyễn Thị Lan", ""):
        assert not burmese.looks_like_zawgyi(word)


class PersonFormTests(HavenTestCase):
    def setUp(self) -> None:
        self.client = self.client_for("A", Role.SUPERVISOR)

    def post(self, **extra: str) -> object:
        data = valid_person(full_name=ZAWGYI_NAME, aliases=ALIAS, **extra)
        return self.client.post(reverse("people:create"), data)

    def test_zawgyi_is_shown_converted_and_nothing_is_saved(self) -> None:
        before = Person.objects.count()
        response = self.post()
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, 'id="zawgyi"', status_code=400)
        self.assertContains(response, UNICODE_NAME, status_code=400)
        self.assertContains(response, "looks like Burmese in the Zawgyi font", status_code=400)
        self.assertEqual(Person.objects.count(), before)

    def test_converting_saves_unicode(self) -> None:
        response = self.post(zawgyi="convert")
        self.assertEqual(response.status_code, 302)
        person = Person.objects.order_by("-pk").first()
        assert person is not None
        self.assertEqual(person.full_name, UNICODE_NAME)
        self.assertEqual(person.aliases, [burmese.to_unicode(ALIAS)])

    def test_keeping_saves_what_was_typed(self) -> None:
        response = self.post(zawgyi="keep")
        self.assertEqual(response.status_code, 302)
        person = Person.objects.order_by("-pk").first()
        assert person is not None
        self.assertEqual(person.full_name, ZAWGYI_NAME)
