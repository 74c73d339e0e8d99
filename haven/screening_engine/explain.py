"""Plain-language explanation and next steps, in the user's language, from message data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from haven.screening_engine.model import NextStep

if TYPE_CHECKING:
    from haven.screening_engine.catalogue import Catalogue
    from haven.screening_engine.model import Outcome, Result, Route


SENTENCE_ENDS = ".。။។"


def message(catalogue: Catalogue, language: str, key: str, **values: object) -> str:
    texts = catalogue.messages.get(language) or catalogue.messages["en"]
    text = texts.get(key) or catalogue.messages["en"][key]
    return text.format(**values) if values else text


def _evidence(catalogue: Catalogue, language: str, ids: Iterable[str]) -> str:
    separator = message(catalogue, language, "list_separator")
    # Statements are sentences; in a list their full stops would double up with the separator.
    return separator.join(
        catalogue.by_id[i].statement_in(language).rstrip(SENTENCE_ENDS) for i in ids
    )


def next_steps(
    catalogue: Catalogue,
    language: str,
    outcome: Outcome,
    flags: tuple[str, ...],
    unexplored: bool,
) -> tuple[NextStep, ...]:
    """What the responder should do next, most urgent first."""
    chosen: list[str] = []
    if "medical_urgent" in flags:
        chosen.append("suspend_for_medical_care")
    if "needs_safe_place" in flags:
        chosen.append("find_safe_place")
    if "child" in flags or "age_uncertain" in flags:
        chosen.append("appoint_guardian_notify_child_protection")
    if "age_uncertain" in flags:
        chosen.append("treat_as_child_until_age_assessed")
    if "international_protection" in flags:
        chosen.append("inform_right_to_asylum_and_refer")
    if "stateless_risk" in flags:
        chosen.append("refer_for_documents_and_nationality")
    if outcome == "presumed_victim":
        chosen += ["refer_for_formal_identification", "offer_reflection_period"]
    if "forced_labour" in flags:
        chosen.append("refer_forced_labour")
    if "smuggling" in flags:
        chosen.append("smuggling_and_trafficking_together")
    if unexplored and outcome != "presumed_victim":
        chosen.append("explore_unexplored")
    chosen.append("offer_assistance" if outcome == "presumed_victim" else "offer_assistance_anyway")
    return tuple(NextStep(key, message(catalogue, language, f"next_{key}")) for key in chosen)


def route_text(catalogue: Catalogue, language: str, route: Route) -> str:
    """The way the verdict was reached, in one sentence."""

    def names(keys: Iterable[str], prefix: str = "route_") -> str:
        separator = message(catalogue, language, "route_and")
        return separator.join(message(catalogue, language, f"{prefix}{key}") for key in keys)

    if route.id == "adult":
        return message(
            catalogue,
            language,
            "route_adult",
            means=names(route.means),
            purpose=names(route.purpose),
        )
    if route.id == "child":
        return message(catalogue, language, "route_child", purpose=names(route.purpose))
    if route.id == "concern":
        return message(
            catalogue,
            language,
            "route_concern",
            signs=names(route.signs),
            missing=names(route.missing, "route_element_"),
        )
    return message(catalogue, language, f"route_{route.id}")


def explanation(
    catalogue: Catalogue, language: str, result: Result, *, sexual_set: bool = False
) -> str:
    """The result in plain sentences: outcome, route, rules, elements, assessments, version."""

    def say(key: str, **values: object) -> str:
        return message(catalogue, language, key, **values)

    lines = [say(f"outcome_{result.outcome}"), result.route.text]
    if "age_uncertain" in result.flags:
        lines.append(say("rules_age_uncertain"))
    elif result.child_rules:
        lines.append(say("rules_child"))
    if sexual_set:
        lines.append(say("sexual_set_note"))
    said: set[str] = set()

    def evidence(ids: Iterable[str]) -> str:
        """Each indicator is worded once; a line whose signs were all given says so."""
        fresh = [i for i in ids if i not in said]
        said.update(fresh)
        return _evidence(catalogue, language, fresh) if fresh else say("evidence_above")

    for name in ("act", "means", "purpose"):
        element = result.elements[name]
        if element is None:
            lines.append(say("element_means_not_required"))
        elif element.met:
            lines.append(say(f"element_{name}_met", evidence=evidence(element.evidence)))
        else:
            lines.append(say(f"element_{name}_not_met"))
    if result.forced_labour.positive:
        lines.append(
            say("forced_labour_indicated", evidence=evidence(result.forced_labour.evidence))
        )
    if result.smuggling.positive:
        lines.append(say("smuggling_indicated", evidence=evidence(result.smuggling.evidence)))
    if result.outcome == "not_indicated":
        seen = [i for i in result.seen if catalogue.by_id[i].kind != "protection"]
        if seen:
            lines.append(say("seen_line", evidence=_evidence(catalogue, language, seen)))
    lines.append(say("ilo_ec_met" if result.ilo_ec.met else "ilo_ec_not_met"))
    if result.unexplored:
        lines.append(say("unexplored_line", count=len(result.unexplored)))
    lines.append(say("ruleset_line", version=result.ruleset))
    return "\n".join(lines)
