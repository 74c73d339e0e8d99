"""Worked cases: each full-interview verdict is what a practitioner concludes, and the
adaptive interview ends on the same verdict in fewer questions."""

from __future__ import annotations

import pytest

from haven.screening_engine import assess, default_catalogue, reword, to_json
from haven.screening_engine.replay import WorkedCase, load_worked_cases, replay

CATALOGUE = default_catalogue()
CASES = load_worked_cases(CATALOGUE)


def test_every_principle_has_a_case() -> None:
    outcomes = {case.outcome for case in CASES}
    assert outcomes == {"presumed_victim", "indicators_present", "not_indicated"}
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_worked_case(case: WorkedCase) -> None:
    run = replay(CATALOGUE, case)
    assert run.full.outcome == case.outcome, case.principle
    assert set(run.full.flags) == set(case.flags), case.principle
    assert run.agrees, f"adaptive: {run.adaptive.outcome} {run.adaptive.flags}"
    assert run.asked < len(CATALOGUE.indicators)


def test_the_quick_screening_touches_every_element_protection_and_smuggling() -> None:
    gateways = [i for i in CATALOGUE.indicators if i.gateway]
    assert len(gateways) <= CATALOGUE.ruleset.max_gateways <= 15
    touched = {element for i in gateways for element in i.palermo}
    assert touched >= {"act", "means", "purpose"}
    assert {i.kind for i in gateways} >= {"trafficking", "protection", "smuggling"}


@pytest.mark.parametrize("language", ["km", "my", "en"])
def test_a_stored_result_rewords_into_any_language_unchanged_in_substance(language: str) -> None:
    for case in CASES[:6]:
        answers = {i.id: case.answer(i.id) for i in CATALOGUE.indicators}
        stored = to_json(assess(CATALOGUE, case.screening(answers), "en"))
        direct = to_json(assess(CATALOGUE, case.screening(answers), language))
        again = reword(CATALOGUE, stored, language)
        assert again["explanation"] == direct["explanation"]
        assert again["route"] == direct["route"]
        assert again["next_steps"] == direct["next_steps"]
        assert again["outcome"] == stored["outcome"] and again["flags"] == stored["flags"]
