"""The bridge between stored screenings and the pure engine."""

from __future__ import annotations

from typing import Any

from haven.screening_engine import assess, default_catalogue, parse_input, to_json
from haven.screening_engine.model import TOPICS, Indicator, Result

TOPIC_ORDER = TOPICS  # safety first, the person's own wishes last


def indicators_for(topic: str) -> list[Indicator]:
    return [i for i in default_catalogue().indicators if i.topic == topic]


def engine_input(profile: dict[str, Any], answers: dict[str, str]) -> dict[str, Any]:
    return {
        "age_at_events": profile.get("age_at_events"),
        "possibly_child": bool(profile.get("possibly_child")),
        "exploitation": list(profile.get("exploitation", [])),
        "answers": answers,
    }


def evaluate(profile: dict[str, Any], answers: dict[str, str], language: str) -> Result:
    catalogue = default_catalogue()
    known = {k: v for k, v in answers.items() if k in catalogue.by_id}
    return assess(catalogue, parse_input(catalogue, engine_input(profile, known)), language)


def snapshot(result: Result) -> dict[str, Any]:
    return to_json(result)


def medical_indicator_ids() -> set[str]:
    return {i.id for i in default_catalogue().indicators if "medical_urgent" in i.flags}
