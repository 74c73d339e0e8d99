"""The guided screening interview, driven through the web views."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from haven.accounts.models import User
from haven.accounts.roles import GRANTS, Capability, Role, Scope
from haven.audit.models import AuditEntry
from haven.screening import actions, engine
from haven.screening.models import Screening, ScreeningStatus
from haven.screening_engine import default_catalogue
from tests.helpers import raw_rows
from tests.personas import READY, HavenTestCase

ADULT_LABOUR_DIMS = ("deceptive_recruitment", "exploitation", "coercion_at_destination")


def readiness(**changes: Any) -> dict[str, Any]:
    data = {k: ("on" if v is True else v) for k, v in READY.items() if v is not False}
    data.update(changes)
    return data


def strong_yes(dimensions: tuple[str, ...], set_name: str) -> set[str]:
    """Two strong-or-medium yes answers per dimension: enough for the default rule."""
    chosen: set[str] = set()
    for dim in dimensions:
        rows = sorted(
            (
                i
                for i in default_catalogue().indicators
                if i.dimension == dim and set_name in i.grades
            ),
            key=lambda i: {"strong": 0, "medium": 1, "weak": 2}[i.grades[set_name]],
        )
        chosen.update(i.id for i in rows[:3])
    return chosen


class ScreeningFlowTests(HavenTestCase):
    def setUp(self) -> None:
        self.client = self.client_for("A", Role.CASE_WORKER)

    def start(self, **changes: Any) -> Screening:
        response = self.client.post(reverse("screening:start"), readiness(**changes))
        self.assertEqual(response.status_code, 302, response.content[:2000])
        return Screening.objects.latest("created_at")

    def set_profile(self, screening: Screening, **profile: Any) -> None:
        data = {"interview_language": "en", "version": screening.version, **profile}
        response = self.client.post(reverse("screening:profile", args=[screening.reference]), data)
        self.assertEqual(response.status_code, 302, response.content[:2000])

    def answer_all(self, screening: Screening, yes: set[str], **extra: Any) -> None:
        for topic in engine.TOPIC_ORDER:
            screening.refresh_from_db()
            data: dict[str, Any] = {"version": screening.version, **extra}
            for indicator in engine.indicators_for(topic):
                data[f"a_{indicator.id}"] = "yes" if indicator.id in yes else "no"
            response = self.client.post(
                reverse("screening:topic", args=[screening.reference, topic]), data
            )
            self.assertEqual(response.status_code, 302, response.content[:2000])

    def test_adult_labour_interview_reaches_presumed_victim(self) -> None:
        screening = self.start()
        self.set_profile(screening, age_at_events="30", exploitation=["labour"])
        self.answer_all(screening, strong_yes(ADULT_LABOUR_DIMS, "adult_labour"))
        page = self.client.get(reverse("screening:result", args=[screening.reference]))
        self.assertContains(page, "presumed victim")
        self.assertContains(page, default_catalogue().ruleset.version)
        screening.refresh_from_db()
        response = self.client.post(
            reverse("screening:result", args=[screening.reference]),
            {"judgement": "presumed_victim", "version": screening.version},
        )
        self.assertEqual(response.status_code, 302)
        screening.refresh_from_db()
        self.assertEqual(screening.status, ScreeningStatus.COMPLETED)
        self.assertEqual(screening.outcome, "presumed_victim")
        self.assertEqual(screening.result["ruleset"], default_catalogue().ruleset.version)
        self.assertTrue(
            AuditEntry.objects.filter(
                action="screening.complete", object_ref=screening.reference
            ).exists()
        )
        # A completed screening is a snapshot: no more edits.
        topic = reverse("screening:topic", args=[screening.reference, "work"])
        self.assertEqual(self.client.get(topic).status_code, 404)

    def test_child_interview_needs_no_means_and_shows_child_wording(self) -> None:
        screening = self.start(consent="child_assent_guardian")
        self.set_profile(screening, age_at_events="15", exploitation=["labour"])
        catalogue = default_catalogue()
        act = {i.id for i in catalogue.indicators if i.dimension == "act"}
        exploitation = strong_yes(("exploitation",), "child_labour")
        work = self.client.get(reverse("screening:topic", args=[screening.reference, "work"]))
        some = next(i for i in engine.indicators_for("work"))
        self.assertContains(work, some.questions["en"].child)
        self.answer_all(screening, act | exploitation)
        page = self.client.get(reverse("screening:result", args=[screening.reference]))
        self.assertContains(page, "presumed victim")
        self.assertContains(page, "Not required for a child")

    def test_disagreeing_needs_a_reason_which_is_kept(self) -> None:
        screening = self.start()
        self.set_profile(screening, age_at_events="30")
        self.answer_all(screening, set())
        screening.refresh_from_db()
        url = reverse("screening:result", args=[screening.reference])
        refused = self.client.post(
            url, {"judgement": "indicators_present", "version": screening.version}
        )
        self.assertEqual(refused.status_code, 400)
        accepted = self.client.post(
            url,
            {
                "judgement": "indicators_present",
                "reason": "Fear and bruises observed",
                "version": screening.version,
            },
        )
        self.assertEqual(accepted.status_code, 302)
        screening.refresh_from_db()
        self.assertEqual(screening.judgement, "indicators_present")
        self.assertEqual(screening.judgement_reason, "Fear and bruises observed")
        self.assertEqual(screening.outcome, "not_indicated")

    def test_medical_need_suspends_and_resumes(self) -> None:
        screening = self.start()
        self.set_profile(screening, age_at_events="30")
        medical = engine.medical_indicator_ids()
        screening.refresh_from_db()
        data = {"version": screening.version}
        for indicator in engine.indicators_for("safety"):
            data[f"a_{indicator.id}"] = "yes" if indicator.id in medical else "no"
        response = self.client.post(
            reverse("screening:topic", args=[screening.reference, "safety"]), data
        )
        self.assertRedirects(response, reverse("screening:suspended", args=[screening.reference]))
        page = self.client.get(response["Location"])
        self.assertContains(page, "medical care")
        screening.refresh_from_db()
        self.assertEqual(screening.status, ScreeningStatus.SUSPENDED)
        resumed = self.client.post(response["Location"], {"version": screening.version})
        # Every safety question was answered: on with the quick screening's next question.
        first_open = next(i for i in engine.gateways() if i.topic != "safety")
        quick = reverse("screening:quick", args=[screening.reference])
        self.assertEqual(resumed["Location"], f"{quick}#q-{first_open.id}")

    def test_readiness_checklist_with_urgent_medical_need_suspends_at_once(self) -> None:
        screening = self.start(medical_urgent="on")
        self.assertEqual(screening.status, ScreeningStatus.SUSPENDED)

    def test_pause_and_resume_where_it_stopped(self) -> None:
        screening = self.start()
        self.set_profile(screening, age_at_events="30")
        screening.refresh_from_db()
        quick = reverse("screening:quick", args=[screening.reference])
        gateways = engine.gateways()
        response = self.client.post(
            quick, {"version": screening.version, "pause": "1", f"a_{gateways[0].id}": "no"}
        )
        self.assertRedirects(response, reverse("screening:list"))
        resume = self.client.get(reverse("screening:resume", args=[screening.reference]))
        self.assertEqual(resume["Location"], f"{quick}#q-{gateways[1].id}")

    def test_no_consent_no_screening(self) -> None:
        before = Screening.objects.count()
        response = self.client.post(reverse("screening:start"), readiness(consent=""))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Screening.objects.count(), before)

    def test_an_interpreter_must_be_confirmed_neutral(self) -> None:
        response = self.client.post(reverse("screening:start"), readiness(interpreter="present"))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "no link", status_code=400)

    def test_answers_and_notes_are_encrypted_at_rest(self) -> None:
        screening = self.start()
        self.set_profile(screening, age_at_events="30")
        screening.refresh_from_db()
        first = engine.indicators_for("safety")[0]
        marker = "NoteMarker" + screening.reference
        self.client.post(
            reverse("screening:topic", args=[screening.reference, "safety"]),
            {"version": screening.version, f"a_{first.id}": "declined", f"n_{first.id}": marker},
        )
        screening.refresh_from_db()
        self.assertEqual(screening.notes[first.id], marker)
        leaks = [(t, c) for t, c, v in raw_rows() if marker in v or first.id in v]
        self.assertEqual(leaks, [])

    def test_stale_version_is_refused(self) -> None:
        screening = self.start()
        self.set_profile(screening, age_at_events="30")
        response = self.client.post(
            reverse("screening:topic", args=[screening.reference, "safety"]), {"version": 1}
        )
        self.assertEqual(response.status_code, 302)
        follow = self.client.get(response["Location"])
        self.assertContains(follow, "Someone else saved this record")

    def test_anonymous_screening_can_be_attached_to_a_person_later(self) -> None:
        screening = self.start()
        self.assertIsNone(screening.person)
        self.set_profile(screening, age_at_events="30")
        self.answer_all(screening, set())
        screening.refresh_from_db()
        self.client.post(
            reverse("screening:result", args=[screening.reference]),
            {"judgement": "not_indicated", "version": screening.version},
        )
        person = self.world.people["A"]
        self.client.post(
            reverse("screening:attach", args=[screening.reference]), {"person": person.reference}
        )
        screening.refresh_from_db()
        self.assertEqual(screening.person, person)
        page = self.client.get(reverse("people:detail", args=[person.reference]))
        self.assertContains(page, screening.reference)

    def test_case_shows_screenings_over_time(self) -> None:
        case = self.world.cases["A"]
        page = self.client.get(reverse("cases:detail", args=[case.reference]))
        self.assertContains(page, self.world.screenings["A"].reference)
        self.assertContains(page, reverse("screening:start_for_case", args=[case.reference]))

    def test_other_organisation_cannot_attach_its_people(self) -> None:
        screening = self.start()
        other = self.world.people["B"]
        self.client.post(
            reverse("screening:attach", args=[screening.reference]), {"person": other.reference}
        )
        screening.refresh_from_db()
        self.assertIsNone(screening.person)


def complete_screening(user: User, screening: Screening, answers: dict[str, str]) -> None:
    """Finish a screening through the domain actions, with the engine's own suggestion."""
    for topic in engine.TOPIC_ORDER:
        screening.refresh_from_db()
        ids = {i.id for i in engine.indicators_for(topic)}
        actions.record_answers(
            user,
            screening,
            topic,
            {k: v for k, v in answers.items() if k in ids},
            {},
            expected_version=screening.version,
        )
    screening.refresh_from_db()
    suggested = engine.evaluate(screening.profile, screening.answers, "en").outcome
    actions.complete(
        user, screening, judgement=suggested, reason="", expected_version=screening.version
    )
    screening.refresh_from_db()


class BackButtonTests(HavenTestCase):
    """ "Back" saves the screen being left, like any other save, then shows the one before."""

    def setUp(self) -> None:
        self.client = self.client_for("A", Role.CASE_WORKER)
        self.screening = self.world.screenings["A"]
        self.url = reverse("screening:topic", args=[self.screening.reference, "background"])

    def test_back_is_a_button_of_the_form_not_a_link(self) -> None:
        page = self.client.get(self.url)
        self.assertContains(page, '<button type="submit" name="back"', html=False)
        self.assertNotRegex(page.content.decode(), r"<a [^>]*>Back</a>")
        safety = reverse("screening:topic", args=[self.screening.reference, "safety"])
        first = self.client.get(safety)
        self.assertNotContains(first, 'name="back"')

    def test_back_saves_the_answers_on_the_screen_being_left(self) -> None:
        ident = engine.indicators_for("background")[0].id
        data = {"version": self.screening.version, f"a_{ident}": "yes", f"n_{ident}": "Said so"}
        response = self.client.post(self.url, {**data, "back": ""})
        self.assertRedirects(
            response, reverse("screening:topic", args=[self.screening.reference, "safety"])
        )
        self.screening.refresh_from_db()
        self.assertEqual(self.screening.answers, {ident: "yes"})
        self.assertEqual(self.screening.notes, {ident: "Said so"})
        entry = AuditEntry.objects.filter(object_ref=self.screening.reference).latest("seq")
        self.assertEqual(entry.action, "screening.answer")
        self.assertEqual(entry.changed_fields, ["answers", "notes"])
        # Going forward again shows what was kept.
        page = self.client.get(self.url)
        self.assertContains(page, f'value="yes" id="id_a_{ident}_0" checked', html=False)

    def test_back_with_an_invalid_answer_shows_the_error_and_saves_nothing(self) -> None:
        ident = engine.indicators_for("background")[0].id
        before = self.screening.version
        response = self.client.post(
            self.url, {"version": before, f"a_{ident}": "maybe", "back": ""}
        )
        self.assertContains(response, "Nothing was saved", status_code=400)
        self.screening.refresh_from_db()
        self.assertEqual((self.screening.answers, self.screening.version), ({}, before))

    def test_back_with_a_stale_version_saves_nothing(self) -> None:
        ident = engine.indicators_for("background")[0].id
        response = self.client.post(self.url, {"version": 1, f"a_{ident}": "yes", "back": ""})
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        self.assertContains(self.client.get(self.url), "Someone else saved this record")
        self.screening.refresh_from_db()
        self.assertEqual(self.screening.answers, {})

    def test_back_that_reports_an_urgent_medical_need_suspends(self) -> None:
        medical = sorted(engine.medical_indicator_ids())[0]
        topic = default_catalogue().by_id[medical].topic
        url = reverse("screening:topic", args=[self.screening.reference, topic])
        data = {"version": self.screening.version, f"a_{medical}": "yes", "back": ""}
        response = self.client.post(url, data)
        self.assertRedirects(
            response,
            reverse("screening:suspended", args=[self.screening.reference]),
            fetch_redirect_response=False,
        )
        self.screening.refresh_from_db()
        self.assertEqual(self.screening.status, ScreeningStatus.SUSPENDED)


class ResumeTests(HavenTestCase):
    """Resuming lands on the first question of the adaptive interview nobody has answered."""

    def setUp(self) -> None:
        self.client = self.client_for("A", Role.CASE_WORKER)
        self.screening = self.world.screenings["A"]
        self.resume = reverse("screening:resume", args=[self.screening.reference])
        self.quick = reverse("screening:quick", args=[self.screening.reference])

    def topic_url(self, topic: str) -> str:
        return reverse("screening:topic", args=[self.screening.reference, topic])

    def post(self, url: str, answers: dict[str, str], **extra: Any) -> None:
        self.screening.refresh_from_db()
        data = {"version": self.screening.version, **extra}
        data.update({f"a_{k}": v for k, v in answers.items()})
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, response.content[:2000])

    def test_resume_goes_to_the_first_unanswered_question_not_the_next_screen(self) -> None:
        gateways = engine.gateways()
        # The quick screening was saved with its third question left blank; a topic was
        # answered too. Resume goes back to the gap.
        self.post(self.quick, {i.id: "no" for i in gateways if i != gateways[2]})
        self.post(self.topic_url("background"), {"context_irregular_status": "no"})
        response = self.client.get(self.resume)
        self.assertRedirects(
            response, f"{self.quick}#q-{gateways[2].id}", fetch_redirect_response=False
        )

    def test_dont_know_and_prefers_not_to_say_count_as_answered(self) -> None:
        gateways = engine.gateways()
        answers = {i.id: "unknown" for i in gateways}
        answers[gateways[-1].id] = "declined"
        self.post(self.quick, answers)
        # Nothing opened a door (no yes, no "worth exploring"): the interview is complete.
        response = self.client.get(self.resume)
        self.assertEqual(
            response["Location"], reverse("screening:result", args=[self.screening.reference])
        )

    def test_a_screen_not_started_opens_at_its_top(self) -> None:
        response = self.client.get(self.resume)
        # The first question is at the top of its page, under the reminders: no anchor.
        self.assertEqual(response["Location"], self.quick)

    def test_every_question_answered_resumes_at_the_result(self) -> None:
        self.post(self.quick, {i.id: "no" for i in engine.gateways()})
        response = self.client.get(self.resume)
        self.assertRedirects(
            response,
            reverse("screening:result", args=[self.screening.reference]),
            fetch_redirect_response=False,
        )

    def test_each_question_has_an_anchor_to_land_on(self) -> None:
        page = self.client.get(self.topic_url("work"))
        for indicator in engine.indicators_for("work"):
            self.assertContains(page, f'<fieldset class="question" id="q-{indicator.id}">')


class AdaptiveInterviewTests(HavenTestCase):
    """A quick screening of at most 15 questions, then only the follow-ups that matter."""

    def setUp(self) -> None:
        self.client = self.client_for("A", Role.CASE_WORKER)
        self.screening = self.world.screenings["A"]
        self.quick = reverse("screening:quick", args=[self.screening.reference])
        self.follow_up = reverse("screening:follow_up", args=[self.screening.reference])
        self.result = reverse("screening:result", args=[self.screening.reference])

    def post(self, url: str, answers: dict[str, str]) -> str:
        self.screening.refresh_from_db()
        data = {"version": self.screening.version}
        data.update({f"a_{k}": v for k, v in answers.items()})
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, response.content[:2000])
        return str(response["Location"])

    def quick_answers(self, **yes: str) -> dict[str, str]:
        return {i.id: yes.get(i.id, "no") for i in engine.gateways()}

    def test_the_quick_screening_asks_at_most_fifteen_questions(self) -> None:
        page = self.client.get(self.quick)
        fieldsets = page.content.decode().count('<fieldset class="question"')
        self.assertEqual(fieldsets, len(engine.gateways()))
        self.assertLessEqual(fieldsets, 15)
        # Nothing is hidden: every topic can be opened from here.
        for topic in engine.TOPIC_ORDER:
            self.assertContains(
                page, reverse("screening:topic", args=[self.screening.reference, topic])
            )

    def test_all_no_ends_the_interview_at_the_result(self) -> None:
        self.assertEqual(self.post(self.quick, self.quick_answers()), self.result)

    def test_a_yes_opens_the_most_decisive_follow_ups(self) -> None:
        answers = self.quick_answers(documents_confiscated_at_destination="yes")
        self.assertEqual(self.post(self.quick, answers), self.follow_up)
        page = self.client.get(self.follow_up)
        self.screening.refresh_from_db()
        expected = engine.follow_ups(self.screening.profile, self.screening.answers, [])
        shown = expected[: engine.FOLLOW_UP_BATCH]
        for ident in shown:
            self.assertContains(page, f'id="q-{ident}"')
        self.assertEqual(page.content.decode().count('<fieldset class="question"'), len(shown))

    def test_a_dont_know_worth_exploring_opens_follow_ups(self) -> None:
        answers = self.quick_answers(confined_or_watched_at_destination="explore")
        self.assertEqual(self.post(self.quick, answers), self.follow_up)
        self.screening.refresh_from_db()
        self.assertEqual(self.screening.answers["confined_or_watched_at_destination"], "unknown")
        self.assertEqual(self.screening.explore, ["confined_or_watched_at_destination"])
        # The mark shows again on the quick screening.
        page = self.client.get(self.quick)
        self.assertContains(
            page, 'value="explore" id="id_a_confined_or_watched_at_destination_3" checked'
        )

    def test_follow_ups_end_at_the_result(self) -> None:
        answers = self.quick_answers(low_or_no_pay="yes", excessive_working_hours="yes")
        location = self.post(self.quick, answers)
        screens = 0
        while location == self.follow_up:
            screens += 1
            self.assertLess(screens, 20)
            page = self.client.get(self.follow_up)
            asked = re.findall(
                r'<fieldset class="question" id="q-([a-z0-9_]+)">', page.content.decode()
            )
            self.assertTrue(asked)
            location = self.post(self.follow_up, dict.fromkeys(asked, "no"))
        self.assertEqual(location, self.result)
        self.screening.refresh_from_db()
        self.assertLess(len(self.screening.answers), len(default_catalogue().indicators))

    def test_a_mark_on_a_yes_is_not_kept(self) -> None:
        self.screening.refresh_from_db()
        actions.record_answers(
            self.world.user("A", Role.CASE_WORKER),
            self.screening,
            None,
            {"low_or_no_pay": "yes", "documents_confiscated_at_destination": "unknown"},
            {},
            expected_version=self.screening.version,
            explore=["low_or_no_pay", "documents_confiscated_at_destination"],
        )
        self.screening.refresh_from_db()
        self.assertEqual(self.screening.explore, ["documents_confiscated_at_destination"])


class InterviewLanguageDraftTests(HavenTestCase):
    """The questions read out may be an unreviewed machine translation even when the
    screener's own interface is English: the topic and result pages must say so."""

    WARNING = "The questions marked below have not been reviewed in"
    RESULT_WARNING = "Some of the questions read to the person have not been reviewed in"

    def setUp(self) -> None:
        self.client = self.client_for("A", Role.CASE_WORKER)
        self.screening = self.world.screenings["A"]

    def interview_in(self, language: str) -> None:
        response = self.client.post(
            reverse("screening:profile", args=[self.screening.reference]),
            {
                "age_at_events": "30",
                "interview_language": language,
                "version": self.screening.version,
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.screening.refresh_from_db()
        self.assertEqual(self.screening.interview_language, language)

    def pages(self) -> tuple[HttpResponse, HttpResponse]:
        topic = reverse("screening:topic", args=[self.screening.reference, "work"])
        result = reverse("screening:result", args=[self.screening.reference])
        return self.client.get(topic), self.client.get(result)

    def test_burmese_interview_warns_with_an_english_interface(self) -> None:
        self.interview_in("my")
        topic, result = self.pages()
        self.assertContains(topic, self.WARNING + " Burmese")
        self.assertContains(topic, "Check each one with an interpreter")
        # No question has been answered yet, so none was read out in Burmese.
        self.assertNotContains(result, self.RESULT_WARNING)
        # The interface itself is English, so its own draft banner is not showing.
        self.assertNotContains(topic, "This translation is a machine draft")

    def test_english_interview_shows_no_translation_warning(self) -> None:
        self.interview_in("en")
        topic, result = self.pages()
        self.assertNotContains(topic, "Unreviewed machine translation")
        self.assertNotContains(result, "Unreviewed machine translation")

    def test_the_warning_is_in_the_interface_language(self) -> None:
        self.interview_in("my")
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
        topic, _result = self.pages()
        self.assertNotContains(topic, self.WARNING)
        self.assertContains(topic, 'id="interview-draft"')
        self.assertContains(topic, "คำแปลด้วยเครื่องที่ยังไม่ได้ตรวจทาน")


class ConfidentialityWordingTests(HavenTestCase):
    """What the screener reads out about confidentiality states its limits truthfully."""

    WHO_READS = (
        "Inside our organisation, your answers can be read by me, by the case worker "
        "responsible for your case, and by our supervisors and the officers who decide "
        "whether you are recognised as a victim of trafficking."
    )

    def test_the_readiness_page_states_the_limits_of_confidentiality(self) -> None:
        page = self.client_for("A", Role.SCREENER).get(reverse("screening:start"))
        self.assertContains(page, "What you tell me is confidential, within these limits.")
        self.assertContains(page, self.WHO_READS)
        self.assertContains(
            page,
            "We share your answers outside our organisation only if you agree, or in an "
            "emergency, and then only as far as the law allows.",
        )
        self.assertContains(page, "If an officer of the police, the immigration service")
        self.assertContains(page, "what stays confidential and its limits, as written above")

    def test_a_police_screener_must_explain_its_legal_duties_first(self) -> None:
        page = self.client_for("B", Role.SUPERVISOR).get(reverse("screening:start"))
        self.assertContains(page, "Our organisation (Law enforcement) has legal duties of its own")
        self.assertContains(page, "Explain these legal duties before you start")
        self.assertNotContains(page, "If an officer of the police, the immigration service")

    def test_the_wording_matches_who_may_read_screenings(self) -> None:
        # The read-out names exactly these readers. Change the wording with the grants.
        self.assertEqual(
            GRANTS[Capability.SCREENING_VIEW],
            {
                Role.SCREENER: frozenset({Scope.OWN}),  # "me"
                Role.CASE_WORKER: frozenset({Scope.OWN, Scope.ASSIGNED}),  # "responsible"
                Role.SUPERVISOR: frozenset({Scope.ORGANISATION}),
                Role.DETERMINATION_OFFICER: frozenset({Scope.ORGANISATION}),
                # "me": a hotline operator reads only the screenings they did from a call.
                Role.HOTLINE_OPERATOR: frozenset({Scope.OWN}),
            },
        )


class RescreeningTests(HavenTestCase):
    """A new screening of a person starts from their latest completed one, to confirm."""

    def setUp(self) -> None:
        self.person = self.world.people["A"]
        self.case = self.world.cases["A"]
        self.worker = self.world.user("A", Role.CASE_WORKER)
        self.first = self.world.screenings["A"]
        self.yes = engine.indicators_for("safety")[0].id
        self.declined = engine.indicators_for("work")[1].id
        complete_screening(
            self.world.user("A", Role.SCREENER),
            self.first,
            {self.yes: "yes", self.declined: "declined"},
        )

    def rescreen(self, user: User | None = None, **about: Any) -> Screening:
        about = about or {"person": self.person, "case": self.case}
        return actions.start_screening(user or self.worker, readiness=READY, **about)

    def test_start_screening_keeps_the_latest_completed_screening_of_the_person(self) -> None:
        second = self.rescreen()
        self.assertEqual(second.previous_reference, self.first.reference)
        self.assertEqual(second.previous_completed_at, self.first.completed_at)
        self.assertEqual(second.previous_answers, self.first.answers)
        self.assertEqual(second.previous_profile, self.first.profile)
        # Offered, not taken: nothing is an answer until the screener saves a page.
        self.assertEqual((second.answers, second.profile), ({}, {}))
        # Once this one is completed too, the next starts from it, not from the first.
        actions.set_profile(
            self.worker,
            second,
            {"age_at_events": 30, "interview_language": "en"},
            expected_version=second.version,
        )
        complete_screening(self.worker, second, {self.yes: "no"})
        third = self.rescreen(case=self.case)
        self.assertEqual(third.previous_reference, second.reference)
        self.assertEqual(third.previous_answers, {self.yes: "no"})

    def test_an_anonymous_screening_starts_empty(self) -> None:
        anonymous = self.rescreen(person=None, case=None)
        self.assertEqual(anonymous.previous_reference, "")
        self.assertEqual(anonymous.previous_answers, {})

    def test_start_audit_names_the_previous_screening_but_holds_no_value(self) -> None:
        second = self.rescreen()
        entry = AuditEntry.objects.get(action="screening.start", object_ref=second.reference)
        self.assertIn("previous_reference", entry.changed_fields)
        self.assertIn("previous_answers", entry.changed_fields)
        row = str([getattr(entry, f.attname) for f in AuditEntry._meta.fields])
        for value in (self.first.reference, self.yes, "declined"):
            self.assertNotIn(value, row)

    def test_previous_answers_are_encrypted_at_rest(self) -> None:
        second = self.rescreen()
        table = Screening._meta.db_table
        columns = ("previous_answers", "previous_profile")
        cells = [v for t, c, v in raw_rows() if t == table and c in columns]
        self.assertTrue(cells)
        self.assertFalse([v for v in cells if self.yes in v or "age_at_events" in v])
        self.assertTrue(second.previous_answers)

    def test_another_organisations_screening_is_never_offered(self) -> None:
        # Organisation B's completed screening about the same person stays B's.
        other = self.world.screenings["B"]
        complete_screening(self.world.user("B", Role.SCREENER), other, {self.yes: "no"})
        Screening.objects.filter(pk=other.pk).update(person=self.person, case=None)
        second = self.rescreen()
        self.assertEqual(second.previous_reference, self.first.reference)
        # And B, starting a screening about A's person, gets nothing of A's.
        from_b = self.rescreen(self.world.user("B", Role.SUPERVISOR), person=self.person)
        self.assertEqual(from_b.previous_reference, other.reference)
        Screening.objects.filter(pk=other.pk).delete()
        from_b = self.rescreen(self.world.user("B", Role.SUPERVISOR), person=self.person)
        self.assertEqual((from_b.previous_reference, from_b.previous_answers), ("", {}))

    def test_a_screening_the_screener_may_not_read_is_never_offered(self) -> None:
        # A screener reads only the screenings they made. Had a supervisor made the first
        # one, the screener could not open it, so their re-screening starts empty: the
        # confidentiality wording says who reads the answers, and this keeps it true.
        Screening.objects.filter(pk=self.first.pk).update(
            created_by=self.world.user("A", Role.SUPERVISOR)
        )
        second = self.rescreen(self.world.user("A", Role.SCREENER))
        self.assertEqual((second.previous_reference, second.previous_answers), ("", {}))

    def test_topic_pages_preselect_and_mark_previous_answers_until_saved(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        url = reverse("screening:start_for_case", args=[self.case.reference])
        client.post(url, readiness())
        second = Screening.objects.latest("created_at")
        self.assertEqual(second.previous_reference, self.first.reference)
        profile_url = reverse("screening:profile", args=[second.reference])
        profile = client.get(profile_url)
        when = date_format(localtime(self.first.completed_at), "SHORT_DATE_FORMAT")
        self.assertContains(profile, f"Filled in from screening {self.first.reference} on {when}")
        self.assertContains(profile, 'name="age_at_events" value="30"')
        client.post(
            profile_url,
            {"age_at_events": "30", "interview_language": "en", "version": second.version},
        )
        topic = reverse("screening:topic", args=[second.reference, "safety"])
        page = client.get(topic)
        mark = f"From screening {self.first.reference} on {when}: confirm with the person."
        self.assertContains(page, mark, count=1)
        self.assertContains(page, "This is a re-screening.")
        self.assertContains(page, f'value="yes" id="id_a_{self.yes}_0" checked')
        second.refresh_from_db()
        self.assertEqual(second.answers, {})
        # Resuming still starts at the first question: nothing has been confirmed yet.
        resume = client.get(reverse("screening:resume", args=[second.reference]))
        self.assertEqual(resume["Location"], reverse("screening:quick", args=[second.reference]))

        # The screener confirms the page with the person, changing one answer.
        changed = engine.indicators_for("safety")[1].id
        data = {
            "version": second.version,
            **{f"a_{k}": v for k, v in self.first.answers.items() if k in ids_of("safety")},
            f"a_{changed}": "yes",
        }
        client.post(topic, data)
        second.refresh_from_db()
        self.assertEqual(second.answers, {self.yes: "yes", changed: "yes"})
        page = client.get(topic)
        self.assertNotContains(page, mark)
        self.assertNotContains(page, "This is a re-screening.")
        # The declined answer in a later topic is still offered, still marked.
        work = client.get(reverse("screening:topic", args=[second.reference, "work"]))
        self.assertContains(work, f'value="declined" id="id_a_{self.declined}_3" checked')
        self.assertContains(work, mark)

    def test_another_organisation_cannot_open_the_rescreening(self) -> None:
        second = self.rescreen()
        client = self.client_for("B", Role.SUPERVISOR)
        topic = reverse("screening:topic", args=[second.reference, "safety"])
        self.assertEqual(client.get(topic).status_code, 404)


def ids_of(topic: str) -> set[str]:
    return {i.id for i in engine.indicators_for(topic)}


class ScreeningQuestionTranslationTests(HavenTestCase):
    def test_every_question_exists_in_every_language(self) -> None:
        catalogue = default_catalogue()
        for indicator in catalogue.indicators:
            for language in catalogue.ruleset.languages:
                with self.subTest(indicator=indicator.id, language=language):
                    question = indicator.questions[language]
                    self.assertTrue(question.adult and question.child)
                    self.assertTrue(indicator.statements[language])

    def test_interview_in_khmer_shows_khmer_questions(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        screening = self.world.screenings["A"]
        client.post(
            reverse("screening:profile", args=[screening.reference]),
            {"age_at_events": "30", "interview_language": "km", "version": screening.version},
        )
        page = client.get(reverse("screening:topic", args=[screening.reference, "work"]))
        first = engine.indicators_for("work")[0]
        self.assertContains(page, first.questions["km"].adult)
