"""A group's results per scenario, for the trainer: attempts, verdict agreement per stage,
and the indicators most often missed or wrongly ticked."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import get_language

from haven.screening_engine import default_catalogue
from haven.training.debrief import ticked
from haven.training.loader import Scenario, ScenarioError, parse_scenario
from haven.training.models import Attempt

TOP = 10


@dataclass
class StageResult:
    number: int
    answered: int = 0
    agreed: int = 0

    @property
    def agreement(self) -> int | None:
        """Per cent of answers that gave the key's verdict; None before any answer."""
        return round(100 * self.agreed / self.answered) if self.answered else None


@dataclass
class ScenarioResult:
    scenario: Scenario
    attempts: int = 0
    completed: int = 0
    stages: list[StageResult] = field(default_factory=list)
    missed: Counter[str] = field(default_factory=Counter)
    wrong: Counter[str] = field(default_factory=Counter)

    def most_missed(self) -> list[tuple[str, int]]:
        return _worded(self.missed)

    def most_wrongly_ticked(self) -> list[tuple[str, int]]:
        return _worded(self.wrong)


def _worded(counts: Counter[str]) -> list[tuple[str, int]]:
    by_id = default_catalogue().by_id
    language = (get_language() or "en").split("-")[0]
    return [(by_id[i].statement_in(language), n) for i, n in counts.most_common(TOP) if i in by_id]


def summarise(scenario: Scenario, attempts: Iterable[Attempt]) -> ScenarioResult:
    """Each attempt is marked against the scenario as it was when the attempt started."""
    result = ScenarioResult(scenario, stages=[StageResult(s.number) for s in scenario.stages])
    for attempt in attempts:
        try:
            marked = parse_scenario(attempt.source)
        except ScenarioError:
            continue
        result.attempts += 1
        result.completed += attempt.is_completed
        for stage, answered in zip(marked.stages, attempt.stages, strict=False):
            if stage.number > len(result.stages):
                break
            row = result.stages[stage.number - 1]
            row.answered += 1
            row.agreed += answered.get("verdict") == stage.verdict
            yes = ticked(answered.get("answers", {}))
            result.missed.update(i for i in stage.indicators if i not in yes)
            result.wrong.update(i for i in yes if i not in stage.indicators)
    return result
