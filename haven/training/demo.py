"""Demo data for the training space: "Demo Training Centre" (a training organisation)
with a trainer, two trainees, a few finished attempts and quiz rounds. All fictional."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from haven.accounts.roles import Role
from haven.training import actions
from haven.training.loader import Scenario, parse_scenario, quiz_statements, shipped_scenarios
from haven.training.models import Attempt

if TYPE_CHECKING:
    from haven.accounts.models import Organisation, User

NAME = "Demo Training Centre"
READY = {
    "private_space": True,
    "present": "",
    "same_sex_offered": True,
    "interpreter": "none",
    "interpreter_neutral": False,
    "rights_explained": True,
    "may_decline_explained": True,
    "consent": "consent",
    "medical_checked": True,
    "medical_urgent": False,
}


def run_stage(user: User, attempt: Attempt, verdict: str, *, skip: tuple[str, ...] = ()) -> None:
    """Answer the next stage as its key says (leaving out `skip`), through the same
    actions a trainee's pages call, and give `verdict`."""
    attempt.refresh_from_db()
    scenario: Scenario = parse_scenario(attempt.source)
    stage = scenario.stages[attempt.answered]
    screening = attempt.screening
    screening.refresh_from_db()
    if not screening.profile:
        actions.set_interview_profile(
            user,
            attempt,
            {**scenario.profile(), "interview_language": "en"},
            expected_version=screening.version,
        )
        screening.refresh_from_db()
    answers: Mapping[str, str] = {k: v for k, v in stage.key_answers().items() if k not in skip}
    actions.record_interview_answers(user, attempt, answers, {}, expected_version=screening.version)
    attempt.refresh_from_db()
    actions.submit_stage(
        user, attempt, stage=attempt.answered + 1, verdict=verdict, expected_version=attempt.version
    )


def _finish(user: User, ident: str, verdicts: list[str], skip: tuple[str, ...] = ()) -> None:
    scenario = next(s for s in shipped_scenarios() if s.id == ident)
    attempt = actions.start_attempt(user, scenario, readiness=READY)
    for verdict in verdicts:
        run_stage(user, attempt, verdict, skip=skip)


def seed(make_user: Callable[[Organisation, str, Role, list[str]], User]) -> list[tuple[str, User]]:
    """Create the training centre once; returns (organisation name, user) for the logins."""
    org = actions.ensure_training_organisation(actor=None, name=NAME, country="KH")
    trainer = make_user(org, "training-trainer", Role.TRAINER, [])
    first = make_user(org, "training-trainee", Role.TRAINEE, [])
    second = make_user(org, "training-trainee-2", Role.TRAINEE, [])
    if not Attempt.objects.filter(organisation=org).exists():
        _finish(first, "kiln_at_home", ["not_indicated", "presumed_victim", "presumed_victim"])
        _finish(
            second,
            "kiln_at_home",
            ["not_indicated", "indicators_present", "presumed_victim"],
            skip=("debt_bondage_at_destination",),
        )
        _finish(
            second,
            "child_street_seller",
            ["not_indicated", "indicators_present", "presumed_victim"],
            skip=("no_access_to_education",),
        )
        statements = quiz_statements()
        actions.submit_quiz(first, {s.id: "true" if s.answer else "false" for s in statements})
        actions.submit_quiz(second, {s.id: "true" for s in statements})
    return [(NAME, trainer), (NAME, first), (NAME, second)]
