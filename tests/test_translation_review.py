"""The translation review workflow: rules in the actions, wordings in use, per-text draft
warnings in the interview, offline files, and the pages."""

from __future__ import annotations

import polib
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from haven.accounts.roles import Role
from haven.audit.models import Action, AuditEntry
from haven.core.errors import RefusedError
from haven.directory.models import DirectoryService
from haven.screening.views import question_anchor
from haven.screening_engine import default_catalogue
from haven.translations import actions, live, sources
from haven.translations.models import (
    Override,
    Part,
    Proposal,
    ProposalStatus,
    Review,
    ReviewState,
)
from tests.personas import HavenTestCase

QUESTION = "excessive_working_hours:child"
ZAWGYI = "ဉာဏ္ႀကီးရွင္ ဒီအလုပ္ကို တစ္စုံတစ္ေယာက္က ရွာေပးခဲ့တာလား"


def entry(language: str, part: str, key: str) -> sources.Entry:
    found = sources.find(language, part, key)
    assert found is not None
    return found


def seen(language: str, part: str, key: str) -> str:
    return sources.digest(live.wording(language, entry(language, part, key)))


def interface_key(msgid: str) -> str:
    return sources.interface_key("", msgid)


class Fixture(HavenTestCase):
    def setUp(self) -> None:
        self.translator = self.world.user("A", Role.TRANSLATOR)  # my, km
        self.thai = self.world.user("B", Role.TRANSLATOR)  # th
        self.admin = self.world.user("B", Role.ORG_ADMIN)

    def propose(self, text: str, key: str = QUESTION, part: str = Part.QUESTION) -> Proposal:
        return actions.propose(
            self.translator, "my", part, key, text=text, note="", seen=seen("my", part, key)
        )

    def counts(self) -> tuple[int, int, int, int]:
        return (
            Review.objects.count(),
            Proposal.objects.count(),
            Override.objects.count(),
            AuditEntry.objects.count(),
        )


class ReviewRuleTests(Fixture):
    def test_a_translator_marks_a_text_reviewed_in_their_language(self) -> None:
        item = entry("my", Part.QUESTION, QUESTION)
        self.assertEqual(live.state("my", item), ReviewState.DRAFT)
        actions.review(
            self.translator,
            "my",
            Part.QUESTION,
            QUESTION,
            state=ReviewState.REVIEWED,
            note="",
            seen=seen("my", Part.QUESTION, QUESTION),
        )
        self.assertEqual(live.state("my", item), ReviewState.REVIEWED)
        self.assertEqual(
            live.question_state("my", "excessive_working_hours", child=True), ReviewState.REVIEWED
        )
        self.assertEqual(
            live.question_state("my", "excessive_working_hours", child=False), ReviewState.DRAFT
        )
        row = AuditEntry.objects.filter(action=Action.TRANSLATION_REVIEW).get()
        self.assertEqual(row.object_ref, f"my/question/{QUESTION}")

    def test_only_in_their_own_languages_and_only_translators(self) -> None:
        before = self.counts()
        for user, language in (
            (self.translator, "th"),
            (self.thai, "my"),
            (self.admin, "my"),
            (self.world.user("A", Role.SUPERVISOR), "my"),
        ):
            with self.subTest(user=user.username, language=language):
                with self.assertRaises(PermissionDenied):
                    actions.review(
                        user,
                        language,
                        Part.QUESTION,
                        QUESTION,
                        state=ReviewState.REVIEWED,
                        note="",
                        seen=seen(language, Part.QUESTION, QUESTION),
                    )
                with self.assertRaises(PermissionDenied):
                    actions.propose(
                        user,
                        language,
                        Part.QUESTION,
                        QUESTION,
                        text="x",
                        note="",
                        seen=seen(language, Part.QUESTION, QUESTION),
                    )
        self.assertEqual(self.counts(), before)

    def test_needs_change_needs_a_note_and_a_stale_page_changes_nothing(self) -> None:
        before = self.counts()
        current = seen("my", Part.QUESTION, QUESTION)
        refused = (
            {"state": ReviewState.NEEDS_CHANGE, "note": " ", "seen": current},
            {"state": ReviewState.REVIEWED, "note": "", "seen": "0" * 16},
            {"state": "draft", "note": "", "seen": current},
        )
        for kwargs in refused:
            with self.subTest(**kwargs), self.assertRaises(RefusedError):
                actions.review(self.translator, "my", Part.QUESTION, QUESTION, **kwargs)
        with self.assertRaises(RefusedError):
            actions.review(
                self.translator,
                "my",
                Part.QUESTION,
                "no_such_indicator:child",
                state=ReviewState.REVIEWED,
                note="",
                seen=current,
            )
        self.assertEqual(self.counts(), before)

    def test_a_review_holds_only_for_the_wording_reviewed(self) -> None:
        actions.review(
            self.translator,
            "my",
            Part.QUESTION,
            QUESTION,
            state=ReviewState.NEEDS_CHANGE,
            note="Formal pronoun for a child",
            seen=seen("my", Part.QUESTION, QUESTION),
        )
        item = entry("my", Part.QUESTION, QUESTION)
        self.assertEqual(live.state("my", item), ReviewState.NEEDS_CHANGE)
        proposal = self.propose("အလုပ်ချိန် အရမ်းများလား။")
        actions.decide(self.admin, proposal, accept=True)
        # The accepted wording counts as reviewed by its author ...
        review = Review.objects.get(language="my", part=Part.QUESTION, key=QUESTION)
        self.assertEqual((review.state, review.by_id), (ReviewState.REVIEWED, self.translator.pk))
        # ... and a wording changed after a review makes it a draft again.
        Override.objects.filter(key=QUESTION).update(text="something else")
        live.changed()
        self.assertEqual(live.state("my", item), ReviewState.DRAFT)


class ProposalRuleTests(Fixture):
    def test_an_accepted_question_is_read_in_the_interview_from_then_on(self) -> None:
        wording = "အလုပ်ချိန် အရမ်းများပြီး အနားယူချိန် မရှိဘူးလား။"
        proposal = self.propose(wording)
        self.assertEqual(proposal.status, ProposalStatus.OPEN)
        indicator = default_catalogue().by_id["excessive_working_hours"]
        self.assertNotEqual(indicator.question("my", child=True), wording)
        actions.decide(self.admin, proposal, accept=True)
        indicator = default_catalogue().by_id["excessive_working_hours"]
        self.assertEqual(indicator.question("my", child=True), wording)
        self.assertNotEqual(indicator.question("my", child=False), wording)
        self.assertEqual(Override.objects.get(key=QUESTION).text, wording)
        self.assertTrue(AuditEntry.objects.filter(action=Action.TRANSLATION_DECIDE).exists())

    def test_an_accepted_interface_wording_is_shown_on_the_pages(self) -> None:
        key = interface_key("Users")
        proposal = self.propose("ဘာသာပြန်ဆိုချက်များ (စစ်ပြီး)", key=key, part=Part.INTERFACE)
        actions.decide(self.admin, proposal, accept=True)
        with translation.override("my"):
            self.assertEqual(translation.gettext("Users"), "ဘာသာပြန်ဆိုချက်များ (စစ်ပြီး)")
        live.reset()
        with translation.override("my"):
            self.assertNotEqual(translation.gettext("Users"), "ဘာသာပြန်ဆိုချက်များ (စစ်ပြီး)")

    def test_an_accepted_directory_description_is_stored_with_the_service(self) -> None:
        service = DirectoryService.objects.exclude(description="").first()
        if service is None:
            service = DirectoryService.objects.first()
            assert service is not None
            service.description = "Shelter for women and children"
            service.save()
        proposal = self.propose("အမျိုးသမီးနှင့် ကလေးများအတွက် ခိုလှုံရာ", str(service.pk), Part.DIRECTORY)
        actions.decide(self.admin, proposal, accept=True)
        service.refresh_from_db()
        self.assertEqual(service.descriptions["my"], "အမျိုးသမီးနှင့် ကလေးများအတွက် ခိုလှုံရာ")

    def test_bad_proposals_are_refused_and_change_nothing(self) -> None:
        before = self.counts()
        placeholder_key = interface_key("Page %(n)s of %(total)s")
        current = live.wording("my", entry("my", Part.QUESTION, QUESTION))
        cases = (
            ("", QUESTION, Part.QUESTION),
            (current, QUESTION, Part.QUESTION),
            ("x" * 4001, QUESTION, Part.QUESTION),
            (ZAWGYI, QUESTION, Part.QUESTION),
            ("စာမျက်နှာ %(n)s", placeholder_key, Part.INTERFACE),
        )
        for text, key, part in cases:
            with self.subTest(text=text[:20]), self.assertRaises(RefusedError):
                self.propose(text, key, part)
        self.assertEqual(self.counts(), before)

    def test_decisions_are_an_admins_never_the_authors_never_twice(self) -> None:
        proposal = self.propose("အလုပ်ချိန် အရမ်းများလား။")
        with self.assertRaises(PermissionDenied):
            actions.decide(self.thai, proposal, accept=True)
        # An author who is also an admin still cannot decide on their own proposal.
        self.translator.roles = [Role.TRANSLATOR, Role.ORG_ADMIN]
        self.translator.save()
        with self.assertRaises(RefusedError):
            actions.decide(self.translator, proposal, accept=True)
        actions.decide(self.admin, proposal, accept=False, note="Keep the question form")
        with self.assertRaises(RefusedError):
            actions.decide(self.admin, proposal, accept=True)
        self.assertFalse(Override.objects.exists())
        proposal.refresh_from_db()
        self.assertEqual(proposal.status, ProposalStatus.REJECTED)

    def test_a_proposal_made_on_an_older_wording_cannot_be_accepted(self) -> None:
        first = self.propose("အလုပ်ချိန် အရမ်းများလား။")
        second = self.propose("အလုပ်ချိန် အရမ်းရှည်လား။")
        actions.decide(self.admin, first, accept=True)
        with self.assertRaises(RefusedError):
            actions.decide(self.admin, second, accept=True)
        second.refresh_from_db()
        self.assertEqual(second.status, ProposalStatus.OPEN)
        self.assertEqual(Override.objects.get(key=QUESTION).proposal_id, first.pk)


class OtherProcessTests(Fixture):
    @override_settings(HAVEN_TRANSLATION_REFRESH_SECONDS=1)
    def test_a_change_made_elsewhere_is_picked_up_at_the_next_check(self) -> None:
        proposal = Proposal.objects.create(
            language="my",
            part=Part.QUESTION,
            key=QUESTION,
            text="another process",
            base_digest="0" * 16,
            proposed_by=self.translator,
            proposed_at=timezone.now(),
        )
        Override.objects.create(
            language="my",
            part=Part.QUESTION,
            key=QUESTION,
            text="another process",
            source_digest="0" * 16,
            proposal=proposal,
            at=timezone.now(),
        )
        live.refresh(force=True)  # this process's last look
        cache.set(live.GENERATION_KEY, "elsewhere", timeout=None)
        live._known.checked -= 5  # the interval has passed
        live.refresh()
        indicator = default_catalogue().by_id["excessive_working_hours"]
        self.assertEqual(indicator.question("my", child=True), "another process")


class OfflineFileTests(Fixture):
    def test_a_po_file_comes_back_as_proposals_for_the_changed_wordings(self) -> None:
        po = polib.pofile(actions.export_interface("my").decode())
        found = po.find("Users")
        assert found is not None
        found.msgstr = "ဘာသာပြန်များ"
        done = actions.import_file(self.translator, "my", "po", str(po).encode())
        self.assertEqual(done.proposed, 1)
        proposal = Proposal.objects.get()
        self.assertEqual((proposal.key, proposal.text), (interface_key("Users"), "ဘာသာပြန်များ"))

    def test_a_catalogue_file_comes_back_as_proposals(self) -> None:
        exported = actions.export_questions("my").decode()
        self.assertIn("[excessive_working_hours]", exported)
        current = live.wording("my", entry("my", Part.QUESTION, QUESTION))
        changed = exported.replace(current, "အလုပ်ချိန် အရမ်းများလား။", 1)
        done = actions.import_file(self.translator, "my", "toml", changed.encode())
        self.assertEqual(done.proposed, 1)
        self.assertEqual(Proposal.objects.get().key, QUESTION)
        # The same file again proposes nothing new only when nothing differs from use:
        # the proposal is not yet accepted, so it is proposed again.
        unchanged = actions.import_file(self.translator, "my", "toml", exported.encode())
        self.assertEqual(unchanged.proposed, 0)

    def test_a_file_with_any_bad_entry_changes_nothing_and_names_it(self) -> None:
        po = polib.pofile(actions.export_interface("my").decode())
        page = po.find("Page %(n)s of %(total)s")
        assert page is not None
        page.msgstr = "စာမျက်နှာ"
        other = po.find("Users")
        assert other is not None
        other.msgstr = "ဘာသာပြန်များ"
        before = self.counts()
        with self.assertRaises(RefusedError) as refused:
            actions.import_file(self.translator, "my", "po", str(po).encode())
        self.assertIn("Page %(n)s of", refused.exception.message)
        for data, kind in (
            (b"[no_such_indicator]\nadult = 'x'\n", "toml"),
            (b"not = [toml", "toml"),
            (b"\xff\xfe", "po"),
        ):
            with self.subTest(data=data), self.assertRaises(RefusedError):
                actions.import_file(self.translator, "my", kind, data)
        self.assertEqual(self.counts(), before)


class InterviewWarningTests(Fixture):
    """The draft warning names only the questions not reviewed in the interview language."""

    def setUp(self) -> None:
        super().setUp()
        self.client = self.client_for("A", Role.CASE_WORKER)
        self.screening = self.world.screenings["A"]
        response = self.client.post(
            reverse("screening:profile", args=[self.screening.reference]),
            {"age_at_events": "30", "interview_language": "my", "version": self.screening.version},
        )
        self.assertEqual(response.status_code, 302)
        self.topic = reverse("screening:topic", args=[self.screening.reference, "work"])

    def review_all_but(self, left: int) -> list[str]:
        page = self.client.get(self.topic).content.decode()
        ids = [
            i.id for i in default_catalogue().indicators if f'id="{question_anchor(i.id)}"' in page
        ]
        self.assertGreater(len(ids), 1)
        for ident in ids[left:]:
            key = f"{ident}:adult"
            actions.review(
                self.translator,
                "my",
                Part.QUESTION,
                key,
                state=ReviewState.REVIEWED,
                note="",
                seen=seen("my", Part.QUESTION, key),
            )
        return ids

    def test_every_question_unreviewed_is_marked(self) -> None:
        page = self.client.get(self.topic).content.decode()
        self.assertIn('id="interview-draft"', page)
        self.assertGreater(page.count("Not yet reviewed in Burmese"), 1)

    def test_only_the_unreviewed_question_is_marked(self) -> None:
        self.review_all_but(1)
        page = self.client.get(self.topic).content.decode()
        self.assertIn('id="interview-draft"', page)
        self.assertEqual(page.count("Not yet reviewed in Burmese"), 1)

    def test_no_warning_once_every_question_is_reviewed(self) -> None:
        self.review_all_but(0)
        page = self.client.get(self.topic).content.decode()
        self.assertNotIn('id="interview-draft"', page)
        self.assertNotIn("Not yet reviewed in Burmese", page)

    def test_vietnamese_adult_questions_tell_the_screener_to_read_one_form(self) -> None:
        response = self.client.post(
            reverse("screening:profile", args=[self.screening.reference]),
            {
                "age_at_events": "30",
                "interview_language": "vi",
                "version": type(self.screening).objects.get(pk=self.screening.pk).version,
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertContains(self.client.get(self.topic), 'id="read-one-form"')


class PageTests(Fixture):
    def test_the_translator_reviews_and_proposes_through_the_pages(self) -> None:
        client = self.client_for("A", Role.TRANSLATOR)
        client.cookies["django_language"] = "my"
        index = client.get(reverse("translations:index"))
        self.assertContains(index, "translations/my/question/")
        self.assertNotContains(index, "translations/th/")
        url = reverse("translations:detail", args=["my", Part.QUESTION, QUESTION])
        page = client.get(url)
        self.assertContains(page, "Do you have to work for many hours")
        current = seen("my", Part.QUESTION, QUESTION)
        review = reverse("translations:review", args=["my", Part.QUESTION, QUESTION])
        refused = client.post(review, {"state": "needs_change", "note": "", "seen": current})
        self.assertEqual(refused.status_code, 400)
        self.assertFalse(Review.objects.exists())
        done = client.post(review, {"state": "reviewed", "note": "", "seen": current})
        self.assertRedirects(done, url, fetch_redirect_response=False)
        propose = reverse("translations:propose", args=["my", Part.QUESTION, QUESTION])
        client.post(propose, {"text": "အလုပ်ချိန် အရမ်းများလား။", "note": "", "seen": current})
        self.assertEqual(Proposal.objects.count(), 1)
        listing = client.get(
            reverse("translations:list", args=["my", Part.QUESTION]) + "?state=reviewed"
        )
        self.assertContains(listing, "Do you have to work for many hours")

    def test_the_admin_accepts_through_the_proposals_page(self) -> None:
        proposal = self.propose("အလုပ်ချိန် အရမ်းများလား။")
        client = self.client_for("B", Role.ORG_ADMIN)
        queue = client.get(reverse("translations:proposals"))
        self.assertContains(queue, "အလုပ်ချိန် အရမ်းများလား။")
        client.post(reverse("translations:decide", args=[proposal.pk]), {"decision": "accept"})
        proposal.refresh_from_db()
        self.assertEqual(proposal.status, ProposalStatus.ACCEPTED)

    def test_downloads_and_upload(self) -> None:
        client = self.client_for("A", Role.TRANSLATOR)
        po = client.get(reverse("translations:export", args=["my", "po"]))
        self.assertEqual(po.status_code, 200)
        self.assertIn("attachment", po["Content-Disposition"])
        toml = client.get(reverse("translations:export", args=["my", "toml"]))
        self.assertIn(b"[excessive_working_hours]", toml.content)
        bad = client.post(
            reverse("translations:import", args=["my"]),
            {"kind": "toml", "file": _upload(b"[no_such_indicator]\nadult = 'x'\n")},
        )
        self.assertEqual(bad.status_code, 400)
        self.assertContains(bad, "no_such_indicator", status_code=400)
        self.assertFalse(Proposal.objects.exists())


class QueryCountTests(Fixture):
    """The pages read the review states once (the live overlay), not once per text."""

    def reviewed(self, count: int) -> None:
        for item in sources.entries("my", Part.INTERFACE)[:count]:
            actions.review(
                self.translator,
                "my",
                Part.INTERFACE,
                item.key,
                state=ReviewState.REVIEWED,
                note="",
                seen=sources.digest(live.wording("my", item)),
            )

    def test_query_counts_do_not_grow_with_reviews(self) -> None:
        client = self.client_for("A", Role.TRANSLATOR)
        pages = [
            reverse("translations:index"),
            reverse("translations:list", args=["my", Part.INTERFACE]),
            reverse("translations:list", args=["my", Part.INTERFACE]) + "?state=reviewed",
            reverse("translations:detail", args=["my", Part.QUESTION, QUESTION]),
        ]
        self.reviewed(1)
        client.get(pages[0])  # warm the session and the overlay
        counts = {}
        for url in pages:
            with CaptureQueriesContext(connection) as few:
                self.assertEqual(client.get(url).status_code, 200)
            counts[url] = len(few)
        self.reviewed(30)
        for url in pages:
            with self.subTest(url=url), self.assertNumQueries(counts[url]):
                self.assertEqual(client.get(url).status_code, 200)
            self.assertLessEqual(counts[url], 12, url)


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("my.toml", data)
