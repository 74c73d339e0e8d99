"""The legal rules as small pure functions. Each takes plain data and returns plain data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

from haven.screening_engine.model import (
    Answer,
    Assessment,
    DimensionResult,
    DimensionRule,
    Element,
    Indicator,
)

ADULT_RULE = "adult: an act, means and purpose (Palermo Protocol, Art. 3)"
CHILD_RULE = "child: an act and purpose (means are not required)"
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


def dimension_met(rules: Iterable[DimensionRule], counts: Mapping[str, int]) -> str | None:
    """The name of the first combination rule the counts reach, or None."""
    return next(
        (r.name for r in rules if r.met(counts["strong"], counts["medium"], counts["weak"])),
        None,
    )


# A dimension nobody answered yes in: shared, never mutated.
NO_EVIDENCE = DimensionResult(
    False, None, (), MappingProxyType({"strong": 0, "medium": 0, "weak": 0})
)


def dimension_result(
    graded_yes: Sequence[tuple[str, str]], rules: Iterable[DimensionRule]
) -> DimensionResult:
    """Apply the combination rule to the "yes" answers (id, grade) of one dimension in one set."""
    if not graded_yes:
        return NO_EVIDENCE
    counts = {"strong": 0, "medium": 0, "weak": 0}
    evidence = []
    for ident, grade in graded_yes:
        counts[grade] += 1
        evidence.append(ident)
    fired = dimension_met(rules, counts)
    return DimensionResult(fired is not None, fired, tuple(evidence), counts)


def route_evidence(
    route: str,
    dimensions: Iterable[Mapping[str, DimensionResult]],
    special: Mapping[str, tuple[str, ...]],
) -> tuple[str, ...]:
    """The "yes" answers that meet one route to an element; empty when it is not met.

    A dimension route is met when the dimension is positive in any of the given sets;
    `special` holds the evidence of the other routes ("act", "forced_labour",
    "purpose_alone"), empty when they are not met.
    """
    if route in special:
        return special[route]
    evidence: list[str] = []
    for dims in dimensions:
        if dims[route].positive:
            evidence.extend(dims[route].evidence)
    return tuple(dict.fromkeys(evidence))


def element(
    routes: Iterable[str],
    dimensions: Iterable[Mapping[str, DimensionResult]],
    special: Mapping[str, tuple[str, ...]],
) -> Element:
    """A legal element is met when any of its routes is; it names the routes that met it."""
    dims = list(dimensions)
    met: list[str] = []
    evidence: list[str] = []
    for route in routes:
        found = route_evidence(route, dims, special)
        if found:
            met.append(route)
            evidence.extend(found)
    return Element(bool(met), tuple(dict.fromkeys(evidence)), tuple(met))


def route_met(
    route: str, dimensions: Mapping[str, DimensionResult], special: Mapping[str, tuple[str, ...]]
) -> bool:
    """Whether one route is met in one set (see `route_evidence`)."""
    if route in special:
        return bool(special[route])
    return dimensions[route].positive


def combination_met(
    groups: Iterable[Iterable[str]],
    dimensions: Mapping[str, DimensionResult],
    special: Mapping[str, tuple[str, ...]],
) -> bool:
    """Every group has at least one route met: the legal elements for one set, or the
    ILO/EC Delphi combination."""
    return all(any(route_met(r, dimensions, special) for r in group) for group in groups)


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


def smuggling(
    smuggling_yes: tuple[str, ...], *, sufficient: Iterable[str], min_yes: int
) -> Assessment:
    """Smuggling by its definition: one defining sign (a paid irregular crossing) or enough."""
    defining = [i for i in smuggling_yes if i in set(sufficient)]
    if defining:
        return Assessment(True, "paid or procured irregular crossing", smuggling_yes)
    return Assessment(
        len(smuggling_yes) >= min_yes, f"at least {min_yes} smuggling signs", smuggling_yes
    )
