"""The engine's vocabulary: indicators, rulesets, inputs and results. No Django here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Answer = Literal["yes", "no", "unknown", "declined"]
ANSWERS: tuple[Answer, ...] = ("yes", "no", "unknown", "declined")
UNEXPLORED: tuple[Answer, ...] = ("unknown", "declined")

KINDS = ("trafficking", "smuggling", "protection", "context")
TOPICS = ("safety", "background", "recruitment", "journey", "work", "control", "wishes")
SETS = ("adult_labour", "adult_sexual", "child_labour", "child_sexual")
GRADES = ("strong", "medium", "weak")

ACT = "act"
RECRUITMENT_DIMENSIONS = (
    "deceptive_recruitment",
    "coercive_recruitment",
    "recruitment_abuse_of_vulnerability",
)
EXPLOITATION = "exploitation"
DESTINATION_DIMENSIONS = ("coercion_at_destination", "abuse_of_vulnerability_at_destination")
GRADED_DIMENSIONS = (*RECRUITMENT_DIMENSIONS, EXPLOITATION, *DESTINATION_DIMENSIONS)
DIMENSIONS = (ACT, *GRADED_DIMENSIONS)
MEANS_DIMENSIONS = (*RECRUITMENT_DIMENSIONS, *DESTINATION_DIMENSIONS)

PALERMO_ELEMENTS = ("act", "means", "purpose")
ILO_FORCED_LABOUR = (
    "abuse_of_vulnerability",
    "deception",
    "restriction_of_movement",
    "isolation",
    "physical_and_sexual_violence",
    "intimidation_and_threats",
    "retention_of_identity_documents",
    "withholding_of_wages",
    "debt_bondage",
    "abusive_working_and_living_conditions",
    "excessive_overtime",
)
FORCED_LABOUR_ELEMENTS = ("involuntariness", "menace_of_penalty")

FLAGS = (
    "child",
    "age_uncertain",
    "smuggling",
    "forced_labour",
    "sexual_exploitation",
    "forced_criminality",
    "medical_urgent",
    "international_protection",
    "stateless_risk",
)
# Flags an indicator may raise by itself when answered yes.
INDICATOR_FLAGS = (
    "sexual_exploitation",
    "forced_criminality",
    "medical_urgent",
    "international_protection",
    "stateless_risk",
)

# Forms of exploitation a screener can name. "sexual" selects the sexual indicator sets;
# every other form selects the labour sets; none named selects both.
EXPLOITATION_FORMS = (
    "labour",
    "sexual",
    "criminality",
    "begging",
    "domestic_servitude",
    "forced_marriage",
    "organ_removal",
    "other",
)

Outcome = Literal["not_indicated", "indicators_present", "presumed_victim"]
OUTCOMES: tuple[Outcome, ...] = ("not_indicated", "indicators_present", "presumed_victim")


@dataclass(frozen=True)
class Question:
    adult: str
    child: str


@dataclass(frozen=True)
class Indicator:
    id: str
    kind: str
    topic: str
    statement: str
    palermo: tuple[str, ...]
    ilo_forced_labour: tuple[str, ...]
    forced_labour_element: tuple[str, ...]
    htcds: Mapping[str, tuple[str, ...]]
    sources: tuple[str, ...]
    questions: Mapping[str, Question]  # language -> wording
    statements: Mapping[str, str]  # language -> statement
    dimension: str | None = None
    grades: Mapping[str, str] = field(default_factory=dict)
    grade_source: str = ""
    checklists: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    source_file: str = ""

    def question(self, language: str, *, child: bool) -> str:
        wording = self.questions.get(language) or self.questions["en"]
        return wording.child if child else wording.adult

    def statement_in(self, language: str) -> str:
        return self.statements.get(language) or self.statement


@dataclass(frozen=True)
class DimensionRule:
    name: str
    strong: int = 0
    medium: int = 0
    weak: int = 0
    medium_or_weak: int = 0

    def met(self, strong: int, medium: int, weak: int) -> bool:
        return (
            strong >= self.strong
            and medium >= self.medium
            and weak >= self.weak
            and medium + weak >= self.medium + self.weak + self.medium_or_weak
        )


@dataclass(frozen=True)
class Ruleset:
    version: str
    name: str
    languages: tuple[str, ...]
    dimension_rules: tuple[DimensionRule, ...]
    forced_labour_min_involuntariness: int
    forced_labour_min_penalty: int
    smuggling_min_yes: int
    suggestion_limit: int


@dataclass(frozen=True)
class ScreeningInput:
    age_at_events: int | None
    possibly_child: bool
    exploitation: tuple[str, ...]
    answers: Mapping[str, Answer]


@dataclass(frozen=True)
class DimensionResult:
    positive: bool
    rule: str | None
    evidence: tuple[str, ...]
    counts: Mapping[str, int]


@dataclass(frozen=True)
class SetResult:
    applicable: bool
    presumed: bool
    rule: str | None
    dimensions: Mapping[str, DimensionResult]


@dataclass(frozen=True)
class Element:
    met: bool
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Assessment:
    """A separate assessment (forced labour, smuggling): positive, why, on what."""

    positive: bool
    rule: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    id: str
    # "would_change_outcome" | "needed_for_missing_element" | "would_make_dimension_positive"
    # | "unexplored"
    reason: str


@dataclass(frozen=True)
class NextStep:
    id: str
    text: str


@dataclass(frozen=True)
class Result:
    ruleset: str
    outcome: Outcome
    child_rules: bool
    sets: Mapping[str, SetResult]
    elements: Mapping[str, Element | None]
    flags: tuple[str, ...]
    forced_labour: Assessment
    smuggling: Assessment
    next_steps: tuple[NextStep, ...]
    unexplored: tuple[tuple[str, Answer], ...]
    suggestions: tuple[Suggestion, ...]
    explanation: str
