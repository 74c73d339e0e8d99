"""The training simulator: scenarios as data checked against the real engine, the staged
interview with its debrief, the trainer's results, the quiz, and the rules of the
training space (each action called directly, asserting the message and that nothing
changed)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import get_resolver, reverse

from haven.accounts.actions import create_user
from haven.accounts.models import Organisation
from haven.accounts.roles import Capability, Role
from haven.audit.models import AuditEntry
from haven.core.errors import RefusedError
from haven.screening import engine
from haven.screening.models import Screening, ScreeningStatus
from haven.training import actions
from haven.training.access import in_training
from haven.training.debrief import build
from haven.training.loader import (
    Scenario,
    ScenarioError,
    Stage,
    parse_scenario,
    quiz_statements,
    shipped_scenarios,
)
from haven.training.models import Attempt, CustomScenario, QuizResult
from tests.personas import READY, HavenTestCase
from tests.test_authorization import url_names
from tests.training_world import (
    CHILD,
    TrainingWorld,
    answer_stage,
    build_training_world,
    custom_source,
)

SCENARIOS = shipped_scenarios()
STAGES = [(s, stage) for s in SCENARIOS for stage in s.stages]


@pytest.mark.parametrize(
    ("scenario", "stage"), STAGES, ids=[f"{s.id}-{st.number}" for s, st in STAGES]
)
def test_every_stage_key_gives_the_engines_verdict_and_flags(
    scenario: Scenario, stage: Stage
) -> None:
    result = engine.evaluate(scenario.profile(), stage.key_answers(), "en")
    assert result.outcome == stage.verdict, stage.notes
    assert set(result.flags) == set(stage.flags), stage.notes


def test_six_original_scenarios_cover_the_required_situations() -> None:
    by_id = {s.id: s for s in SCENARIOS}
    assert set(by_id) >= {
        "kiln_at_home",  # forced labour without a border
        "regular_visa_factory",  # means at destination on a regular visa
        "smuggled_then_bonded",  # a smuggled migrant who becomes a victim
        "partner_recruiter",  # sexual exploitation, a partner as recruiter
        "child_street_seller",  # a child, no means used
        "poor_conditions_not_trafficking",  # not trafficking
    }
    assert all(3 <= len(s.stages) <= 4 for s in SCENARIOS)
    assert "context_crossed_border" in by_id["kiln_at_home"].stages[-1].absent
    assert "smuggling" in by_id["smuggled_then_bonded"].stages[-1].flags
    assert by_id["poor_conditions_not_trafficking"].stages[-1].verdict != "presumed_victim"
    child = by_id["child_street_seller"]
    assert (
        engine.evaluate(child.profile(), child.stages[1].key_answers(), "en").elements["means"]
        is None
    )


def test_a_child_needs_no_means_in_the_key() -> None:
    child = next(s for s in SCENARIOS if s.id == CHILD)
    stage = child.stages[1]
    assert "violence_at_destination" in stage.absent
    assert stage.verdict == "presumed_victim"


BROKEN = {
    "unknown_indicator": ('indicators = ["no_such_indicator"]', "no_such_indicator"),
    "bad_verdict": ('verdict = "victim"', "the verdict must be one of"),
    "unknown_flag": ('flags = ["nonsense"]', "flags must be a list of"),
    "unknown_key": ('colour = "red"', "unknown key"),
}


def _stage_toml(extra: str) -> str:
    stage = {
        "facts": '{ en = "Facts." }',
        "verdict": '"not_indicated"',
        "notes": '{ en = "Notes." }',
        "principle": '{ en = "Principle." }',
    }
    key = extra.split(" = ", maxsplit=1)[0].strip()
    stage.pop(key, None)
    lines = [f"{k} = {v}" for k, v in stage.items()]
    return "\n".join([*lines, extra])


def _scenario_toml(stage: str | None) -> str:
    head = 'id = "broken"\ntitle = { en = "T" }\nsummary = { en = "S" }\ngoals = [{ en = "G" }]\n'
    return head + (f"[[stage]]\n{stage}\n" if stage is not None else "")


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_the_loader_refuses_a_broken_stage_naming_the_problem(case: str) -> None:
    extra, said = BROKEN[case]
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(_scenario_toml(_stage_toml(extra)))
    assert any(said in problem for problem in refused.value.problems), refused.value.problems


def test_the_loader_refuses_a_scenario_without_stages_or_english() -> None:
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(_scenario_toml(None))
    assert "At least one stage ([[stage]]) is required." in refused.value.problems
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(_scenario_toml(_stage_toml('facts = { km = "x" }')))
    assert any("English text (en) is required" in p for p in refused.value.problems)
    with pytest.raises(ScenarioError):
        parse_scenario("this is = = not toml")


def test_the_loader_accepts_a_minimal_scenario_and_keeps_earlier_facts() -> None:
    text = _scenario_toml(_stage_toml('indicators = ["act_recruited_by_someone"]'))
    text += "[[stage]]\n" + _stage_toml('indicators = ["low_or_no_pay"]')
    scenario = parse_scenario(text)
    assert scenario.stages[1].indicators == ("act_recruited_by_someone", "low_or_no_pay")
    assert scenario.stages[1].adds == ("low_or_no_pay",)


def test_the_quiz_covers_every_principle_with_explained_answers() -> None:
    statements = quiz_statements()
    assert len(statements) >= 12
    assert {s.principle for s in statements} >= {
        "consent",
        "regular_status",
        "sex_work",
        "relationship",
        "children",
        "smuggling",
    }
    assert all(s.explanation.in_language("en") for s in statements)
    assert {s.answer for s in statements} == {True, False}


class TrainingTests(HavenTestCase):
    training: TrainingWorld

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.training = build_training_world()

    def scenario(self, ident: str) -> Scenario:
        return next(s for s in SCENARIOS if s.id == ident)

    def counts(self) -> tuple[int, int, int, int, int]:
        return (
            Attempt.objects.count(),
            Screening.objects.count(),
            QuizResult.objects.count(),
            CustomScenario.objects.count(),
            AuditEntry.objects.count(),
        )

    def assert_refused(self, call: object, message: str) -> None:
        before = self.counts()
        attempt = Attempt.objects.get(pk=self.training.attempt.pk)
        with self.assertRaises(RefusedError) as refused:
            call()  # type: ignore[operator]
        self.assertEqual(refused.exception.message, message)
        self.assertEqual(self.counts(), before)
        after = Attempt.objects.get(pk=attempt.pk)
        self.assertEqual((after.stages, after.version), (attempt.stages, attempt.version))

    # --- only in a training organisation ---

    def test_training_happens_only_in_a_training_organisation(self) -> None:
        trainee_a = self.world.user("A", Role.TRAINEE)
        self.assert_refused(
            lambda: actions.start_attempt(trainee_a, self.scenario(CHILD), readiness=READY),
            "Training happens only in a training organisation.",
        )
        trainer_a = self.world.user("A", Role.TRAINER)
        self.assert_refused(
            lambda: actions.save_scenario(trainer_a, custom_source("other")),
            "Training happens only in a training organisation.",
        )
        self.assert_refused(
            lambda: actions.submit_quiz(trainee_a, {}),
            "Training happens only in a training organisation.",
        )

    def test_a_role_that_does_not_train_is_refused_in_the_training_space(self) -> None:
        self.assert_refused(
            lambda: actions.start_attempt(
                self.training.screener, self.scenario(CHILD), readiness=READY
            ),
            "Your role does not allow this in the training space.",
        )
        self.assert_refused(
            lambda: actions.save_scenario(self.training.trainee, custom_source("other")),
            "Your role does not allow this in the training space.",
        )

    def test_capabilities_count_only_in_a_training_organisation(self) -> None:
        self.assertTrue(in_training(self.training.trainee, Capability.TRAINING_RUN))
        self.assertFalse(in_training(self.world.user("A", Role.TRAINEE), Capability.TRAINING_RUN))
        screener = self.world.user("A", Role.SCREENER)
        fresh = type(screener).objects.get(pk=screener.pk)
        with self.assertNumQueries(0):
            # No capability: the organisation is never read.
            self.assertFalse(in_training(fresh, Capability.TRAINING_RUN))

    # --- a trainee sees and changes only their own attempts ---

    def test_a_trainee_changes_only_their_own_attempt(self) -> None:
        attempt = self.training.attempt
        for other in (self.training.other_trainee, self.training.trainer):
            self.assert_refused(
                lambda other=other: actions.submit_stage(
                    other, attempt, stage=2, verdict="presumed_victim", expected_version=1
                ),
                "Only the trainee who started an attempt can answer it.",
            )
            self.assert_refused(
                lambda other=other: actions.record_interview_answers(
                    other, attempt, {"low_or_no_pay": "yes"}, {}, expected_version=1
                ),
                "Only the trainee who started an attempt can answer it.",
            )

    def test_a_trainee_sees_only_their_own_attempts(self) -> None:
        client = Client()
        client.force_login(self.training.other_trainee)
        for name in ("training:stage", "training:quick", "training:complete"):
            with self.subTest(name):
                url = reverse(name, args=[self.training.attempt.pk])
                self.assertEqual(client.get(url).status_code, 404)
        url = reverse("training:debrief", args=[self.training.attempt.pk, 1])
        self.assertEqual(client.get(url).status_code, 404)
        url = reverse("training:quiz_result", args=[self.training.quiz.pk])
        self.assertEqual(client.get(url).status_code, 404)

    # --- stages in order, no skipping to the key ---

    def test_stages_are_answered_in_order(self) -> None:
        attempt = self.training.attempt
        self.assert_refused(
            lambda: actions.submit_stage(
                self.training.trainee,
                attempt,
                stage=3,
                verdict="presumed_victim",
                expected_version=attempt.version,
            ),
            "Answer the stages in order: stage 2 is the one to answer now.",
        )
        self.assert_refused(
            lambda: actions.submit_stage(
                self.training.trainee,
                attempt,
                stage=1,
                verdict="presumed_victim",
                expected_version=attempt.version,
            ),
            "Answer the stages in order: stage 2 is the one to answer now.",
        )

    def test_the_key_of_an_unanswered_stage_is_never_shown(self) -> None:
        attempt = Attempt.objects.get(pk=self.training.attempt.pk)
        with self.assertRaisesMessage(
            RefusedError, "The key of a stage is shown only after you have answered it."
        ):
            actions.debrief_for(attempt, 2)
        client = Client()
        client.force_login(self.training.trainee)
        response = client.get(reverse("training:debrief", args=[attempt.pk, 2]))
        self.assertEqual(response.status_code, 302)
        self.assertNotIn("Debrief of stage 2", client.get(response["Location"]).content.decode())

    def test_a_verdict_must_be_one_of_the_engines(self) -> None:
        attempt = self.training.attempt
        self.assert_refused(
            lambda: actions.submit_stage(
                self.training.trainee,
                attempt,
                stage=2,
                verdict="victim",
                expected_version=attempt.version,
            ),
            "Choose one of the verdicts offered.",
        )

    def test_the_stage_page_explains_a_refused_or_bad_verdict_and_saves_nothing(self) -> None:
        attempt = self.training.attempt
        client = Client()
        client.force_login(self.training.trainee)
        url = reverse("training:stage", args=[attempt.pk])
        before = self.counts()
        response = client.post(
            url, {"verdict": "presumed_victim", "stage": 3, "version": attempt.version}
        )
        self.assertContains(
            response,
            "Answer the stages in order: stage 2 is the one to answer now.",
            status_code=400,
        )
        response = client.post(url, {"verdict": "victim", "stage": 2, "version": attempt.version})
        self.assertContains(response, "Nothing was saved.", status_code=400)
        self.assertEqual(self.counts(), before)
        trainer = Client()
        trainer.force_login(self.training.trainer)
        response = trainer.post(
            url, {"verdict": "presumed_victim", "stage": 2, "version": attempt.version}
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.counts(), before)

    # --- the medical suspension works as in real use ---

    def test_an_urgent_medical_need_suspends_the_training_interview(self) -> None:
        trainee = self.training.other_trainee
        attempt = actions.start_attempt(
            trainee, self.scenario("kiln_at_home"), readiness={**READY, "medical_urgent": True}
        )
        self.assertEqual(attempt.screening.status, ScreeningStatus.SUSPENDED)
        client = Client()
        client.force_login(trainee)
        response = client.get(reverse("training:attempt", args=[attempt.pk]))
        self.assertRedirects(response, reverse("training:suspended", args=[attempt.pk]))
        self.assertContains(client.get(response["Location"]), "get medical care now")
        self.assert_refused(
            lambda: actions.submit_stage(
                trainee, attempt, stage=1, verdict="not_indicated", expected_version=1
            ),
            "The interview is suspended for medical care: resume it before you answer.",
        )
        response = client.post(
            reverse("training:suspended", args=[attempt.pk]),
            {"version": attempt.screening.version},
        )
        self.assertRedirects(response, reverse("training:profile", args=[attempt.pk]))
        attempt.screening.refresh_from_db()
        self.assertEqual(attempt.screening.status, ScreeningStatus.IN_PROGRESS)

    # --- the whole scenario, and its debrief ---

    def test_a_trainee_completes_a_scenario_with_a_debrief_after_each_stage(self) -> None:
        trainee = self.training.other_trainee
        scenario = self.scenario("regular_visa_factory")
        attempt = actions.start_attempt(trainee, scenario, readiness=READY)
        for stage in scenario.stages:
            answer_stage(trainee, attempt, "not_indicated")
            attempt.refresh_from_db()
            shown = actions.debrief_for(attempt, stage.number)
            self.assertEqual(shown.verdict_agrees, stage.verdict == "not_indicated")
            self.assertEqual(shown.missed, ())  # the answers were the key's
            self.assertEqual(shown.key_result.outcome, stage.verdict)
        self.assertTrue(attempt.is_completed)
        client = Client()
        client.force_login(trainee)
        page = client.get(reverse("training:complete", args=[attempt.pk])).content.decode()
        self.assertIn("Regular migration status does not exclude trafficking", page)
        self.assertIn("Your verdict agreed with the key in 1 of 3 stages.", page)

    def test_the_debrief_names_missed_and_wrongly_ticked_indicators_with_the_principle(
        self,
    ) -> None:
        scenario = self.scenario(CHILD)
        stage = scenario.stages[1]
        answered = {
            "verdict": "indicators_present",
            "answers": {"act_recruited_by_someone": "yes", "violence_at_destination": "yes"},
            "profile": scenario.profile(),
        }
        shown = build(scenario, stage, answered)
        missed = {d.indicator for d in shown.missed}
        self.assertIn("forced_begging", missed)
        self.assertEqual([d.indicator for d in shown.wrongly_ticked], ["violence_at_destination"])
        self.assertEqual(
            shown.wrongly_ticked[0].why,
            "No violence is needed: do not look for means to decide a child's case.",
        )
        self.assertFalse(shown.verdict_agrees)
        means = next(e for e in shown.elements if e.name == "means")
        self.assertIsNone(means.key)  # a child needs no means
        self.assertTrue(shown.key_explanation)

    # --- scenarios from the UI ---

    def test_a_scenario_from_the_ui_is_validated_by_the_same_loader(self) -> None:
        before = self.counts()
        with self.assertRaises(actions.ScenarioRefusedError) as refused:
            actions.save_scenario(
                self.training.trainer, custom_source("bad").replace("low_or_no_pay", "nope")
            )
        self.assertEqual(
            refused.exception.message, "The scenario was not saved: correct the problems listed."
        )
        self.assertIn(
            "stage 2, indicators: “nope” is not an indicator of the catalogue.",
            refused.exception.problems,
        )
        self.assertEqual(self.counts(), before)
        with self.assertRaises(actions.ScenarioRefusedError) as refused:
            actions.save_scenario(
                self.training.trainer,
                custom_source("kiln_at_home"),
            )
        self.assertIn("shipped scenario", refused.exception.problems[0])
        self.assertEqual(self.counts(), before)

    def test_a_trainer_edits_a_scenario_and_the_page_explains_errors(self) -> None:
        client = Client()
        client.force_login(self.training.trainer)
        url = reverse("training:scenario_edit", args=[self.training.custom.pk])
        response = client.post(url, {"source": "id = ", "version": 1})
        self.assertContains(response, "This is not valid TOML", status_code=400)
        response = client.post(url, {"source": custom_source("renamed"), "version": 1})
        self.assertRedirects(response, reverse("training:results"))
        self.assertEqual(
            CustomScenario.objects.get(pk=self.training.custom.pk).scenario_id, "renamed"
        )

    # --- quiz ---

    def test_quiz_answers_are_only_true_or_false(self) -> None:
        ids = [s.id for s in quiz_statements()]
        answers = dict.fromkeys(ids, "true")
        self.assert_refused(
            lambda: actions.submit_quiz(self.training.trainee, {**answers, ids[0]: "maybe"}),
            "Answer each statement with true or false.",
        )
        self.assert_refused(
            lambda: actions.submit_quiz(self.training.trainee, {ids[0]: "true"}),
            "Answer every statement of the quiz, and only those.",
        )

    def test_the_quiz_is_scored_and_kept_per_trainee(self) -> None:
        statements = quiz_statements()
        right = {s.id: "true" if s.answer else "false" for s in statements}
        result = actions.submit_quiz(self.training.other_trainee, right)
        self.assertEqual((result.score, result.total), (len(statements), len(statements)))
        self.assertEqual(result.trainee, self.training.other_trainee)
        client = Client()
        client.force_login(self.training.other_trainee)
        response = client.post(reverse("training:quiz"), {})
        self.assertContains(response, "Answer true or false.", status_code=400)

    # --- trainer's results ---

    def test_the_trainer_sees_the_groups_results_per_scenario(self) -> None:
        client = Client()
        client.force_login(self.training.trainer)
        page = client.get(reverse("training:scenario_results", args=[CHILD])).content.decode()
        self.assertIn("1 attempts, 0 completed.", page)
        self.assertIn("100%", page)  # stage 1 answered "not_indicated", as the key says
        with self.assertNumQueries(9):  # the user comes with their organisation
            response = client.get(reverse("training:results"))
        self.assertEqual(response.status_code, 200)

    def test_the_trainer_sees_only_their_training_organisations_results(self) -> None:
        other = actions.ensure_training_organisation(
            actor=None, name="Another training centre", country="TH"
        )
        trainer = create_user(
            actor=None,
            organisation_id=other.pk,
            username="other-trainer",
            password="another long password",
            roles=[Role.TRAINER.value],
        )
        client = Client()
        client.force_login(trainer)
        page = client.get(reverse("training:scenario_results", args=[CHILD])).content.decode()
        self.assertIn("0 attempts, 0 completed.", page)
        url = reverse("training:debrief", args=[self.training.attempt.pk, 1])
        self.assertEqual(client.get(url).status_code, 404)
        url = reverse("training:scenario_edit", args=[self.training.custom.pk])
        self.assertEqual(client.get(url).status_code, 404)

    def test_the_nav_shows_training_only_in_a_training_organisation(self) -> None:
        client = Client()
        client.force_login(self.training.trainee)
        self.assertContains(client.get(reverse("training:index")), 'href="/training/"')
        client.force_login(self.world.user("A", Role.TRAINEE))
        self.assertNotContains(client.get("/"), 'href="/training/"')


# The training pages for the training organisation's own users (organisations A and B are
# in tests/test_authorization.py, where trainers and trainees get 404).
def _t_matrix(w: TrainingWorld) -> dict[str, tuple[str, dict[str, object], dict[str, int]]]:
    a, q, c = w.attempt.pk, w.quiz.pk, w.custom.pk
    run = {"trainee": 200, "other": 200, "trainer": 200, "screener": 403}
    own = {"trainee": 200, "other": 404, "trainer": 404, "screener": 403}
    manage = {"trainee": 403, "other": 403, "trainer": 200, "screener": 403}
    return {
        "training:index": ("GET", {}, run),
        "training:start": ("GET", {"scenario_id": CHILD}, run),
        "training:attempt": ("GET", {"pk": a}, {**own, "trainee": 302, "trainer": 302}),
        "training:stage": ("GET", {"pk": a}, own),
        "training:profile": ("GET", {"pk": a}, own),
        "training:quick": ("GET", {"pk": a}, own),
        "training:follow_up": ("GET", {"pk": a}, own),
        "training:topic": ("GET", {"pk": a, "topic": "work"}, own),
        "training:suspended": ("GET", {"pk": a}, {**own, "trainee": 302}),
        "training:debrief": ("GET", {"pk": a, "stage": 1}, {**own, "trainer": 200}),
        "training:complete": ("GET", {"pk": a}, {**own, "trainee": 302, "trainer": 302}),
        "training:quiz": ("GET", {}, run),
        "training:quiz_result": ("GET", {"pk": q}, {**own, "trainer": 200}),
        "training:results": ("GET", {}, manage),
        "training:scenario_results": ("GET", {"scenario_id": CHILD}, manage),
        "training:scenario_new": ("GET", {}, manage),
        "training:scenario_edit": ("GET", {"pk": c}, manage),
    }


class TrainingOrganisationMatrixTests(HavenTestCase):
    training: TrainingWorld

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.training = build_training_world()

    def test_every_training_url_for_the_training_organisations_users(self) -> None:
        w = self.training
        users = {
            "trainee": w.trainee,
            "other": w.other_trainee,
            "trainer": w.trainer,
            "screener": w.screener,
        }
        matrix = _t_matrix(w)
        names = set(url_names(get_resolver().url_patterns))
        self.assertEqual({n for n in names if n.startswith("training:")}, set(matrix))
        for name, (_method, kwargs, allowed) in matrix.items():
            url = reverse(name, kwargs=kwargs)
            for who, user in users.items():
                with self.subTest(url=name, user=who):
                    client = Client()
                    client.force_login(user)
                    self.assertEqual(client.get(url).status_code, allowed[who])


class TrainingDemoTests(HavenTestCase):
    def test_the_demo_has_a_training_centre_with_finished_attempts(self) -> None:
        call_command("demo", "--quiet", stdout=StringIO())
        centre = Organisation.objects.get(name="Demo Training Centre")
        self.assertTrue(centre.is_training)
        roles = sorted(r for u in centre.users.all() for r in u.role_list)
        self.assertEqual(roles, [Role.TRAINEE, Role.TRAINEE, Role.TRAINER])
        finished = Attempt.objects.filter(organisation=centre, status="completed")
        self.assertEqual(finished.count(), 3)
        self.assertEqual(QuizResult.objects.filter(organisation=centre).count(), 2)
