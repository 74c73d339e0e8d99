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
    "needs_safe_place",
    "international_protection",
    "stateless_risk",
)
# Flags an indicator may raise by itself when answered yes.
INDICATOR_FLAGS = (
    "sexual_exploitation",
    "forced_criminality",
    "medical_urgent",
    "needs_safe_place",
    "international_protection",
    "stateless_risk",
)
# Interview groups: a trafficking indicator belongs to its dimension, any other to its kind.
# A gateway question opens groups (and the indicators that can raise a flag) for follow-up.
GROUPS = (*DIMENSIONS, "smuggling", "protection", "context")
OPENABLE = (*GROUPS, *INDICATOR_FLAGS, "forced_labour")
# Routes to a legal element (see ruleset.toml [presumption]).
ROUTES = (*DIMENSIONS, "forced_labour", "purpose_alone")
PROFILES = ("adult", "child")

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
    gateway: bool = False
    opens: tuple[str, ...] = ()
    purpose_alone: tuple[str, ...] = ()  # "adult", "child": a yes shows the purpose by itself
    source_file: str = ""

    @property
    def group(self) -> str:
        return self.dimension or self.kind

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
    smuggling_sufficient: tuple[str, ...]
    suggestion_limit: int
    # profile ("adult"/"child") -> element -> routes; an element is met when any route is
    presumption: Mapping[str, Mapping[str, tuple[str, ...]]]
    concern_dimensions: tuple[str, ...]
    concern_forced_labour_elements: bool
    # profile -> groups of routes; the combination is met when every group has one
    ilo_ec: Mapping[str, tuple[tuple[str, ...], ...]]
    form_flags: Mapping[str, str]  # exploitation form -> flag, raised only with coercion
    form_flag_coercion: tuple[str, ...]
    max_gateways: int
    form_opens: Mapping[str, tuple[str, ...]]  # exploitation form -> what naming it opens


@dataclass(frozen=True)
class ScreeningInput:
    age_at_events: int | None
    possibly_child: bool
    exploitation: tuple[str, ...]
    answers: Mapping[str, Answer]
    # "don't know" answers the screener marked as worth exploring: they open follow-ups
    explore: frozenset[str] = frozenset()


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
    routes: tuple[str, ...] = ()  # the routes that met it (see ruleset.toml [presumption])


@dataclass(frozen=True)
class Assessment:
    """A separate assessment (forced labour, smuggling): positive, why, on what."""

    positive: bool
    rule: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    id: str
    # "would_change_outcome" | "needed_for_missing_element" | "could_raise_flag"
    # | "protection_need" (see adaptive.REASONS)
    reason: str


@dataclass(frozen=True)
class Route:
    """Which way the verdict was reached, in terms of the legal elements."""

    id: str  # "adult" | "child" | "concern" | "seen_only" | "nothing"
    means: tuple[str, ...]  # routes that met the means element
    purpose: tuple[str, ...]  # routes that met the purpose element
    signs: tuple[str, ...]  # concern dimensions (and "forced_labour") with a yes
    missing: tuple[str, ...]  # elements not shown yet
    text: str


@dataclass(frozen=True)
class IloEc:
    """The ILO/EC Delphi combination, beside the verdict (for statistics), never instead."""

    met: bool
    sets: tuple[str, ...]  # applicable sets where it is met
    dimensions: tuple[str, ...]  # positive dimensions in the applicable sets


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
    route: Route
    ilo_ec: IloEc
    key_reasons: tuple[str, ...]  # at most five indicator ids, most decisive first
    seen: tuple[str, ...]  # every indicator answered yes, in catalogue order
    next_questions: tuple[str, ...]  # the adaptive interview: ask these next, in order
