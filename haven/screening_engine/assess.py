"""Assess one set of answers against a catalogue: the engine's single entry point."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from haven.screening_engine import rules
from haven.screening_engine.catalogue import Catalogue
from haven.screening_engine.explain import explanation, next_steps
from haven.screening_engine.model import (
    ANSWERS,
    DESTINATION_DIMENSIONS,
    EXPLOITATION_FORMS,
    FLAGS,
    GRADED_DIMENSIONS,
    MEANS_DIMENSIONS,
    RECRUITMENT_DIMENSIONS,
    SETS,
    UNEXPLORED,
    Answer,
    DimensionResult,
    Element,
    Indicator,
    Outcome,
    Result,
    ScreeningInput,
    SetResult,
    Suggestion,
)

GRADE_WEIGHT = {"strong": 3, "medium": 2, "weak": 1}


class InputError(ValueError):
    """Answers that cannot be assessed. `problems` names each offending key."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class _Index:
    graded: Mapping[str, Mapping[str, tuple[tuple[Indicator, str], ...]]]  # set -> dim -> rows
    act: tuple[Indicator, ...]
    trafficking: tuple[Indicator, ...]
    smuggling: tuple[Indicator, ...]
    flagged: tuple[Indicator, ...]


@functools.cache
def _index(catalogue: Catalogue) -> _Index:
    graded = {
        set_name: {
            dim: tuple(
                (i, i.grades[set_name])
                for i in catalogue.indicators
                if i.dimension == dim and set_name in i.grades
            )
            for dim in GRADED_DIMENSIONS
        }
        for set_name in SETS
    }
    trafficking = tuple(i for i in catalogue.indicators if i.kind == "trafficking")
    return _Index(
        graded=graded,
        act=tuple(i for i in trafficking if "act" in i.palermo),
        trafficking=trafficking,
        smuggling=tuple(i for i in catalogue.indicators if i.kind == "smuggling"),
        flagged=tuple(i for i in catalogue.indicators if i.flags),
    )


def parse_input(catalogue: Catalogue, data: Any) -> ScreeningInput:
    """Validate raw input (e.g. decoded JSON); raise InputError naming every bad key."""
    if not isinstance(data, dict):
        raise InputError(["input must be a JSON object"])
    problems = [
        f"unknown key: {key}"
        for key in sorted(data)
        if key not in {"age_at_events", "possibly_child", "exploitation", "answers"}
    ]
    age = data.get("age_at_events")
    if age is not None and (
        isinstance(age, bool) or not isinstance(age, int) or not 0 <= age < 130
    ):
        problems.append("age_at_events: must be a whole number of years or null")
    possibly_child = data.get("possibly_child", False)
    if not isinstance(possibly_child, bool):
        problems.append("possibly_child: must be true or false")
    exploitation = data.get("exploitation", [])
    if not isinstance(exploitation, list):
        problems.append("exploitation: must be a list")
        exploitation = []
    problems += [
        f"exploitation: unknown form {form!r}"
        for form in exploitation
        if form not in EXPLOITATION_FORMS
    ]
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        problems.append("answers: must be an object")
        answers = {}
    for key, value in answers.items():
        if key not in catalogue.by_id:
            problems.append(f"answers.{key}: unknown indicator id")
        elif value not in ANSWERS:
            problems.append(f"answers.{key}: answer must be one of {', '.join(ANSWERS)}")
    if problems:
        raise InputError(problems)
    return ScreeningInput(
        age_at_events=age,
        possibly_child=possibly_child,
        exploitation=tuple(dict.fromkeys(exploitation)),
        answers=dict(answers),
    )


def _set_result(
    catalogue: Catalogue,
    index: _Index,
    set_name: str,
    *,
    applicable: bool,
    answers: Mapping[str, Answer],
    act_met: bool,
) -> SetResult:
    dims = {
        dim: rules.dimension_result(rows, answers, catalogue.ruleset.dimension_rules)
        for dim, rows in index.graded[set_name].items()
    }
    if set_name.startswith("child"):
        presumed, rule = rules.child_presumption(act_met, dims), rules.CHILD_RULE
    else:
        presumed, rule = rules.adult_presumption(dims), rules.ADULT_RULE
    presumed = presumed and applicable
    return SetResult(applicable, presumed, rule if presumed else None, dims)


def _element(dims: list[Mapping[str, DimensionResult]], names: tuple[str, ...]) -> Element:
    evidence = [e for d in dims for n in names if d[n].positive for e in d[n].evidence]
    return Element(bool(evidence), tuple(dict.fromkeys(evidence)))


def _flags(
    index: _Index,
    screening: ScreeningInput,
    *,
    child: bool,
    forced_labour: bool,
    smuggling: bool,
) -> tuple[str, ...]:
    flags: set[str] = set()
    if child:
        flags.add("child")
    if screening.age_at_events is None and screening.possibly_child:
        flags.add("age_uncertain")
    if "sexual" in screening.exploitation:
        flags.add("sexual_exploitation")
    if "criminality" in screening.exploitation:
        flags.add("forced_criminality")
    if forced_labour:
        flags.add("forced_labour")
    if smuggling:
        flags.add("smuggling")
    for indicator in index.flagged:
        if screening.answers.get(indicator.id) == "yes":
            flags.update(indicator.flags)
    return tuple(f for f in FLAGS if f in flags)


def _missing_groups(set_name: str, result: SetResult, act_met: bool) -> set[str]:
    """Dimensions whose group still stands between this set and a presumption."""
    dims = result.dimensions
    groups: list[tuple[str, ...]] = [("exploitation",)]
    if set_name.startswith("child"):
        missing = set() if act_met else {"act"}
    else:
        groups += [RECRUITMENT_DIMENSIONS, DESTINATION_DIMENSIONS]
        missing = set()
    for group in groups:
        if not any(dims[d].positive for d in group):
            missing.update(group)
    return missing


REASONS = {
    4: "would_change_outcome",
    3: "needed_for_missing_element",
    2: "would_make_dimension_positive",
    1: "unexplored",
}


def _suggestions(
    catalogue: Catalogue,
    index: _Index,
    screening: ScreeningInput,
    *,
    sets: Mapping[str, SetResult],
    act_met: bool,
    outcome: Outcome,
) -> tuple[Suggestion, ...]:
    """Rank questions not yet answered yes or no by how much a yes could change."""
    answers = screening.answers
    open_question = {i.id for i in catalogue.indicators if answers.get(i.id) not in ("yes", "no")}
    scored: dict[str, tuple[int, int, int]] = {}

    def score(ident: str, level: int, weight: int) -> None:
        asked = 1 if answers.get(ident) in UNEXPLORED else 0
        scored[ident] = max((level, weight, asked), scored.get(ident, (0, 0, 0)))

    for set_name, result in sets.items():
        if not result.applicable:
            continue
        missing = _missing_groups(set_name, result, act_met)
        for dim, rows in index.graded[set_name].items():
            current = result.dimensions[dim]
            for indicator, grade in rows:
                if indicator.id not in open_question:
                    continue
                level = 3 if dim in missing else 1
                counts = dict(current.counts)
                counts[grade] += 1
                if not current.positive and any(
                    r.met(counts["strong"], counts["medium"], counts["weak"])
                    for r in catalogue.ruleset.dimension_rules
                ):
                    dims = {**result.dimensions, dim: DimensionResult(True, "", (), counts)}
                    presumed = (
                        rules.child_presumption(act_met, dims)
                        if set_name.startswith("child")
                        else rules.adult_presumption(dims)
                    )
                    level = 4 if presumed and outcome != "presumed_victim" else max(level, 2)
                score(indicator.id, level, GRADE_WEIGHT[grade])
        if "act" in missing:
            flips = result.dimensions["exploitation"].positive
            for indicator in index.act:
                if indicator.id in open_question:
                    score(indicator.id, 4 if flips else 3, GRADE_WEIGHT["strong"])
    order = {ind.id: n for n, ind in enumerate(catalogue.indicators)}
    ranked = sorted(
        (item for item in scored.items() if item[1][0] > 1 or item[1][2]),
        key=lambda item: (-item[1][0], -item[1][1], -item[1][2], order[item[0]]),
    )
    limit = catalogue.ruleset.suggestion_limit
    return tuple(Suggestion(ident, REASONS[s[0]]) for ident, s in ranked[:limit])


def assess(catalogue: Catalogue, screening: ScreeningInput, language: str = "en") -> Result:
    """Assess answers cumulatively and explain the result. The engine suggests; people decide."""
    index = _index(catalogue)
    answers = screening.answers
    child = rules.uses_child_rules(screening.age_at_events, screening.possibly_child)
    applicable = rules.applicable_sets(child, screening.exploitation)
    act = Element(bool(rules.yes_ids(index.act, answers)), rules.yes_ids(index.act, answers))
    sets = {
        s: _set_result(
            catalogue, index, s, applicable=s in applicable, answers=answers, act_met=act.met
        )
        for s in SETS
    }
    applicable_dims = [sets[s].dimensions for s in applicable]
    if any(sets[s].presumed for s in applicable):
        outcome: Outcome = "presumed_victim"
    elif rules.yes_ids(index.trafficking, answers):
        outcome = "indicators_present"
    else:
        outcome = "not_indicated"
    elements: dict[str, Element | None] = {
        "act": act,
        "means": None if child else _element(applicable_dims, MEANS_DIMENSIONS),
        "purpose": _element(applicable_dims, ("exploitation",)),
    }
    ruleset = catalogue.ruleset
    forced = rules.forced_labour(
        index.trafficking,
        answers,
        min_involuntariness=ruleset.forced_labour_min_involuntariness,
        min_penalty=ruleset.forced_labour_min_penalty,
    )
    smuggled = rules.smuggling(
        rules.yes_ids(index.smuggling, answers), min_yes=ruleset.smuggling_min_yes
    )
    flags = _flags(
        index, screening, child=child, forced_labour=forced.positive, smuggling=smuggled.positive
    )
    unexplored = tuple(
        (i.id, answers[i.id]) for i in catalogue.indicators if answers.get(i.id) in UNEXPLORED
    )
    suggestions = _suggestions(
        catalogue, index, screening, sets=sets, act_met=act.met, outcome=outcome
    )
    steps = next_steps(catalogue, language, outcome, flags, bool(unexplored or suggestions))
    result = Result(
        ruleset=ruleset.version,
        outcome=outcome,
        child_rules=child,
        sets=sets,
        elements=elements,
        flags=flags,
        forced_labour=forced,
        smuggling=smuggled,
        next_steps=steps,
        unexplored=unexplored,
        suggestions=suggestions,
        explanation="",
    )
    return replace(result, explanation=explanation(catalogue, language, result))


def to_json(result: Result) -> dict[str, Any]:
    """The stable JSON shape of the command-line contract."""

    def element(value: Element | None) -> dict[str, Any] | None:
        return None if value is None else {"met": value.met, "evidence": list(value.evidence)}

    return {
        "ruleset": result.ruleset,
        "outcome": result.outcome,
        "sets": {
            name: {
                "applicable": s.applicable,
                "presumed": s.presumed,
                "rule": s.rule,
                "dimensions": {
                    dim: {
                        "positive": d.positive,
                        "rule": d.rule,
                        "evidence": list(d.evidence),
                        "counts": dict(d.counts),
                    }
                    for dim, d in s.dimensions.items()
                },
            }
            for name, s in result.sets.items()
        },
        "elements": {name: element(value) for name, value in result.elements.items()},
        "flags": list(result.flags),
        "next_steps": [{"id": step.id, "text": step.text} for step in result.next_steps],
        "unexplored": {
            "answers": [{"id": ident, "answer": answer} for ident, answer in result.unexplored],
            "suggested": [{"id": s.id, "reason": s.reason} for s in result.suggestions],
        },
        "explanation": result.explanation,
    }
