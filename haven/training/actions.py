"""Domain actions of the training space. Each runs in one transaction, writes its audit
row, and changes nothing when it refuses.

The interview of an attempt is a real `Screening` of the training organisation, driven
through `haven.screening.actions`: the readiness checklist, the adaptive questions and the
medical suspension work exactly as in real use. These actions add the training rules
around it: only in a training organisation, a trainee changes only their own attempts, and
stages are answered in order (the key of a stage shows only once it is answered).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.actions import ensure_organisation
from haven.accounts.models import Organisation, OrganisationType
from haven.accounts.roles import Capability, can
from haven.audit.chain import record
from haven.audit.models import Action
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.screening import actions as screening_actions
from haven.screening.models import ScreeningStatus
from haven.screening_engine.model import OUTCOMES
from haven.training import debrief as debriefs
from haven.training.loader import Scenario, ScenarioError, parse_scenario, quiz_statements
from haven.training.loader import shipped_scenarios as shipped
from haven.training.models import Attempt, AttemptStatus, CustomScenario, QuizResult

if TYPE_CHECKING:
    from haven.accounts.models import User

QUIZ_ANSWERS = ("true", "false")


class ScenarioRefusedError(RefusedError):
    """A scenario that breaks the schema: `problems` lists every fault."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(_("The scenario was not saved: correct the problems listed."))
        self.problems = problems


def refuse_outside_training(actor: User, capability: Capability) -> None:
    """Training happens only in a training organisation, by those whose role trains."""
    if not actor.organisation.is_training:
        raise RefusedError(_("Training happens only in a training organisation."))
    if not can(actor, capability):
        raise RefusedError(_("Your role does not allow this in the training space."))


def _own(actor: User, attempt: Attempt) -> None:
    if attempt.trainee_id != actor.pk:
        raise RefusedError(_("Only the trainee who started an attempt can answer it."))


def _locked(actor: User, attempt: Attempt, expected_version: int | None) -> Attempt:
    refuse_outside_training(actor, Capability.TRAINING_RUN)
    _own(actor, attempt)
    current = Attempt.objects.select_for_update().select_related("screening").get(pk=attempt.pk)
    if current.organisation_id != actor.organisation_id:
        raise RefusedError(_("Only the trainee who started an attempt can answer it."))
    if current.is_completed:
        raise RefusedError(_("This attempt is completed: start the scenario again to retry."))
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError
    return current


def _audit(actor: User, action: str, attempt: Attempt, changed: list[str]) -> None:
    record(
        actor=actor,
        action=action,
        object_type="training_attempt",
        object_ref=str(attempt.pk),
        changed_fields=changed,
    )


def start_attempt(actor: User, scenario: Scenario, *, readiness: Mapping[str, Any]) -> Attempt:
    """Start a scenario: a new anonymous screening of the training organisation, opened
    after the readiness checklist (an urgent medical need suspends it, as in real use)."""
    refuse_outside_training(actor, Capability.TRAINING_RUN)
    with transaction.atomic():
        screening = screening_actions.start_screening(actor, readiness=readiness)
        attempt = Attempt.objects.create(
            organisation=actor.organisation,
            trainee=actor,
            scenario_id=scenario.id,
            source=scenario.source,
            screening=screening,
        )
        _audit(actor, Action.TRAINING_START, attempt, ["scenario_id", "screening"])
    return attempt


def set_interview_profile(
    actor: User, attempt: Attempt, profile: Mapping[str, Any], *, expected_version: int
) -> None:
    """The interview's age and exploitation screen, on the attempt's own screening."""
    current = _checked(actor, attempt)
    screening_actions.set_profile(
        actor, current.screening, profile, expected_version=expected_version
    )


def record_interview_answers(
    actor: User,
    attempt: Attempt,
    answers: Mapping[str, str],
    notes: Mapping[str, str],
    *,
    expected_version: int,
    explore: Iterable[str] = (),
) -> bool:
    """One screen of the interview's answers; True when an urgent medical need suspended it."""
    current = _checked(actor, attempt)
    return screening_actions.record_answers(
        actor,
        current.screening,
        None,
        answers,
        notes,
        expected_version=expected_version,
        explore=explore,
    )


def resume_interview(actor: User, attempt: Attempt, *, expected_version: int) -> None:
    """Continue after a medical suspension, when the (role-played) person is well."""
    current = _checked(actor, attempt)
    screening_actions.resume(actor, current.screening, expected_version=expected_version)


def _checked(actor: User, attempt: Attempt) -> Attempt:
    """The attempt as stored, after the rules that every change of it follows."""
    with transaction.atomic():
        return _locked(actor, attempt, None)


def submit_stage(
    actor: User, attempt: Attempt, *, stage: int, verdict: str, expected_version: int
) -> None:
    """Record the trainee's verdict on stage `stage` (from 1) with the interview's answers
    at this moment; the last stage completes the attempt. Stages go strictly in order."""
    if verdict not in OUTCOMES:
        raise RefusedError(_("Choose one of the verdicts offered."))
    with transaction.atomic():
        current = _locked(actor, attempt, expected_version)
        scenario = parse_scenario(current.source)
        if stage != current.answered + 1:
            raise RefusedError(
                _("Answer the stages in order: stage %(n)s is the one to answer now.")
                % {"n": current.answered + 1}
            )
        screening = current.screening
        if screening.status == ScreeningStatus.SUSPENDED:
            raise RefusedError(
                _("The interview is suspended for medical care: resume it before you answer.")
            )
        if not screening.profile:
            raise RefusedError(_("Run the interview before you give your verdict."))
        current.stages = [
            *current.stages,
            {
                "verdict": verdict,
                "answers": dict(screening.answers),
                "profile": {
                    k: v for k, v in screening.profile.items() if k != "interview_language"
                },
                "explore": list(screening.explore),
                "at": timezone.now().isoformat(),
            },
        ]
        changed = ["stages"]
        if len(current.stages) >= len(scenario.stages):
            current.status = AttemptStatus.COMPLETED
            current.completed_at = timezone.now()
            changed.append("status")
        current.version += 1
        current.save()
        _audit(actor, Action.TRAINING_ANSWER, current, changed)
    attempt.refresh_from_db()


def debrief_for(attempt: Attempt, stage: int) -> debriefs.Debrief:
    """The debrief of an answered stage. The key of a stage not answered yet is refused:
    nobody skips ahead to the answers."""
    if not 1 <= stage <= attempt.answered:
        raise RefusedError(_("The key of a stage is shown only after you have answered it."))
    scenario = parse_scenario(attempt.source)
    return debriefs.build(scenario, scenario.stages[stage - 1], attempt.stages[stage - 1])


def save_scenario(
    actor: User,
    source: str,
    *,
    scenario: CustomScenario | None = None,
    expected_version: int | None = None,
) -> CustomScenario:
    """Write or edit a scenario of the training organisation, validated by the same loader
    as the shipped files. Its id must not clash with another scenario's."""
    refuse_outside_training(actor, Capability.TRAINING_MANAGE)
    try:
        parsed = parse_scenario(source)
    except ScenarioError as error:
        raise ScenarioRefusedError(error.problems) from error
    if any(s.id == parsed.id for s in shipped()):
        raise ScenarioRefusedError(
            [_("id: “%(id)s” is a shipped scenario's id: choose another.") % {"id": parsed.id}]
        )
    with transaction.atomic():
        clash = CustomScenario.objects.filter(
            organisation_id=actor.organisation_id, scenario_id=parsed.id
        )
        if scenario is not None:
            clash = clash.exclude(pk=scenario.pk)
        if clash.exists():
            raise ScenarioRefusedError(
                [_("id: another scenario already uses “%(id)s”.") % {"id": parsed.id}]
            )
        if scenario is None:
            current = CustomScenario(organisation=actor.organisation, created_by=actor)
        else:
            current = CustomScenario.objects.select_for_update().get(pk=scenario.pk)
            if current.organisation_id != actor.organisation_id:
                raise RefusedError(_("Training happens only in a training organisation."))
            if expected_version is not None and current.version != expected_version:
                raise ConcurrentEditError
            current.version += 1
        current.scenario_id = parsed.id
        current.source = source
        current.updated_at = timezone.now()
        current.save()
        record(
            actor=actor,
            action=Action.TRAINING_SCENARIO,
            object_type="training_scenario",
            object_ref=str(current.pk),
            changed_fields=["source"],
        )
    return current


def submit_quiz(actor: User, answers: Mapping[str, str]) -> QuizResult:
    """Score one round of the quiz. Every statement needs an answer, true or false."""
    refuse_outside_training(actor, Capability.TRAINING_RUN)
    statements = quiz_statements()
    if any(value not in QUIZ_ANSWERS for value in answers.values()):
        raise RefusedError(_("Answer each statement with true or false."))
    if set(answers) != {s.id for s in statements}:
        raise RefusedError(_("Answer every statement of the quiz, and only those."))
    given = {s.id: answers[s.id] == "true" for s in statements}
    score = sum(given[s.id] == s.answer for s in statements)
    with transaction.atomic():
        result = QuizResult.objects.create(
            organisation=actor.organisation,
            trainee=actor,
            answers=given,
            score=score,
            total=len(statements),
        )
        record(
            actor=actor,
            action=Action.TRAINING_QUIZ,
            object_type="training_quiz",
            object_ref=str(result.pk),
            changed_fields=["answers", "score"],
        )
    return result


def ensure_training_organisation(*, actor: User | None, name: str, country: str) -> Organisation:
    """A training space: an organisation flagged `is_training`, created unless it exists.

    The flag is fixed when the organisation is made (haven.accounts.actions): a real
    organisation of the same name is refused, never turned into a training space."""
    organisation, _created = ensure_organisation(
        actor=actor, name=name, org_type=OrganisationType.NGO, country=country, training=True
    )
    if not organisation.is_training:
        raise RefusedError(_("A real organisation never becomes a training space."))
    return organisation
