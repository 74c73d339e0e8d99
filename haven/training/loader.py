"""Training scenarios and quiz statements as data: TOML, validated strictly at load.

A scenario (schema: scenarios/SCHEMA.md) is a story told in stages with the expert's
answer key per stage. The same loader reads the shipped files and the scenarios trainers
write in the UI, so both are held to one schema. Every problem is named, in the user's
language, and nothing half-valid is ever returned.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from haven.screening_engine import default_catalogue
from haven.screening_engine.model import EXPLOITATION_FORMS, FLAGS, OUTCOMES

SCENARIO_DIR = Path(__file__).parent / "scenarios"
QUIZ_FILE = Path(__file__).parent / "quiz.toml"
LANGUAGES = ("en", "id", "th", "km", "vi", "my")
SCENARIO_KEYS = {
    "id",
    "title",
    "summary",
    "goals",
    "machine_drafts",
    "age_at_events",
    "possibly_child",
    "exploitation",
    "stage",
}
STAGE_KEYS = {"facts", "indicators", "absent", "verdict", "flags", "notes", "principle", "why"}
MAX_SOURCE = 100_000  # far above any real scenario: bounds what a paste can cost


class ScenarioError(ValueError):
    """A scenario that breaks the schema. `problems` names each fault, in plain words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Text:
    """A text in several languages; English is always there."""

    by_language: Mapping[str, str]

    def in_language(self, language: str | None = None) -> str:
        code = (language or get_language() or "en").split("-")[0]
        return self.by_language.get(code) or self.by_language["en"]

    def __str__(self) -> str:
        return self.in_language()


@dataclass(frozen=True)
class Stage:
    number: int  # from 1
    facts: Text
    adds: tuple[str, ...]  # indicators this stage's facts add
    indicators: tuple[str, ...]  # the key: every indicator that applies by now
    absent: tuple[str, ...]  # what the facts settle as "no" by now
    verdict: str
    flags: tuple[str, ...]
    notes: Text
    principle: Text
    why: Mapping[str, Text]  # indicator id -> why it applies (or not)

    def key_answers(self) -> dict[str, str]:
        return {**dict.fromkeys(self.absent, "no"), **dict.fromkeys(self.indicators, "yes")}


@dataclass(frozen=True)
class Scenario:
    id: str
    title: Text
    summary: Text
    goals: tuple[Text, ...]
    machine_drafts: tuple[str, ...]
    age_at_events: int | None
    possibly_child: bool
    exploitation: tuple[str, ...]
    stages: tuple[Stage, ...]
    source: str

    def profile(self) -> dict[str, Any]:
        return {
            "age_at_events": self.age_at_events,
            "possibly_child": self.possibly_child,
            "exploitation": list(self.exploitation),
        }

    def is_draft(self, language: str | None = None) -> bool:
        """Whether the text shown in `language` is a machine draft nobody has reviewed."""
        code = (language or get_language() or "en").split("-")[0]
        return code in self.machine_drafts and code in self.title.by_language


def _text(value: Any, where: str, problems: list[str], *, required: bool = True) -> Text:
    if value is None and not required:
        return Text({"en": ""})
    if not isinstance(value, dict) or not isinstance(value.get("en"), str) or not value["en"]:
        problems.append(_("%(where)s: an English text (en) is required.") % {"where": where})
        return Text({"en": ""})
    for language, text in value.items():
        if language not in LANGUAGES:
            problems.append(
                _("%(where)s: unknown language “%(language)s”.")
                % {"where": where, "language": language}
            )
        elif not isinstance(text, str):
            problems.append(_("%(where)s: each language's text must be text.") % {"where": where})
    return Text({k: v.strip() for k, v in value.items() if isinstance(v, str) and v.strip()})


def _ids(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(_("%(where)s: must be a list of indicator ids.") % {"where": where})
        return ()
    known = default_catalogue().by_id
    for ident in value:
        if ident not in known:
            problems.append(
                _("%(where)s: “%(id)s” is not an indicator of the catalogue.")
                % {"where": where, "id": ident}
            )
    return tuple(dict.fromkeys(value))


def _stage(raw: Any, number: int, before: Stage | None, problems: list[str]) -> Stage | None:
    where = _("stage %(n)s") % {"n": number}
    if not isinstance(raw, dict):
        problems.append(_("%(where)s: must be a table.") % {"where": where})
        return None
    problems += [
        _("%(where)s: unknown key “%(key)s”.") % {"where": where, "key": key}
        for key in sorted(raw)
        if key not in STAGE_KEYS
    ]
    adds = _ids(raw.get("indicators"), f"{where}, indicators", problems)
    absent_new = _ids(raw.get("absent"), f"{where}, absent", problems)
    verdict = raw.get("verdict")
    if verdict not in OUTCOMES:
        problems.append(
            _("%(where)s: the verdict must be one of %(values)s.")
            % {"where": where, "values": ", ".join(OUTCOMES)}
        )
    flags = raw.get("flags", [])
    if not isinstance(flags, list) or any(f not in FLAGS for f in flags):
        problems.append(
            _("%(where)s: flags must be a list of %(values)s.")
            % {"where": where, "values": ", ".join(FLAGS)}
        )
        flags = []
    why: dict[str, Text] = {}
    raw_why = raw.get("why", {})
    if not isinstance(raw_why, dict):
        problems.append(_("%(where)s: why must be a table of indicator ids.") % {"where": where})
        raw_why = {}
    for ident in _ids(list(raw_why), f"{where}, why", problems):
        why[ident] = _text(raw_why[ident], f"{where}, why.{ident}", problems)
    indicators = tuple(dict.fromkeys([*(before.indicators if before else ()), *adds]))
    # A later fact may settle as "yes" what an earlier stage settled as "no".
    absent = tuple(
        i
        for i in dict.fromkeys([*(before.absent if before else ()), *absent_new])
        if i not in indicators
    )
    both = set(adds) & set(absent_new)
    if both:
        problems.append(
            _("%(where)s: an indicator cannot both apply and be absent: %(ids)s.")
            % {"where": where, "ids": ", ".join(sorted(both))}
        )
    return Stage(
        number=number,
        facts=_text(raw.get("facts"), f"{where}, facts", problems),
        adds=adds,
        indicators=indicators,
        absent=absent,
        verdict=str(verdict),
        flags=tuple(flags),
        notes=_text(raw.get("notes"), f"{where}, notes", problems),
        principle=_text(raw.get("principle"), f"{where}, principle", problems),
        why=why,
    )


def _profile(
    data: Mapping[str, Any], problems: list[str]
) -> tuple[Any, bool, list[str], list[str]]:
    """The scenario's age, exploitation and machine-draft languages."""
    age = data.get("age_at_events")
    if age is not None and (
        isinstance(age, bool) or not isinstance(age, int) or not 0 <= age < 120
    ):
        problems.append(_("age_at_events: a whole number of years, or leave it out."))
        age = None
    possibly_child = data.get("possibly_child", False)
    if not isinstance(possibly_child, bool):
        problems.append(_("possibly_child: true or false."))
        possibly_child = False
    exploitation = data.get("exploitation", [])
    if not isinstance(exploitation, list) or any(f not in EXPLOITATION_FORMS for f in exploitation):
        problems.append(
            _("exploitation: a list of %(values)s.") % {"values": ", ".join(EXPLOITATION_FORMS)}
        )
        exploitation = []
    drafts = data.get("machine_drafts", [])
    if not isinstance(drafts, list) or any(d not in LANGUAGES or d == "en" for d in drafts):
        problems.append(_("machine_drafts: a list of language codes other than en."))
        drafts = []
    return age, possibly_child, exploitation, drafts


def parse_scenario(source: str) -> Scenario:
    """Read one scenario's TOML; raise ScenarioError naming every problem."""
    if len(source) > MAX_SOURCE:
        raise ScenarioError([_("The scenario is too long.")])
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(
            [_("This is not valid TOML: %(error)s") % {"error": str(error)}]
        ) from error
    problems = [
        _("Unknown key “%(key)s”.") % {"key": key}
        for key in sorted(data)
        if key not in SCENARIO_KEYS
    ]
    ident = data.get("id")
    if not isinstance(ident, str) or not ident.replace("_", "").isalnum() or not ident.isascii():
        problems.append(_("id: letters, digits and underscores only."))
        ident = ""
    elif len(ident) > 60:
        problems.append(_("id: at most 60 characters."))
    age, possibly_child, exploitation, drafts = _profile(data, problems)
    goals_raw = data.get("goals")
    goals: list[Text] = []
    if not isinstance(goals_raw, list) or not goals_raw:
        problems.append(_("goals: at least one learning goal."))
    else:
        goals = [_text(g, _("goal %(n)s") % {"n": n}, problems) for n, g in enumerate(goals_raw, 1)]
    raw_stages = data.get("stage")
    stages: list[Stage] = []
    if not isinstance(raw_stages, list) or not raw_stages:
        problems.append(_("At least one stage ([[stage]]) is required."))
    else:
        for number, raw in enumerate(raw_stages, 1):
            stage = _stage(raw, number, stages[-1] if stages else None, problems)
            if stage is not None:
                stages.append(stage)
    title = _text(data.get("title"), _("title"), problems)
    summary = _text(data.get("summary"), _("summary"), problems)
    if problems:
        raise ScenarioError(problems)
    return Scenario(
        id=ident,
        title=title,
        summary=summary,
        goals=tuple(goals),
        machine_drafts=tuple(drafts),
        age_at_events=age,
        possibly_child=possibly_child,
        exploitation=tuple(exploitation),
        stages=tuple(stages),
        source=source,
    )


@functools.cache
def shipped_scenarios() -> tuple[Scenario, ...]:
    """The scenarios shipped as files, in file-name order. A broken file fails loudly."""
    scenarios = []
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        try:
            scenarios.append(parse_scenario(path.read_text(encoding="utf-8")))
        except ScenarioError as error:
            raise ScenarioError([f"{path.name}: {p}" for p in error.problems]) from error
    return tuple(scenarios)


@dataclass(frozen=True)
class Statement:
    id: str
    text: Text
    answer: bool
    explanation: Text
    principle: str


def parse_quiz(source: str) -> tuple[Statement, ...]:
    """The quiz's true/false statements; raise ScenarioError naming every problem."""
    data = tomllib.loads(source)
    problems: list[str] = []
    statements = []
    seen: set[str] = set()
    for number, raw in enumerate(data.get("statement", []), 1):
        where = _("statement %(n)s") % {"n": number}
        ident = raw.get("id")
        if not isinstance(ident, str) or not ident or ident in seen:
            problems.append(_("%(where)s: a unique id is required.") % {"where": where})
        seen.add(str(ident))
        if not isinstance(raw.get("answer"), bool):
            problems.append(_("%(where)s: the answer must be true or false.") % {"where": where})
        statements.append(
            Statement(
                id=str(ident),
                text=_text(raw.get("text"), where, problems),
                answer=bool(raw.get("answer")),
                explanation=_text(raw.get("explanation"), where, problems),
                principle=str(raw.get("principle", "")),
            )
        )
    if problems or not statements:
        raise ScenarioError(problems or [_("The quiz has no statements.")])
    return tuple(statements)


@functools.cache
def quiz_statements() -> tuple[Statement, ...]:
    return parse_quiz(QUIZ_FILE.read_text(encoding="utf-8"))
