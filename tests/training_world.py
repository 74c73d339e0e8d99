"""A training space for tests: organisation "T" (is_training) with a trainer, two trainees
and a screener (whose role does not train), an attempt with one stage answered, a quiz
result and a scenario written in the UI. Kept apart from tests/personas.py: organisations
A and B stay real organisations, where the training pages answer 404."""

from __future__ import annotations

from dataclasses import dataclass

import pyotp

from haven.accounts.actions import create_user
from haven.accounts.models import Organisation, User
from haven.accounts.roles import Role
from haven.training import actions
from haven.training.demo import run_stage
from haven.training.loader import SCENARIO_DIR, quiz_statements, shipped_scenarios
from haven.training.models import Attempt, CustomScenario, QuizResult
from tests.personas import PASSWORD, READY

TRAINING_ORG = "Test training centre T"
CHILD = "child_street_seller"


@dataclass
class TrainingWorld:
    org: Organisation
    trainer: User
    trainee: User
    other_trainee: User
    screener: User
    attempt: Attempt
    quiz: QuizResult
    custom: CustomScenario


def custom_source(ident: str = "custom_case") -> str:
    text = (SCENARIO_DIR / "06_poor_conditions_not_trafficking.toml").read_text("utf-8")
    return text.replace('id = "poor_conditions_not_trafficking"', f'id = "{ident}"')


def answer_stage(user: User, attempt: Attempt, verdict: str) -> None:
    """Run the interview as the story's key says, and give `verdict` on the next stage."""
    run_stage(user, attempt, verdict)


def build_training_world() -> TrainingWorld:
    org = actions.ensure_training_organisation(actor=None, name=TRAINING_ORG, country="KH")

    def user(name: str, role: Role) -> User:
        return create_user(
            actor=None,
            organisation_id=org.pk,
            username=name,
            password=PASSWORD,
            roles=[role.value],
            totp_secret=pyotp.random_base32(),
        )

    trainer = user("t-trainer", Role.TRAINER)
    trainee = user("t-trainee", Role.TRAINEE)
    other = user("t-trainee-2", Role.TRAINEE)
    screener = user("t-screener", Role.SCREENER)
    scenario = next(s for s in shipped_scenarios() if s.id == CHILD)
    attempt = actions.start_attempt(trainee, scenario, readiness=READY)
    answer_stage(trainee, attempt, "not_indicated")
    quiz = actions.submit_quiz(trainee, {s: "true" for s in _statement_ids()})
    custom = actions.save_scenario(trainer, custom_source())
    attempt.refresh_from_db()
    return TrainingWorld(org, trainer, trainee, other, screener, attempt, quiz, custom)


def _statement_ids() -> list[str]:
    return [s.id for s in quiz_statements()]
