"""The adaptive interview: which questions to ask next, and when the interview is complete.

A quick screening asks the gateway questions (marked `gateway = true` in the catalogue).
A "yes" to a question, or a "don't know" the screener marks as worth exploring, opens the
groups that question names in `opens` (a trafficking indicator that is not a gateway opens
its own dimension). Once any real sign of deception, coercion or exploitation is there,
the routes to every element still missing open too, and so does forced labour.

Within what is open, a question is proposed only while its answer could still change the
outcome or a flag, most decisive first. The verdict is monotone in "yes" answers, so what
is never asked could not have changed it: the adaptive interview ends where the full one
would, on the same outcome and flags, for answers that open the right doors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from haven.screening_engine.model import (
    FORCED_LABOUR_ELEMENTS,
    GRADED_DIMENSIONS,
    Indicator,
    ScreeningInput,
)

if TYPE_CHECKING:
    from haven.screening_engine.assess import State
    from haven.screening_engine.catalogue import Catalogue
    from haven.screening_engine.index import CatalogueIndex

# How much a "yes" to a follow-up could change, most decisive first.
WOULD_CHANGE_OUTCOME = 4
NEEDED_FOR_MISSING_ELEMENT = 3
COULD_RAISE_FLAG = 2
PROTECTION_NEED = 1
REASONS = {
    WOULD_CHANGE_OUTCOME: "would_change_outcome",
    NEEDED_FOR_MISSING_ELEMENT: "needed_for_missing_element",
    COULD_RAISE_FLAG: "could_raise_flag",
    PROTECTION_NEED: "protection_need",
}


def opens(indicator: Indicator) -> tuple[str, ...]:
    """What a "yes" to this indicator opens: its `opens`, or for a trafficking indicator
    that is not a gateway, its own dimension."""
    if indicator.gateway or indicator.opens:
        return indicator.opens
    if indicator.kind == "trafficking" and indicator.dimension in GRADED_DIMENSIONS:
        return (indicator.dimension,)
    return ()


def opened(
    catalogue: Catalogue, index: CatalogueIndex, screening: ScreeningInput, state: State
) -> set[str]:
    """Groups, flags and question ids the answers so far opened for follow-up."""
    form_opens = catalogue.ruleset.form_opens
    doors = {door for form in screening.exploitation for door in form_opens.get(form, ())}
    for ident, answer in screening.answers.items():
        if answer == "yes" or (answer == "unknown" and ident in screening.explore):
            doors.update(index.opens[ident])
    if state.concern:
        doors.add("forced_labour")
        for name, element in state.elements.items():
            if element is not None and not element.met:
                doors.update(catalogue.ruleset.presumption[state.profile][name])
    return doors


class _Reach:
    """Whether a dimension of a set can still turn positive with the questions not yet asked."""

    def __init__(self, catalogue: Catalogue, index: CatalogueIndex, answers: Mapping[str, str]):
        self.rules = catalogue.ruleset.dimension_rules
        self.index = index
        self.answers = answers
        self.cache: dict[tuple[str, str], bool] = {}

    def reachable(self, set_name: str, dim: str, counts: Mapping[str, int]) -> bool:
        key = (set_name, dim)
        if key not in self.cache:
            best = dict(counts)
            for indicator, grade in self.index.graded[set_name][dim]:
                if indicator.id not in self.answers:
                    best[grade] += 1
            self.cache[key] = any(
                r.met(best["strong"], best["medium"], best["weak"]) for r in self.rules
            )
        return self.cache[key]

    def flips(self, counts: Mapping[str, int], grade: str) -> bool:
        after = dict(counts)
        after[grade] += 1
        return any(r.met(after["strong"], after["medium"], after["weak"]) for r in self.rules)


def _element_level(
    catalogue: Catalogue, indicator: Indicator, state: State, doors: set[str], reach: _Reach
) -> int:
    """How far a "yes" here moves a missing legal element (0 when it cannot)."""
    missing = [n for n, e in state.elements.items() if e is not None and not e.met]
    if not missing:
        return 0
    presumption = catalogue.ruleset.presumption[state.profile]
    level = 0
    for name in missing:
        alone = len(missing) == 1  # meeting this element would make the presumption
        for route in presumption[name]:
            if route not in doors:
                continue
            met_alone = _route_flip(indicator, route, state, reach)
            if met_alone is None:
                continue
            if met_alone and alone:
                return WOULD_CHANGE_OUTCOME
            level = NEEDED_FOR_MISSING_ELEMENT
    return level


def _route_flip(indicator: Indicator, route: str, state: State, reach: _Reach) -> bool | None:
    """None when a "yes" cannot serve the route; else whether it meets the route alone."""
    if route == "act":
        return True if indicator.dimension == "act" else None
    if route == "purpose_alone":
        return True if state.profile in indicator.purpose_alone else None
    if route == "forced_labour":
        gaps = _forced_labour_gaps(state)
        serves = gaps & set(indicator.forced_labour_element)
        return (serves == gaps) if serves else None
    if indicator.dimension != route:
        return None
    result: bool | None = None
    for set_name in state.applicable:
        if set_name not in indicator.grades:
            continue
        dim = state.sets[set_name].dimensions[route]
        if dim.positive or not reach.reachable(set_name, route, dim.counts):
            continue
        if reach.flips(dim.counts, indicator.grades[set_name]):
            return True
        result = False
    return result


def _forced_labour_gaps(state: State) -> set[str]:
    if state.forced_labour.positive:
        return set()
    # A gap is an element of forced labour that no "yes" carries yet.
    return set(FORCED_LABOUR_ELEMENTS) - state.forced_labour_elements


@dataclass(frozen=True)
class _Pending:
    """What could still be raised, computed once per assessment."""

    flags: frozenset[str]  # flags already raised
    forced_labour_gaps: frozenset[str]
    form_flag: bool  # a named form of work could still raise its flag


def _pending(catalogue: Catalogue, state: State, forms: tuple[str, ...]) -> _Pending:
    raised = frozenset(state.flags)
    form_flags = catalogue.ruleset.form_flags
    return _Pending(
        flags=raised,
        forced_labour_gaps=frozenset(_forced_labour_gaps(state)),
        form_flag=any(f in form_flags and form_flags[f] not in raised for f in forms),
    )


def _flag_level(
    catalogue: Catalogue, indicator: Indicator, pending: _Pending, doors: set[str]
) -> int:
    in_open_group = indicator.group in doors
    # A flag's own questions are asked once something opened that flag (a gateway about it,
    # or the form of work named): never merely because a group is open.
    if any(f in doors and f not in pending.flags for f in indicator.flags):
        return COULD_RAISE_FLAG
    if (
        pending.forced_labour_gaps
        and ("forced_labour" in doors or in_open_group)
        and pending.forced_labour_gaps.intersection(indicator.forced_labour_element)
    ):
        return COULD_RAISE_FLAG
    if indicator.kind == "smuggling" and "smuggling" in doors and "smuggling" not in pending.flags:
        return COULD_RAISE_FLAG
    if (
        pending.form_flag
        and in_open_group
        and indicator.dimension in catalogue.ruleset.form_flag_coercion
    ):
        return COULD_RAISE_FLAG
    return 0


def ranked_follow_ups(
    catalogue: Catalogue, index: CatalogueIndex, screening: ScreeningInput, state: State
) -> list[tuple[str, int]]:
    """Open follow-up questions with how much each could change, most decisive first."""
    answers = screening.answers
    doors = opened(catalogue, index, screening, state)
    if not doors:
        return []
    # Only what an open door leads to can be asked: its group's, flag's or route's questions.
    candidates: set[str] = set()
    for door in doors:
        candidates.update(index.behind.get(door, ()))
    if "purpose_alone" in doors:
        candidates.update(i.id for i in index.purpose_alone[state.profile])
    reach = _Reach(catalogue, index, answers)
    pending = _pending(catalogue, state, screening.exploitation)
    weights = index.best_weights(state.applicable)
    applicable = set(state.applicable)
    scored: list[tuple[int, int, int, str]] = []
    for ident in candidates:
        indicator = catalogue.by_id[ident]
        if ident in answers or indicator.gateway:
            continue
        if indicator.grades and not applicable & set(indicator.grades):
            continue  # not weighed for this profile: never asked
        level = 0
        if state.outcome != "presumed_victim":
            if (
                not state.concern
                and ident in index.concern_ids
                and (indicator.group in doors or ident in doors)
            ):
                level = WOULD_CHANGE_OUTCOME
            else:
                level = _element_level(catalogue, indicator, state, doors, reach)
        if not level:
            level = _flag_level(catalogue, indicator, pending, doors)
        if not level and (
            ident in doors or (indicator.kind == "protection" and "protection" in doors)
        ):
            level = PROTECTION_NEED
        if level:
            scored.append((-level, -weights.get(ident, 0), index.order[ident], ident))
    scored.sort()
    return [(ident, -level) for level, _weight, _order, ident in scored]


def next_questions(
    index: CatalogueIndex, screening: ScreeningInput, follow_ups: list[tuple[str, int]]
) -> tuple[str, ...]:
    """The questions to ask next, in order: unanswered gateways, then open follow-ups.

    Empty when the interview is complete. A question already answered, even "unknown" or
    "declined", is never proposed again.
    """
    gateways = tuple(i.id for i in index.gateways if i.id not in screening.answers)
    return gateways + tuple(ident for ident, _level in follow_ups)
