"""The legal rules as small pure functions. Each takes plain data and returns plain data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from haven.screening_engine.model import (
    DESTINATION_DIMENSIONS,
    EXPLOITATION,
    RECRUITMENT_DIMENSIONS,
    Answer,
    Assessment,
    DimensionResult,
    DimensionRule,
    Indicator,
)

ADULT_RULE = "adult: a recruitment dimension, exploitation and a destination dimension"
CHILD_RULE = "child: an act and exploitation (means are not required)"
CHILD_AGE = 18


def uses_child_rules(age_at_events: int | None, possibly_child: bool) -> bool:
    """Under 18 at the time of the events; unknown age but possibly a child counts too."""
    if age_at_events is not None:
        return age_at_events < CHILD_AGE
    return possibly_child


def applicable_sets(child: bool, exploitation: Iterable[str]) -> tuple[str, ...]:
    forms = set(exploitation)
    kinds = []
    if not forms or forms - {"sexual"}:
        kinds.append("labour")
    if not forms or "sexual" in forms:
        kinds.append("sexual")
    age = "child" if child else "adult"
    return tuple(f"{age}_{kind}" for kind in kinds)


def dimension_result(
    graded: Iterable[tuple[Indicator, str]],
    answers: Mapping[str, Answer],
    rules: Iterable[DimensionRule],
) -> DimensionResult:
    """Apply the combination rule to the "yes" answers of one dimension in one set."""
    counts = {"strong": 0, "medium": 0, "weak": 0}
    evidence = []
    for indicator, grade in graded:
        if answers.get(indicator.id) == "yes":
            counts[grade] += 1
            evidence.append(indicator.id)
    fired = next(
        (r.name for r in rules if r.met(counts["strong"], counts["medium"], counts["weak"])),
        None,
    )
    return DimensionResult(fired is not None, fired, tuple(evidence), counts)


def adult_presumption(dimensions: Mapping[str, DimensionResult]) -> bool:
    return (
        any(dimensions[d].positive for d in RECRUITMENT_DIMENSIONS)
        and dimensions[EXPLOITATION].positive
        and any(dimensions[d].positive for d in DESTINATION_DIMENSIONS)
    )


def child_presumption(act_met: bool, dimensions: Mapping[str, DimensionResult]) -> bool:
    return act_met and dimensions[EXPLOITATION].positive


def yes_ids(indicators: Iterable[Indicator], answers: Mapping[str, Answer]) -> tuple[str, ...]:
    return tuple(i.id for i in indicators if answers.get(i.id) == "yes")


def forced_labour(
    indicators: Iterable[Indicator],
    answers: Mapping[str, Answer],
    *,
    min_involuntariness: int,
    min_penalty: int,
) -> Assessment:
    """ILO C29: involuntary work under the menace of a penalty, both needed."""
    involuntary, penalty = [], []
    for indicator in indicators:
        if answers.get(indicator.id) != "yes":
            continue
        if "involuntariness" in indicator.forced_labour_element:
            involuntary.append(indicator.id)
        if "menace_of_penalty" in indicator.forced_labour_element:
            penalty.append(indicator.id)
    positive = len(involuntary) >= min_involuntariness and len(penalty) >= min_penalty
    evidence = tuple(dict.fromkeys([*involuntary, *penalty]))
    return Assessment(positive, "involuntariness and menace of penalty", evidence)


def smuggling(smuggling_yes: tuple[str, ...], *, min_yes: int) -> Assessment:
    return Assessment(
        len(smuggling_yes) >= min_yes, f"at least {min_yes} smuggling signs", smuggling_yes
    )
