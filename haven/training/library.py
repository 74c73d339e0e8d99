"""The scenarios a training organisation can run: the shipped files and its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from haven.training.access import scenarios_for
from haven.training.loader import Scenario, ScenarioError, parse_scenario, shipped_scenarios

if TYPE_CHECKING:
    from haven.accounts.models import User


@dataclass(frozen=True)
class Entry:
    scenario: Scenario
    custom_pk: int | None  # the CustomScenario's pk, None for a shipped file


def available(user: User) -> list[Entry]:
    """Shipped scenarios first, then the organisation's own. A stored scenario that no
    longer loads (the catalogue changed under it) is left out, never shown half-valid."""
    entries = [Entry(s, None) for s in shipped_scenarios()]
    for custom in scenarios_for(user):
        try:
            entries.append(Entry(parse_scenario(custom.source), custom.pk))
        except ScenarioError:
            continue
    return entries


def find(user: User, scenario_id: str) -> Entry | None:
    return next((e for e in available(user) if e.scenario.id == scenario_id), None)
