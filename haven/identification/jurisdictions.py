"""Jurisdiction profiles: what the law of a place says about identification, as data.

The names of the formal decisions, which roles may take them, their target times, the
reflection and recovery period and the public holidays differ from country to country,
so they live in TOML files (`jurisdictions/*.toml`), validated at load. Pure Python: no
Django imports, so deadline arithmetic is tested on its own.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "jurisdictions"
ROLES = frozenset({"screener", "case_worker", "supervisor", "determination_officer", "coordinator"})
REFLECTION_STARTS = ("presumption", "first_decision")


class JurisdictionError(ValueError):
    """A jurisdiction file is wrong; the message names the file and the entry."""


def _name_in(name: str, translations: tuple[tuple[str, str], ...], language: str) -> str:
    """`name` in `language` (or its base language) where the profile gives it, else as is."""
    given = dict(translations)
    for code in (language, language.split("-", maxsplit=1)[0]):
        if code in given:
            return given[code]
    return name


@dataclass(frozen=True)
class Authority:
    """The competent authority for a decision: organisations of these types, or the one
    organisation of this name. Only it takes the decision; others send it a request."""

    org_types: frozenset[str] = frozenset()
    organisation: str = ""

    def includes(self, org_type: str, org_name: str) -> bool:
        if self.organisation:
            return org_name == self.organisation
        return org_type in self.org_types


@dataclass(frozen=True)
class Step:
    name: str
    roles: frozenset[str]
    target_working_days: int | None = None
    not_before_days: int = 0
    # Language code -> the name in that language, from the profile's `names` table.
    names: tuple[tuple[str, str], ...] = ()
    # None: the case's own organisation takes the decision.
    authority: Authority | None = None

    def name_in(self, language: str) -> str:
        return _name_in(self.name, self.names, language)


@dataclass(frozen=True)
class Jurisdiction:
    id: str
    name: str
    source: str
    weekend: frozenset[int]
    holidays: frozenset[dt.date]
    presumption: Step
    first_decision: Step
    final_decision: Step
    reflection_days: int
    reflection_starts_at: str
    removal_allowed_during_reflection: bool
    names: tuple[tuple[str, str], ...] = ()
    # What the law says about removal during the reflection period, as the profile words
    # it: the reason given when a return is refused during it.
    reflection_notice: str = ""
    reflection_notices: tuple[tuple[str, str], ...] = ()
    # Emergency sharing without consent needs a supervisor's approval; where the law of
    # the place allows it, a second case worker approves when no supervisor can be reached.
    second_case_worker: bool = False

    def name_in(self, language: str) -> str:
        """The profile's name in `language` where the profile gives one, else `name`."""
        return _name_in(self.name, self.names, language)

    def reflection_notice_in(self, language: str) -> str:
        return _name_in(self.reflection_notice, self.reflection_notices, language)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date `days` working days after `start` (the start day itself not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        remaining = days
        while remaining:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def first_decision_due(self, presumed_on: dt.date) -> dt.date | None:
        target = self.first_decision.target_working_days
        return None if target is None else self.add_working_days(presumed_on, target)

    def final_decision_window(self, first_on: dt.date) -> tuple[dt.date, dt.date | None]:
        """Earliest date and target date for the final decision after a positive first one."""
        earliest = first_on + dt.timedelta(days=self.final_decision.not_before_days)
        target = self.final_decision.target_working_days
        return earliest, (None if target is None else self.add_working_days(earliest, target))

    def reflection_period(self, starts_on: dt.date) -> tuple[dt.date, dt.date]:
        """First and last day of the reflection and recovery period (calendar days)."""
        return starts_on, starts_on + dt.timedelta(days=self.reflection_days - 1)

    def to_json(self) -> dict[str, Any]:
        def step(s: Step) -> dict[str, Any]:
            authority = s.authority
            return {
                "name": s.name,
                "roles": sorted(s.roles),
                "target_working_days": s.target_working_days,
                "not_before_days": s.not_before_days,
                "competent_authority": None
                if authority is None
                else (
                    {"organisation": authority.organisation}
                    if authority.organisation
                    else {"org_types": sorted(authority.org_types)}
                ),
            }

        return {
            "id": self.id,
            "name": self.name,
            "source": self.source,
            "weekend": sorted(self.weekend),
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "presumption": step(self.presumption),
            "first_decision": step(self.first_decision),
            "final_decision": step(self.final_decision),
            "reflection": {
                "days": self.reflection_days,
                "starts_at": self.reflection_starts_at,
                "removal_allowed": self.removal_allowed_during_reflection,
                "notice": self.reflection_notice,
            },
            "emergency": {"second_case_worker": self.second_case_worker},
        }


def _need(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise JurisdictionError(f"{where}: {key} must be a {kind.__name__}")
    return value


def _step(data: dict[str, Any], key: str, where: str) -> Step:
    table = data.get(key)
    if not isinstance(table, dict):
        raise JurisdictionError(f"{where}: needs a [{key}] table")
    here = f"{where} [{key}]"
    name = _need(table, "name", str, here).strip()
    roles = _need(table, "roles", list, here)
    unknown = sorted(set(map(str, roles)) - ROLES)
    if not roles or unknown:
        raise JurisdictionError(f"{here}: roles must be some of {sorted(ROLES)}; got {unknown}")
    target = table.get("target_working_days")
    if target is not None and (
        not isinstance(target, int) or isinstance(target, bool) or target < 1
    ):
        raise JurisdictionError(f"{here}: target_working_days must be a positive integer")
    wait = table.get("not_before_days", 0)
    if not isinstance(wait, int) or isinstance(wait, bool) or wait < 0:
        raise JurisdictionError(f"{here}: not_before_days must be a whole number of days")
    authority = _authority(table, here)
    return Step(name, frozenset(map(str, roles)), target, wait, _names(table, here), authority)


def _authority(table: dict[str, Any], where: str) -> Authority | None:
    """The optional `competent_authority` table: `org_types = [...]` (HTCDS organisation
    types) or `organisation = "..."` (one organisation's name), not both."""
    data = table.get("competent_authority")
    if data is None:
        return None
    here = f"{where} competent_authority"
    if not isinstance(data, dict) or set(data) - {"org_types", "organisation"}:
        raise JurisdictionError(f"{here}: give org_types or organisation")
    types, name = data.get("org_types"), data.get("organisation")
    if (types is None) == (name is None):
        raise JurisdictionError(f"{here}: give org_types or organisation, not both")
    if name is not None:
        if not isinstance(name, str) or not name.strip():
            raise JurisdictionError(f"{here}: organisation must be a name")
        return Authority(organisation=name.strip())
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        raise JurisdictionError(f"{here}: org_types must list organisation types")
    return Authority(org_types=frozenset(types))


def _names(data: dict[str, Any], where: str, key: str = "names") -> tuple[tuple[str, str], ...]:
    """The optional `names` table (or another such table): a text in other languages, by
    language code."""
    names = data.get(key, {})
    if not isinstance(names, dict) or not all(
        isinstance(code, str) and isinstance(text, str) and text.strip()
        for code, text in names.items()
    ):
        raise JurisdictionError(f"{where}: {key} must map language codes to non-empty text")
    return tuple(sorted((code, text.strip()) for code, text in names.items()))


def _second_case_worker(data: dict[str, Any], where: str) -> bool:
    """The optional `[emergency]` table: `second_case_worker = true` lets a second case
    worker approve emergency sharing when no supervisor can be reached. Without the table,
    only a supervisor approves (fails closed)."""
    emergency = data.get("emergency", {"second_case_worker": False})
    if not isinstance(emergency, dict) or set(emergency) - {"second_case_worker"}:
        raise JurisdictionError(f"{where}: [emergency] may only say second_case_worker")
    return bool(_need(emergency, "second_case_worker", bool, f"{where} [emergency]"))


def parse(data: dict[str, Any], where: str) -> Jurisdiction:
    weekend = _need(data, "weekend", list, where)
    if any(not isinstance(d, int) or not 0 <= d <= 6 for d in weekend) or len(weekend) > 6:
        raise JurisdictionError(f"{where}: weekend must list weekdays 0 (Monday) to 6")
    listed = data.get("holidays", [])
    if not isinstance(listed, list):
        raise JurisdictionError(f"{where}: holidays must be a list of ISO dates")
    try:
        holidays = frozenset(dt.date.fromisoformat(str(d)) for d in listed)
    except ValueError as error:
        raise JurisdictionError(f"{where}: holidays: {error}") from None
    reflection = data.get("reflection")
    if not isinstance(reflection, dict):
        raise JurisdictionError(f"{where}: needs a [reflection] table")
    days = _need(reflection, "days", int, f"{where} [reflection]")
    if days < 1:
        raise JurisdictionError(f"{where} [reflection]: days must be at least 1")
    starts = reflection.get("starts_at")
    if starts not in REFLECTION_STARTS:
        raise JurisdictionError(
            f"{where} [reflection]: starts_at must be one of {REFLECTION_STARTS}"
        )
    second = _second_case_worker(data, where)
    notice = reflection.get("notice", "")
    if not isinstance(notice, str):
        raise JurisdictionError(f"{where} [reflection]: notice must be text")
    return Jurisdiction(
        id=_need(data, "id", str, where),
        name=_need(data, "name", str, where),
        source=_need(data, "source", str, where),
        weekend=frozenset(weekend),
        holidays=holidays,
        presumption=_step(data, "presumption", where),
        first_decision=_step(data, "first_decision", where),
        final_decision=_step(data, "final_decision", where),
        reflection_days=days,
        reflection_starts_at=starts,
        removal_allowed_during_reflection=_need(
            reflection, "removal_allowed", bool, f"{where} [reflection]"
        ),
        names=_names(data, where),
        reflection_notice=notice.strip(),
        reflection_notices=_names(reflection, f"{where} [reflection]", "notices"),
        second_case_worker=second,
    )


def load(directory: Path = DATA_DIR) -> dict[str, Jurisdiction]:
    profiles: dict[str, Jurisdiction] = {}
    for path in sorted(directory.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise JurisdictionError(f"{path.name}: not valid TOML: {error}") from None
        profile = parse(data, path.name)
        if profile.id in profiles:
            raise JurisdictionError(f"{path.name}: id {profile.id} is used twice")
        profiles[profile.id] = profile
    if not profiles:
        raise JurisdictionError(f"{directory}: no jurisdiction files")
    return profiles


@functools.cache
def available() -> dict[str, Jurisdiction]:
    """The shipped profiles, or a country's own from HAVEN_JURISDICTION_DIR."""
    folder = os.environ.get("HAVEN_JURISDICTION_DIR")
    return load(Path(folder)) if folder else load()


def get(ident: str) -> Jurisdiction:
    try:
        return available()[ident]
    except KeyError:
        raise JurisdictionError(f"unknown jurisdiction {ident!r}") from None
