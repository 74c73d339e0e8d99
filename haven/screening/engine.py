"""The bridge between stored screenings and the pure engine."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from haven.screening_engine import assess, default_catalogue, parse_input, reword, to_json
from haven.screening_engine.index import build_index
from haven.screening_engine.model import TOPICS, Indicator, Result

TOPIC_ORDER = TOPICS  # safety first, the person's own wishes last
FOLLOW_UP_BATCH = 8  # follow-up questions per screen, most decisive first


def indicators_for(topic: str) -> list[Indicator]:
    return [i for i in default_catalogue().indicators if i.topic == topic]


def gateways() -> list[Indicator]:
    """The quick screening's questions, in interview order."""
    return list(build_index(default_catalogue()).gateways)


def engine_input(
    profile: dict[str, Any], answers: dict[str, str], explore: Iterable[str] = ()
) -> dict[str, Any]:
    return {
        "age_at_events": profile.get("age_at_events"),
        "possibly_child": bool(profile.get("possibly_child")),
        "exploitation": list(profile.get("exploitation", [])),
        "answers": answers,
        # Only a "don't know" can be worth exploring; a later answer supersedes the mark.
        "explore": sorted(i for i in explore if answers.get(i) == "unknown"),
    }


def evaluate(
    profile: dict[str, Any], answers: dict[str, str], language: str, explore: Iterable[str] = ()
) -> Result:
    catalogue = default_catalogue()
    known = {k: v for k, v in answers.items() if k in catalogue.by_id}
    data = engine_input(profile, known, explore)
    return assess(catalogue, parse_input(catalogue, data), language)


def follow_ups(
    profile: dict[str, Any], answers: dict[str, str], explore: Iterable[str]
) -> list[str]:
    """The follow-up questions the engine proposes now (gateways excluded), most decisive first."""
    result = evaluate(profile, answers, "en", explore)
    by_id = default_catalogue().by_id
    return [i for i in result.next_questions if not by_id[i].gateway]


def worded(snapshot: dict[str, Any], language: str) -> dict[str, Any]:
    """A stored result's sentences in another language; the verdict itself never changes."""
    return reword(default_catalogue(), snapshot, language)


def snapshot(result: Result) -> dict[str, Any]:
    return to_json(result)


def medical_indicator_ids() -> set[str]:
    return {i.id for i in default_catalogue().indicators if "medical_urgent" in i.flags}
