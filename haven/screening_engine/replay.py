"""Worked cases, replayed through the full and the adaptive interview.

`worked_cases.toml` beside this file holds short fictional stories answered against the
shipped catalogue. Tests check each full-interview verdict against the case's expectation;
`haven bench interview` checks that the adaptive interview ends on the same verdict, and
counts the questions it asked.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from haven.screening_engine.assess import assess
from haven.screening_engine.catalogue import Catalogue, CatalogueError
from haven.screening_engine.model import Answer, Result, ScreeningInput

CASES_FILE = Path(__file__).resolve().parent / "worked_cases.toml"


@dataclass(frozen=True)
class WorkedCase:
    id: str
    principle: str
    age_at_events: int | None
    possibly_child: bool
    exploitation: tuple[str, ...]
    facts: Mapping[str, Answer]  # what the story settles; anything else is "unknown"
    outcome: str
    flags: tuple[str, ...]

    def answer(self, ident: str) -> Answer:
        return self.facts.get(ident, "unknown")

    def screening(self, answers: Mapping[str, Answer]) -> ScreeningInput:
        return ScreeningInput(self.age_at_events, self.possibly_child, self.exploitation, answers)


@dataclass(frozen=True)
class Replay:
    case: WorkedCase
    full: Result
    adaptive: Result
    asked: int  # questions the adaptive interview asked
    catalogue_size: int

    @property
    def agrees(self) -> bool:
        return (self.full.outcome, self.full.flags) == (self.adaptive.outcome, self.adaptive.flags)


def load_worked_cases(catalogue: Catalogue, path: Path = CASES_FILE) -> tuple[WorkedCase, ...]:
    """Read the worked cases; every id they name must exist in the catalogue."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    cases = []
    for entry in data["case"]:
        yes, no = entry.get("yes", []), entry.get("no", [])
        unknown = sorted(i for i in (*yes, *no) if i not in catalogue.by_id)
        overlap = sorted(set(yes) & set(no))
        if unknown or overlap:
            raise CatalogueError(
                f"{path.name}: case {entry['id']}: unknown ids {unknown}, yes and no {overlap}"
            )
        facts: dict[str, Answer] = {**dict.fromkeys(no, "no"), **dict.fromkeys(yes, "yes")}
        cases.append(
            WorkedCase(
                id=entry["id"],
                principle=entry["principle"],
                age_at_events=entry.get("age_at_events"),
                possibly_child=entry.get("possibly_child", False),
                exploitation=tuple(entry.get("exploitation", [])),
                facts=facts,
                outcome=entry["expected"]["outcome"],
                flags=tuple(entry["expected"]["flags"]),
            )
        )
    return tuple(cases)


def full_interview(catalogue: Catalogue, case: WorkedCase) -> Result:
    """Every question asked; what the story does not settle is "don't know"."""
    answers = {i.id: case.answer(i.id) for i in catalogue.indicators}
    return assess(catalogue, case.screening(answers))


def adaptive_interview(catalogue: Catalogue, case: WorkedCase) -> tuple[Result, int]:
    """Ask the engine's next question each time until it proposes none."""
    answers: dict[str, Answer] = {}
    result = assess(catalogue, case.screening(answers))
    while result.next_questions:
        ident = result.next_questions[0]
        answers[ident] = case.answer(ident)
        result = assess(catalogue, case.screening(answers))
    return result, len(answers)


def replay(catalogue: Catalogue, case: WorkedCase) -> Replay:
    adaptive, asked = adaptive_interview(catalogue, case)
    return Replay(case, full_interview(catalogue, case), adaptive, asked, len(catalogue.indicators))
