"""Assess one set of answers against a catalogue: the engine's single entry point."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from haven.screening_engine import rules
from haven.screening_engine.adaptive import REASONS, next_questions, ranked_follow_ups
from haven.screening_engine.catalogue import Catalogue
from haven.screening_engine.explain import explanation, message, next_steps, route_text
from haven.screening_engine.index import CatalogueIndex, build_index
from haven.screening_engine.model import (
    ANSWERS,
    EXPLOITATION_FORMS,
    FLAGS,
    GRADED_DIMENSIONS,
    PALERMO_ELEMENTS,
    SETS,
    UNEXPLORED,
    Assessment,
    DimensionResult,
    Element,
    IloEc,
    Indicator,
    NextStep,
    Outcome,
    Result,
    Route,
    ScreeningInput,
    SetResult,
    Suggestion,
)

INPUT_KEYS = ("age_at_events", "possibly_child", "exploitation", "answers", "explore")
MAX_ANSWERS = 10_000  # far above any catalogue: bounds the work a hostile input can cause
KEY_REASONS = 5


class InputError(ValueError):
    """Answers that cannot be assessed. `problems` names each offending key."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_input(catalogue: Catalogue, data: Any) -> ScreeningInput:
    """Validate raw input (e.g. decoded JSON); raise InputError naming every bad key."""
    if not isinstance(data, dict):
        raise InputError(["input must be a JSON object"])
    problems = [f"unknown key: {key}" for key in sorted(data) if key not in INPUT_KEYS]
    age = data.get("age_at_events")
    if age is not None and (
        isinstance(age, bool) or not isinstance(age, int) or not 0 <= age < 130
    ):
        problems.append("age_at_events: must be a whole number of years or null")
    possibly_child = data.get("possibly_child", False)
    if not isinstance(possibly_child, bool):
        problems.append("possibly_child: must be true or false")
    exploitation = _list(data, "exploitation", problems)
    problems += [
        f"exploitation: unknown form {form!r}"
        for form in exploitation
        if not isinstance(form, str) or form not in EXPLOITATION_FORMS
    ]
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        problems.append("answers: must be an object")
        answers = {}
    elif len(answers) > MAX_ANSWERS:
        problems.append(f"answers: more than {MAX_ANSWERS} entries")
        answers = {}
    for key, value in answers.items():
        if key not in catalogue.by_id:
            problems.append(f"answers.{key}: unknown indicator id")
        elif not isinstance(value, str) or value not in ANSWERS:
            problems.append(f"answers.{key}: answer must be one of {', '.join(ANSWERS)}")
    explore = _list(data, "explore", problems)
    for ident in explore:
        if not isinstance(ident, str) or answers.get(ident) != "unknown":
            problems.append(f"explore: {ident!r} must be the id of a question answered unknown")
    if problems:
        raise InputError(problems)
    return ScreeningInput(
        age_at_events=age,
        possibly_child=possibly_child,
        exploitation=tuple(dict.fromkeys(exploitation)),
        answers=dict(answers),
        explore=frozenset(explore),
    )


def _list(data: Mapping[str, Any], key: str, problems: list[str]) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        problems.append(f"{key}: must be a list")
        return []
    if len(value) > MAX_ANSWERS:
        problems.append(f"{key}: more than {MAX_ANSWERS} entries")
        return []
    return value


@dataclass(frozen=True)
class State:
    """What the answers establish, before wording: shared by the verdict and the interview."""

    profile: str  # "adult" | "child"
    applicable: tuple[str, ...]
    sets: Mapping[str, SetResult]
    elements: Mapping[str, Element | None]
    special: Mapping[str, tuple[str, ...]]  # evidence of the non-dimension routes
    concern: tuple[str, ...]  # real signs answered yes
    forced_labour: Assessment
    forced_labour_elements: frozenset[str]  # elements some "yes" carries
    smuggling: Assessment
    flags: tuple[str, ...]
    outcome: Outcome


def _yes(answers: Mapping[str, str]) -> list[str]:
    return [ident for ident, answer in answers.items() if answer == "yes"]


def _set_result(
    catalogue: Catalogue,
    index: CatalogueIndex,
    set_name: str,
    *,
    applicable: bool,
    profile: str,
    yes: list[Indicator],
    special: Mapping[str, tuple[str, ...]],
) -> SetResult:
    ruleset = catalogue.ruleset
    if not applicable:
        # A set that does not apply is never weighed: no dimensions, nothing presumed.
        return SetResult(False, False, None, {})
    placed = index.placement[set_name]
    graded_yes: dict[str, list[tuple[str, str]]] = {dim: [] for dim in GRADED_DIMENSIONS}
    for indicator in yes:
        if (where := placed.get(indicator.id)) is not None:
            graded_yes[where[0]].append((indicator.id, where[1]))
    dims = {
        dim: rules.dimension_result(rows, ruleset.dimension_rules)
        for dim, rows in graded_yes.items()
    }
    elements = ruleset.presumption[profile]
    presumed = rules.combination_met(elements.values(), dims, special)
    rule = rules.CHILD_RULE if profile == "child" else rules.ADULT_RULE
    return SetResult(applicable, presumed, rule if presumed else None, dims)


def _flags(
    catalogue: Catalogue,
    screening: ScreeningInput,
    yes: list[Indicator],
    *,
    child: bool,
    forced_labour: bool,
    smuggling: bool,
) -> tuple[str, ...]:
    """Flags mean what they say: a form of work raises its flag only with a sign of coercion."""
    ruleset = catalogue.ruleset
    flags: set[str] = set()
    if child:
        flags.add("child")
    if screening.age_at_events is None and screening.possibly_child:
        flags.add("age_uncertain")
    if forced_labour:
        flags.add("forced_labour")
    if smuggling:
        flags.add("smuggling")
    for indicator in yes:
        flags.update(indicator.flags)
    coerced = forced_labour or any(i.dimension in ruleset.form_flag_coercion for i in yes)
    if coerced:
        flags.update(
            ruleset.form_flags[f] for f in screening.exploitation if f in ruleset.form_flags
        )
    return tuple(f for f in FLAGS if f in flags)


def evaluate(catalogue: Catalogue, screening: ScreeningInput) -> State:
    """Apply the legal rules to the answers: elements, outcome, flags. No wording here."""
    index = build_index(catalogue)
    ruleset = catalogue.ruleset
    answers = screening.answers
    child = rules.uses_child_rules(screening.age_at_events, screening.possibly_child)
    profile = "child" if child else "adult"
    applicable = rules.applicable_sets(child, screening.exploitation)
    # The "yes" answers, in catalogue order: everything below reads only these.
    yes = [catalogue.by_id[i] for i in sorted(_yes(answers), key=index.order.__getitem__)]
    forced = rules.forced_labour(
        [i for i in yes if i.kind == "trafficking"],
        answers,
        min_involuntariness=ruleset.forced_labour_min_involuntariness,
        min_penalty=ruleset.forced_labour_min_penalty,
    )
    smuggled = rules.smuggling(
        tuple(i.id for i in yes if i.kind == "smuggling"),
        sufficient=ruleset.smuggling_sufficient,
        min_yes=ruleset.smuggling_min_yes,
    )
    special = {
        "act": tuple(i.id for i in yes if i.id in index.act_ids),
        "forced_labour": forced.evidence if forced.positive else (),
        "purpose_alone": tuple(i.id for i in yes if profile in i.purpose_alone),
    }
    sets = {
        s: _set_result(
            catalogue,
            index,
            s,
            applicable=s in applicable,
            profile=profile,
            yes=yes,
            special=special,
        )
        for s in SETS
    }
    applicable_dims = [sets[s].dimensions for s in applicable]
    presumption = ruleset.presumption[profile]
    elements: dict[str, Element | None] = {
        name: (
            rules.element(presumption[name], applicable_dims, special)
            if name in presumption
            else None
        )
        for name in PALERMO_ELEMENTS
    }
    concern = tuple(i.id for i in yes if i.id in index.concern_ids)
    if all(e.met for e in elements.values() if e is not None):
        outcome: Outcome = "presumed_victim"
    elif concern:
        outcome = "indicators_present"
    else:
        outcome = "not_indicated"
    flags = _flags(
        catalogue,
        screening,
        yes,
        child=child,
        forced_labour=forced.positive,
        smuggling=smuggled.positive,
    )
    carried = frozenset(e for i in yes if i.kind == "trafficking" for e in i.forced_labour_element)
    return State(
        profile=profile,
        applicable=applicable,
        sets=sets,
        elements=elements,
        special=special,
        concern=concern,
        forced_labour=forced,
        forced_labour_elements=carried,
        smuggling=smuggled,
        flags=flags,
        outcome=outcome,
    )


def _ilo_ec(catalogue: Catalogue, state: State) -> IloEc:
    groups = catalogue.ruleset.ilo_ec[state.profile]
    met = tuple(
        s
        for s in state.applicable
        if rules.combination_met(groups, state.sets[s].dimensions, state.special)
    )
    positive = {
        dim for s in state.applicable for dim, d in state.sets[s].dimensions.items() if d.positive
    }
    return IloEc(bool(met), met, tuple(d for d in GRADED_DIMENSIONS if d in positive))


def _route(catalogue: Catalogue, language: str, state: State, seen: tuple[str, ...]) -> Route:
    elements = {k: v for k, v in state.elements.items() if v is not None}
    means = elements["means"].routes if "means" in elements else ()
    purpose = elements["purpose"].routes if "purpose" in elements else ()
    signs = tuple(
        dict.fromkeys(
            d
            for d in catalogue.ruleset.concern_dimensions
            for i in state.concern
            if catalogue.by_id[i].dimension == d
        )
    )
    missing = tuple(name for name, e in elements.items() if not e.met)
    if state.outcome == "presumed_victim":
        kind = state.profile
    elif state.outcome == "indicators_present":
        kind = "concern"
    else:
        kind = "seen_only" if seen else "nothing"
    route = Route(kind, means, purpose, signs, missing, "")
    return Route(kind, means, purpose, signs, missing, route_text(catalogue, language, route))


def _key_reasons(index: CatalogueIndex, state: State) -> tuple[str, ...]:
    """At most five "yes" answers that carry the verdict, strongest first, means and purpose
    before the act."""

    weights = index.best_weights(state.applicable)

    def ranked(ids: tuple[str, ...]) -> list[str]:
        return sorted(ids, key=lambda i: (-weights.get(i, 0), index.order[i]))

    if state.outcome == "not_indicated":
        return ()
    if state.outcome == "indicators_present":
        return tuple(ranked(state.concern)[:KEY_REASONS])
    queues = [
        ranked(element.evidence)
        for name in ("means", "purpose", "act")
        if (element := state.elements[name]) is not None
    ]
    chosen: list[str] = []
    while any(queues) and len(chosen) < KEY_REASONS:
        for queue in queues:
            while queue and queue[0] in chosen:
                queue.pop(0)
            if queue and len(chosen) < KEY_REASONS:
                chosen.append(queue.pop(0))
    return tuple(chosen)


def _suggestions(catalogue: Catalogue, follow_ups: list[tuple[str, int]]) -> tuple[Suggestion, ...]:
    """The first follow-ups the interview would ask, with why, for the result page."""
    limit = catalogue.ruleset.suggestion_limit
    return tuple(Suggestion(ident, REASONS[level]) for ident, level in follow_ups[:limit])


def assess(catalogue: Catalogue, screening: ScreeningInput, language: str = "en") -> Result:
    """Assess answers cumulatively and explain the result. The engine suggests; people decide."""
    index = build_index(catalogue)
    state = evaluate(catalogue, screening)
    answers = screening.answers
    order = index.order
    unexplored = tuple(
        sorted(((i, a) for i, a in answers.items() if a in UNEXPLORED), key=lambda p: order[p[0]])
    )
    seen = tuple(sorted((i for i, a in answers.items() if a == "yes"), key=order.__getitem__))
    follow_ups = ranked_follow_ups(catalogue, index, screening, state)
    questions = next_questions(index, screening, follow_ups)
    steps = next_steps(
        catalogue, language, state.outcome, state.flags, bool(unexplored or questions)
    )
    result = Result(
        ruleset=catalogue.ruleset.version,
        outcome=state.outcome,
        child_rules=state.profile == "child",
        sets=state.sets,
        elements=state.elements,
        flags=state.flags,
        forced_labour=state.forced_labour,
        smuggling=state.smuggling,
        next_steps=steps,
        unexplored=unexplored,
        suggestions=_suggestions(catalogue, follow_ups),
        explanation="",
        route=_route(catalogue, language, state, seen),
        ilo_ec=_ilo_ec(catalogue, state),
        key_reasons=_key_reasons(index, state),
        seen=seen,
        next_questions=questions,
    )
    return _explained(catalogue, language, result, screening)


def _explained(
    catalogue: Catalogue, language: str, result: Result, screening: ScreeningInput
) -> Result:
    text = explanation(catalogue, language, result, sexual_set="sexual" in screening.exploitation)
    return replace(result, explanation=text)


def to_json(result: Result) -> dict[str, Any]:
    """The stable JSON shape of the command-line contract.

    Sets that do not apply keep their keys with empty dimensions: the shape stays, the
    size does not grow with indicators that were never weighed.
    """

    def element(value: Element | None) -> dict[str, Any] | None:
        if value is None:
            return None
        return {"met": value.met, "evidence": list(value.evidence), "routes": list(value.routes)}

    def dimension(d: DimensionResult) -> dict[str, Any]:
        return {
            "positive": d.positive,
            "rule": d.rule,
            "evidence": list(d.evidence),
            "counts": dict(d.counts),
        }

    route = result.route
    return {
        "ruleset": result.ruleset,
        "outcome": result.outcome,
        "route": {
            "id": route.id,
            "means": list(route.means),
            "purpose": list(route.purpose),
            "signs": list(route.signs),
            "missing": list(route.missing),
            "text": route.text,
        },
        "key_reasons": list(result.key_reasons),
        "ilo_ec": {
            "met": result.ilo_ec.met,
            "sets": list(result.ilo_ec.sets),
            "dimensions": list(result.ilo_ec.dimensions),
        },
        "sets": {
            name: {
                "applicable": s.applicable,
                "presumed": s.presumed,
                "rule": s.rule,
                "dimensions": {dim: dimension(d) for dim, d in s.dimensions.items()},
            }
            for name, s in result.sets.items()
        },
        "elements": {name: element(value) for name, value in result.elements.items()},
        "flags": list(result.flags),
        "forced_labour": _assessment(result.forced_labour),
        "smuggling": _assessment(result.smuggling),
        "seen": list(result.seen),
        "next_steps": [{"id": step.id, "text": step.text} for step in result.next_steps],
        "next_questions": list(result.next_questions),
        "unexplored": {
            "answers": [{"id": ident, "answer": answer} for ident, answer in result.unexplored],
            "suggested": [{"id": s.id, "reason": s.reason} for s in result.suggestions],
        },
        "explanation": result.explanation,
    }


def _assessment(assessment: Assessment) -> dict[str, Any]:
    return {
        "positive": assessment.positive,
        "rule": assessment.rule,
        "evidence": list(assessment.evidence),
    }


def reword(catalogue: Catalogue, data: Mapping[str, Any], language: str) -> dict[str, Any]:
    """A stored result (the JSON of `to_json`) worded again in another language.

    The verdict, evidence and flags stay exactly as stored: only the sentences (route,
    next steps, explanation) are produced again from the catalogue's messages. A result
    stored before routes existed is returned unchanged.
    """
    if "route" not in data:
        return dict(data)
    route = data["route"]
    known = catalogue.by_id

    def ids(values: Any) -> tuple[str, ...]:
        return tuple(i for i in values if i in known)

    def element(value: Any) -> Element | None:
        if value is None:
            return None
        return Element(value["met"], ids(value["evidence"]), tuple(value.get("routes", ())))

    def assessment(value: Any) -> Assessment:
        return Assessment(value["positive"], value["rule"], ids(value["evidence"]))

    stored_route = Route(
        route["id"],
        tuple(route["means"]),
        tuple(route["purpose"]),
        tuple(route["signs"]),
        tuple(route["missing"]),
        "",
    )
    result = Result(
        ruleset=data["ruleset"],
        outcome=data["outcome"],
        child_rules=data["elements"]["means"] is None,
        sets={},
        elements={name: element(value) for name, value in data["elements"].items()},
        flags=tuple(data["flags"]),
        forced_labour=assessment(data["forced_labour"]),
        smuggling=assessment(data["smuggling"]),
        next_steps=tuple(
            NextStep(step["id"], message(catalogue, language, f"next_{step['id']}"))
            for step in data["next_steps"]
        ),
        unexplored=tuple((u["id"], u["answer"]) for u in data["unexplored"]["answers"]),
        suggestions=(),
        explanation="",
        route=replace(stored_route, text=route_text(catalogue, language, stored_route)),
        ilo_ec=IloEc(data["ilo_ec"]["met"], (), ()),
        key_reasons=ids(data["key_reasons"]),
        seen=ids(data["seen"]),
        next_questions=(),
    )
    sexual = data["sets"].get("adult_sexual", {}).get("applicable") or data["sets"].get(
        "child_sexual", {}
    ).get("applicable")
    text = explanation(catalogue, language, result, sexual_set=bool(sexual))
    return {
        **data,
        "route": {**route, "text": result.route.text},
        "next_steps": [{"id": s.id, "text": s.text} for s in result.next_steps],
        "explanation": text,
    }
