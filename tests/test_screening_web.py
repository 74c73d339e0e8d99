"""The guided screening interview, driven through the web views."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from haven.accounts.roles import Role
from haven.audit.models import AuditEntry
from haven.screening import engine
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
        self.assertEqual(
            resumed["Location"],
            reverse("screening:topic", args=[screening.reference, "background"]),
        )

    def test_readiness_checklist_with_urgent_medical_need_suspends_at_once(self) -> None:
        screening = self.start(medical_urgent="on")
        self.assertEqual(screening.status, ScreeningStatus.SUSPENDED)

    def test_pause_and_resume_where_it_stopped(self) -> None:
        screening = self.start()
        self.set_profile(screening, age_at_events="30")
        screening.refresh_from_db()
        response = self.client.post(
            reverse("screening:topic", args=[screening.reference, "safety"]),
            {"version": screening.version, "pause": "1"},
        )
        self.assertRedirects(response, reverse("screening:list"))
        resume = self.client.get(reverse("screening:resume", args=[screening.reference]))
        self.assertEqual(
            resume["Location"], reverse("screening:topic", args=[screening.reference, "background"])
        )

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
