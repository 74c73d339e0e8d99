"""Load and validate the versioned catalogue (ruleset, sources, indicators, translations).

A bad file fails loudly with CatalogueError naming the file and the entry: a wrong grade
or a missing translation must never reach a screening silently.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from haven.screening_engine.model import (
    DIMENSIONS,
    EXPLOITATION_FORMS,
    FORCED_LABOUR_ELEMENTS,
    GRADED_DIMENSIONS,
    GRADES,
    ILO_FORCED_LABOUR,
    INDICATOR_FLAGS,
    KINDS,
    OPENABLE,
    PALERMO_ELEMENTS,
    PROFILES,
    ROUTES,
    SETS,
    TOPICS,
    DimensionRule,
    Indicator,
    Question,
    Ruleset,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]{2,63}")
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
HTCDS_KEYS = ("methods_of_control", "type_of_exploitation")
REQUIRED = (
    "id",
    "kind",
    "topic",
    "statement",
    "palermo",
    "ilo_forced_labour",
    "forced_labour_element",
    "htcds",
    "sources",
    "questions",
)
ALLOWED = (
    *REQUIRED,
    "dimension",
    "grades",
    "grade_source",
    "checklists",
    "flags",
    "gateway",
    "opens",
    "purpose_alone",
)


class CatalogueError(ValueError):
    """The catalogue data is invalid. The message names the file and the entry."""


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: caches key on it
class Catalogue:
    ruleset: Ruleset
    indicators: tuple[Indicator, ...]
    by_id: Mapping[str, Indicator]
    sources: Mapping[str, Mapping[str, Any]]
    messages: Mapping[str, Mapping[str, str]]
    drafts: Mapping[str, str]  # language -> draft note, for machine-drafted translations


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"{path.name}: not valid TOML: {error}") from None
    except OSError as error:
        raise CatalogueError(f"{path.name}: cannot be read: {error.strerror}") from None


def _strings(value: Any, allowed: tuple[str, ...] | None, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogueError(f"{where}: must be a list of strings")
    if allowed is not None:
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            raise CatalogueError(f"{where}: unknown value(s) {', '.join(unknown)}")
    return tuple(value)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: must be a non-empty string")
    return value.strip()


def _message(value: Any, where: str) -> str:
    """A message keeps its inner spacing (a list separator is "; "), only line breaks go."""
    _text(value, where)
    return str(value).strip("\n")


def _routes(value: Any, allowed: tuple[str, ...], where: str) -> tuple[str, ...]:
    routes = _strings(value, allowed, where)
    if not routes:
        raise CatalogueError(f"{where}: needs at least one")
    return routes


def _presumption(data: Any, where: str) -> dict[str, dict[str, tuple[str, ...]]]:
    if not isinstance(data, dict) or set(data) != set(PROFILES):
        raise CatalogueError(f"{where}: needs [presumption.adult] and [presumption.child]")
    profiles = {}
    for profile, elements in data.items():
        here = f"{where}.{profile}"
        if not isinstance(elements, dict) or not {"act", "purpose"} <= set(elements):
            raise CatalogueError(f"{here}: needs act and purpose")
        if set(elements) - set(PALERMO_ELEMENTS):
            raise CatalogueError(f"{here}: elements are {', '.join(PALERMO_ELEMENTS)}")
        if profile == "child" and "means" in elements:
            raise CatalogueError(f"{here}: means are never required for a child")
        profiles[profile] = {
            name: _routes(routes, ROUTES, f"{here}.{name}") for name, routes in elements.items()
        }
    return profiles


def _ilo_ec(data: Any, where: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    if not isinstance(data, dict) or set(data) != set(PROFILES):
        raise CatalogueError(f"{where}: needs adult and child")
    combinations = {}
    for profile, groups in data.items():
        if not isinstance(groups, list) or not groups:
            raise CatalogueError(f"{where}.{profile}: must be a list of lists of routes")
        combinations[profile] = tuple(
            _routes(group, ROUTES, f"{where}.{profile}") for group in groups
        )
    return combinations


def _form_flags(data: Any, where: str) -> tuple[dict[str, str], tuple[str, ...]]:
    forms = data.get("forms") if isinstance(data, dict) else None
    if not isinstance(forms, dict):
        raise CatalogueError(f"{where}: needs forms = {{ form = flag }}")
    for form, flag in forms.items():
        if form not in EXPLOITATION_FORMS or flag not in INDICATOR_FLAGS:
            raise CatalogueError(f"{where}: {form} = {flag!r} is not a form and a flag")
    coercion = _routes(data.get("coercion"), GRADED_DIMENSIONS, f"{where}: coercion")
    return dict(forms), coercion


def _form_opens(data: Any, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(data, dict) or set(data) - set(EXPLOITATION_FORMS):
        raise CatalogueError(f"{where}: form_opens keys must be forms of exploitation")
    return {
        form: _strings(doors, None, f"{where}: form_opens.{form}") for form, doors in data.items()
    }


def _ruleset(path: Path) -> Ruleset:
    data = _read(path)
    where = path.name
    try:
        rules = tuple(
            DimensionRule(
                name=_text(rule["name"], f"{where}: dimension_rule"),
                strong=int(rule.get("strong", 0)),
                medium=int(rule.get("medium", 0)),
                weak=int(rule.get("weak", 0)),
                medium_or_weak=int(rule.get("medium_or_weak", 0)),
            )
            for rule in data["dimension_rule"]
        )
        form_flags, coercion = _form_flags(data["form_flags"], f"{where}: form_flags")
        return Ruleset(
            version=_text(data["version"], f"{where}: version"),
            name=_text(data["name"], f"{where}: name"),
            languages=_strings(data["languages"], None, f"{where}: languages"),
            dimension_rules=rules,
            forced_labour_min_involuntariness=int(data["forced_labour"]["min_involuntariness"]),
            forced_labour_min_penalty=int(data["forced_labour"]["min_menace_of_penalty"]),
            smuggling_min_yes=int(data["smuggling"]["min_yes"]),
            smuggling_sufficient=_strings(
                data["smuggling"].get("sufficient", []), None, f"{where}: smuggling.sufficient"
            ),
            suggestion_limit=int(data["suggestions"]["limit"]),
            presumption=_presumption(data["presumption"], f"{where}: presumption"),
            concern_dimensions=_routes(
                data["concern"]["dimensions"], GRADED_DIMENSIONS, f"{where}: concern.dimensions"
            ),
            concern_forced_labour_elements=bool(data["concern"]["forced_labour_elements"]),
            ilo_ec=_ilo_ec(data["ilo_ec"], f"{where}: ilo_ec"),
            form_flags=form_flags,
            form_flag_coercion=coercion,
            max_gateways=int(data["interview"]["max_gateways"]),
            form_opens=_form_opens(data["interview"]["form_opens"], f"{where}: interview"),
        )
    except KeyError as missing:
        raise CatalogueError(f"{where}: missing {missing}") from None
    except (TypeError, ValueError, AttributeError) as error:
        raise CatalogueError(f"{where}: {error}") from None


def _indicator(entry: Any, file: str, index: int, sources: Mapping[str, Any]) -> Indicator:
    if not isinstance(entry, dict):
        raise CatalogueError(f"{file}: entry {index}: must be a table")
    ident = entry.get("id", f"#{index}")
    where = f"{file}: indicator {ident}"
    missing = [key for key in REQUIRED if key not in entry]
    if missing:
        raise CatalogueError(f"{where}: missing field(s) {', '.join(missing)}")
    extra = sorted(set(entry) - set(ALLOWED))
    if extra:
        raise CatalogueError(f"{where}: unknown field(s) {', '.join(extra)}")
    if not isinstance(ident, str) or not ID_PATTERN.fullmatch(ident):
        raise CatalogueError(f"{where}: id must be snake_case, 3-64 characters")
    kind = entry["kind"]
    if kind not in KINDS:
        raise CatalogueError(f"{where}: kind must be one of {', '.join(KINDS)}")
    if entry["topic"] not in TOPICS:
        raise CatalogueError(f"{where}: topic must be one of {', '.join(TOPICS)}")
    dimension, grades, grade_source = _trafficking_fields(entry, kind, where)
    htcds = entry["htcds"]
    if not isinstance(htcds, dict) or set(htcds) - set(HTCDS_KEYS):
        raise CatalogueError(f"{where}: htcds may hold only {', '.join(HTCDS_KEYS)}")
    cited = _strings(entry["sources"], None, f"{where}: sources")
    if not cited or set(cited) - set(sources):
        raise CatalogueError(f"{where}: sources must cite ids from sources.toml")
    questions = entry["questions"]
    try:
        english = Question(
            adult=_text(questions["adult"]["en"], f"{where}: questions.adult.en"),
            child=_text(questions["child"]["en"], f"{where}: questions.child.en"),
        )
    except (KeyError, TypeError):
        raise CatalogueError(f"{where}: needs questions.adult.en and questions.child.en") from None
    statement = _text(entry["statement"], f"{where}: statement")
    return Indicator(
        id=ident,
        kind=kind,
        topic=entry["topic"],
        statement=statement,
        palermo=_strings(entry["palermo"], PALERMO_ELEMENTS, f"{where}: palermo"),
        ilo_forced_labour=_strings(
            entry["ilo_forced_labour"], ILO_FORCED_LABOUR, f"{where}: ilo_forced_labour"
        ),
        forced_labour_element=_strings(
            entry["forced_labour_element"],
            FORCED_LABOUR_ELEMENTS,
            f"{where}: forced_labour_element",
        ),
        htcds={k: _strings(v, None, f"{where}: htcds.{k}") for k, v in htcds.items()},
        sources=cited,
        questions={"en": english},
        statements={"en": statement},
        dimension=dimension,
        grades=grades,
        grade_source=grade_source,
        checklists=_strings(entry.get("checklists", []), None, f"{where}: checklists"),
        flags=_strings(entry.get("flags", []), INDICATOR_FLAGS, f"{where}: flags"),
        gateway=_flag(entry.get("gateway", False), f"{where}: gateway"),
        opens=_strings(entry.get("opens", []), None, f"{where}: opens"),
        purpose_alone=_strings(entry.get("purpose_alone", []), PROFILES, f"{where}: purpose_alone"),
        source_file=file,
    )


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise CatalogueError(f"{where}: must be true or false")
    return value


def _check_references(ruleset: Ruleset, indicators: Mapping[str, Indicator]) -> None:
    """Cross-file checks: ids the ruleset names exist, and the quick screening stays short."""
    for ident in ruleset.smuggling_sufficient:
        if ident not in indicators or indicators[ident].kind != "smuggling":
            raise CatalogueError(
                f"ruleset.toml: smuggling.sufficient: {ident} is not a smuggling indicator"
            )
    for form, doors in ruleset.form_opens.items():
        unknown = [d for d in doors if d not in OPENABLE and d not in indicators]
        if unknown:
            raise CatalogueError(f"ruleset.toml: interview.form_opens.{form}: unknown {unknown}")
    gateways = [i.id for i in indicators.values() if i.gateway]
    if len(gateways) > ruleset.max_gateways:
        raise CatalogueError(
            f"indicators: {len(gateways)} gateway questions, more than interview.max_gateways "
            f"= {ruleset.max_gateways}"
        )
    for indicator in indicators.values():
        where = f"{indicator.source_file}: indicator {indicator.id}"
        unknown = [o for o in indicator.opens if o not in OPENABLE and o not in indicators]
        if unknown:
            raise CatalogueError(
                f"{where}: opens: {', '.join(unknown)} is neither a group, a flag nor an id"
            )
        if indicator.purpose_alone and indicator.kind != "trafficking":
            raise CatalogueError(f"{where}: only trafficking indicators show the purpose alone")


def _trafficking_fields(
    entry: dict[str, Any], kind: str, where: str
) -> tuple[str | None, dict[str, str], str]:
    if kind != "trafficking":
        if {"dimension", "grades", "grade_source"} & set(entry):
            raise CatalogueError(f"{where}: only trafficking indicators have dimension/grades")
        return None, {}, ""
    dimension = entry.get("dimension")
    if dimension not in DIMENSIONS:
        raise CatalogueError(f"{where}: dimension must be one of {', '.join(DIMENSIONS)}")
    grades = entry.get("grades", {})
    if not isinstance(grades, dict):
        raise CatalogueError(f"{where}: grades must be a table")
    for set_name, grade in grades.items():
        if set_name not in SETS or grade not in GRADES:
            raise CatalogueError(f"{where}: grades.{set_name} = {grade!r} is not a set/grade")
    if dimension == "act":
        if grades:
            raise CatalogueError(f"{where}: act indicators carry no grades")
        return dimension, {}, ""
    if not grades:
        raise CatalogueError(f"{where}: a graded dimension needs grades for at least one set")
    return dimension, dict(grades), _text(entry.get("grade_source"), f"{where}: grade_source")


def _translations(
    directory: Path, indicators: dict[str, Indicator], languages: tuple[str, ...]
) -> dict[str, str]:
    drafts: dict[str, str] = {}
    for language in languages:
        if language == "en":
            continue
        path = directory / "questions" / f"{language}.toml"
        data = _read(path)
        if isinstance(data.get("draft"), str):
            drafts[language] = data.pop("draft")
        unknown = sorted(set(data) - set(indicators))
        if unknown:
            raise CatalogueError(f"{path.name}: unknown indicator id(s) {', '.join(unknown)}")
        for ident, indicator in indicators.items():
            where = f"{path.name}: indicator {ident}"
            row = data.get(ident)
            if not isinstance(row, dict):
                raise CatalogueError(f"{where}: translation missing")
            question = Question(
                adult=_text(row.get("adult"), f"{where}: adult"),
                child=_text(row.get("child"), f"{where}: child"),
            )
            statement = _text(row.get("statement"), f"{where}: statement")
            indicators[ident] = _with_language(indicator, language, question, statement)
    return drafts


def _with_language(
    indicator: Indicator, language: str, question: Question, statement: str
) -> Indicator:
    return replace(
        indicator,
        questions={**indicator.questions, language: question},
        statements={**indicator.statements, language: statement},
    )


def _messages(directory: Path, languages: tuple[str, ...]) -> dict[str, dict[str, str]]:
    english = _read(directory / "messages" / "en.toml")
    catalogues = {"en": {k: _message(v, f"en.toml: {k}") for k, v in english.items()}}
    for language in languages:
        if language == "en":
            continue
        name = f"messages/{language}.toml"
        data = {
            k: v
            for k, v in _read(directory / "messages" / f"{language}.toml").items()
            if k != "draft"
        }
        missing = sorted(set(english) - set(data))
        if missing:
            raise CatalogueError(f"{name}: missing message(s) {', '.join(missing)}")
        for key, text in data.items():
            if key not in english:
                raise CatalogueError(f"{name}: unknown message {key}")
            value = _message(text, f"{name}: {key}")
            if set(PLACEHOLDER.findall(value)) != set(PLACEHOLDER.findall(english[key])):
                raise CatalogueError(f"{name}: {key}: placeholders differ from English")
        catalogues[language] = {k: _message(v, f"{name}: {k}") for k, v in data.items()}
    return catalogues


def load_catalogue(directory: Path = DATA_DIR) -> Catalogue:
    """Read and validate every file of a catalogue folder."""
    ruleset = _ruleset(directory / "ruleset.toml")
    sources = _read(directory / "sources.toml")
    indicators: dict[str, Indicator] = {}
    files = sorted((directory / "indicators").glob("*.toml"))
    if not files:
        raise CatalogueError("indicators/: no indicator files")
    for path in files:
        entries = _read(path).get("indicator", [])
        if not isinstance(entries, list) or not entries:
            raise CatalogueError(f"{path.name}: needs [[indicator]] entries")
        for index, entry in enumerate(entries, start=1):
            indicator = _indicator(entry, path.name, index, sources)
            if indicator.id in indicators:
                other = indicators[indicator.id].source_file
                raise CatalogueError(f"{path.name}: indicator {indicator.id}: id also in {other}")
            indicators[indicator.id] = indicator
    _check_references(ruleset, indicators)
    drafts = _translations(directory, indicators, ruleset.languages)
    messages = _messages(directory, ruleset.languages)
    ordered = tuple(indicators.values())
    return Catalogue(
        ruleset=ruleset,
        indicators=ordered,
        by_id={i.id: i for i in ordered},
        sources=sources,
        messages=messages,
        drafts=drafts,
    )


@functools.cache
def shipped_catalogue() -> Catalogue:
    """The catalogue as its files say, loaded once per process.

    HAVEN_RULESET_DIR points to a country's adapted copy of the data folder; by default the
    shipped catalogue is used.
    """
    configured = os.environ.get("HAVEN_RULESET_DIR")
    return load_catalogue(Path(configured) if configured else DATA_DIR)


# Wordings accepted from fluent speakers in place of the files' (language, part, key) ->
# text; parts "question" (key "<indicator>:adult|child"), "statement" (key "<indicator>")
# and "message". Set by haven.translations.live; texts only, never a rule.
Wordings = tuple[tuple[tuple[str, str, str], str], ...]
_in_use: dict[str, Wordings] = {"wordings": ()}


def use_wordings(wordings: Mapping[tuple[str, str, str], str]) -> None:
    _in_use["wordings"] = tuple(sorted(wordings.items()))


def default_catalogue() -> Catalogue:
    """The catalogue in use: the shipped one, with any accepted wordings."""
    return _with_wordings(_in_use["wordings"])


@functools.lru_cache(maxsize=2)
def _with_wordings(wordings: Wordings) -> Catalogue:
    return with_wordings(shipped_catalogue(), dict(wordings))


def with_wordings(catalogue: Catalogue, wordings: Mapping[tuple[str, str, str], str]) -> Catalogue:
    """`catalogue` with some questions, statements and messages worded otherwise. Unknown
    keys are ignored: a wording outlives an indicator the catalogue no longer has."""
    if not wordings:
        return catalogue
    by_id = dict(catalogue.by_id)
    messages = {language: dict(texts) for language, texts in catalogue.messages.items()}
    for (language, part, key), text in wordings.items():
        if language == "en" or language not in catalogue.ruleset.languages:
            continue
        if part == "message":
            if key in messages.get(language, {}):
                messages[language][key] = text
            continue
        ident, _sep, form = key.partition(":")
        indicator = by_id.get(ident)
        if indicator is None or language not in indicator.questions:
            continue
        if part == "statement":
            by_id[ident] = replace(indicator, statements={**indicator.statements, language: text})
        elif part == "question" and form in ("adult", "child"):
            question = replace(indicator.questions[language], **{form: text})
            by_id[ident] = replace(indicator, questions={**indicator.questions, language: question})
    ordered = tuple(by_id[i.id] for i in catalogue.indicators)
    return replace(
        catalogue,
        indicators=ordered,
        by_id={i.id: i for i in ordered},
        messages=messages,
    )
