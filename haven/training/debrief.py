"""The debrief of one stage: the trainee's answers and verdict beside the expert's key,
both run through the real engine, with the legal principle behind each difference."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from haven.screening import engine
from haven.screening.labels import FLAG_LABELS
from haven.screening.models import Outcome
from haven.screening_engine import default_catalogue
from haven.screening_engine.model import Result
from haven.training.loader import Scenario, Stage, Text

ELEMENT_LABELS = {
    "act": _("Act (recruitment, transport, transfer, harbouring or receipt)"),
    "means": _("Means (force, coercion, deception, abuse of vulnerability)"),
    "purpose": _("Purpose (exploitation)"),
}


@dataclass(frozen=True)
class Difference:
    indicator: str
    statement: str
    why: str  # the teaching note for this indicator, else the stage's legal principle
    asked: bool  # the trainee's interview asked it (an adaptive interview may not)


@dataclass(frozen=True)
class ElementRow:
    name: str
    label: str
    key: bool | None  # None: not required (a child needs no means)
    trainee: bool | None

    @property
    def agrees(self) -> bool:
        return self.key == self.trainee


@dataclass(frozen=True)
class Debrief:
    stage: Stage
    verdict: str
    verdict_label: str
    key_label: str
    verdict_agrees: bool
    missed: tuple[Difference, ...]
    wrongly_ticked: tuple[Difference, ...]
    elements: tuple[ElementRow, ...]
    rules_differ: bool  # the trainee's profile put the engine on other (child/adult) rules
    trainee_result: Result
    key_result: Result
    notes: str
    principle: str

    @property
    def key_flags(self) -> list[str]:
        return [str(FLAG_LABELS[f]) for f in self.key_result.flags]

    @property
    def trainee_flags(self) -> list[str]:
        return [str(FLAG_LABELS[f]) for f in self.trainee_result.flags]

    @property
    def flags_agree(self) -> bool:
        return set(self.key_result.flags) == set(self.trainee_result.flags)

    @property
    def trainee_explanation(self) -> list[str]:
        return self.trainee_result.explanation.splitlines()

    @property
    def key_explanation(self) -> list[str]:
        return self.key_result.explanation.splitlines()


def key_result(scenario: Scenario, stage: Stage, language: str) -> Result:
    """The real engine's verdict on the expert's key (what the tests pin)."""
    return engine.evaluate(scenario.profile(), stage.key_answers(), language)


def ticked(answers: Mapping[str, str]) -> list[str]:
    return [i for i, answer in answers.items() if answer == "yes"]


def _difference(ident: str, stage: Stage, language: str, answers: Mapping[str, str]) -> Difference:
    note: Text = stage.why.get(ident, stage.principle)
    statement = default_catalogue().by_id[ident].statement_in(language)
    return Difference(ident, statement, note.in_language(language), bool(answers.get(ident)))


def build(scenario: Scenario, stage: Stage, answered: Mapping[str, Any]) -> Debrief:
    """Compare one answered stage (`answered`: the verdict, answers and profile the trainee
    gave) with the stage's key."""
    language = (get_language() or "en").split("-")[0]
    answers: dict[str, str] = dict(answered.get("answers", {}))
    profile: dict[str, Any] = dict(answered.get("profile", {}))
    yes = ticked(answers)
    catalogue = default_catalogue()
    order = {i.id: n for n, i in enumerate(catalogue.indicators)}
    missed = sorted((i for i in stage.indicators if i not in yes), key=order.__getitem__)
    wrong = sorted((i for i in yes if i not in stage.indicators), key=order.__getitem__)
    trainee = engine.evaluate(profile, answers, language)
    key = key_result(scenario, stage, language)
    elements = []
    for name in ("act", "means", "purpose"):
        mine, theirs = key.elements[name], trainee.elements[name]
        elements.append(
            ElementRow(
                name,
                str(ELEMENT_LABELS[name]),
                None if mine is None else mine.met,
                None if theirs is None else theirs.met,
            )
        )
    labels = dict(Outcome.choices)
    verdict = str(answered.get("verdict", ""))
    return Debrief(
        stage=stage,
        verdict=verdict,
        verdict_label=str(labels.get(verdict, verdict)),
        key_label=str(labels[stage.verdict]),
        verdict_agrees=verdict == stage.verdict,
        missed=tuple(_difference(i, stage, language, answers) for i in missed),
        wrongly_ticked=tuple(_difference(i, stage, language, answers) for i in wrong),
        elements=tuple(elements),
        rules_differ=trainee.child_rules != key.child_rules,
        trainee_result=trainee,
        key_result=key,
        notes=stage.notes.in_language(language),
        principle=stage.principle.in_language(language),
    )
