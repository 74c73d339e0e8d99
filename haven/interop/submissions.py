"""Screenings made offline with the XLSForm (haven.interop.xlsform), brought in from a
KoboToolbox or ODK Central export (CSV, or JSON: a list, Kobo's `results` or Central's
OData `value`).

Each submission becomes an anonymous screening of the importer's organisation through
the screening actions (readiness, profile, answers; encrypted and audited as any
screening), and the engine assesses it: the report gives each one's suggested outcome.
The screening is left for the screener to complete in Haven with their own judgement,
as in the web interview: the engine suggests, a person decides. A submission made with
another ruleset is refused unless the importer asks for a re-assessment, which the
screening then says. One bad submission imports nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.accounts.roles import Capability, can
from haven.core.errors import RefusedError
from haven.core.safejson import loads
from haven.interop import reading, xlsform
from haven.people.access import people_for
from haven.people.models import Person
from haven.screening import actions, engine
from haven.screening.models import Screening
from haven.screening_engine import default_catalogue
from haven.screening_engine.model import ANSWERS, EXPLOITATION_FORMS


@dataclass(frozen=True)
class Problem:
    submission: int  # 1 for the first
    field: str
    message: str


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    created: list[tuple[str, str]] = field(default_factory=list)  # (reference, outcome)
    imported: bool = False


def _records(data: bytes, filename: str) -> list[dict[str, str]]:
    """The submissions as {field: value}, group paths left out."""
    if filename.lower().endswith(".json"):
        try:
            found = loads(data, max_bytes=reading.MAX_BYTES)
        except ValueError:
            raise RefusedError(_("The file is not readable JSON.")) from None
        if isinstance(found, Mapping):
            found = found.get("results", found.get("value", []))
        if not isinstance(found, list) or not all(isinstance(r, Mapping) for r in found):
            raise RefusedError(_("The file holds no list of submissions."))
        return [{_name(k): "" if v is None else str(v) for k, v in r.items()} for r in found]
    table = reading.read(data, filename)
    header = [_name(h) for h in table.header]
    return [dict(zip(header, cells, strict=True)) for _number, cells in table.rows]


def _name(key: str) -> str:
    return str(key).strip().rsplit("/", 1)[-1]


def _yes(value: str) -> bool:
    return value.strip().lower() in ("yes", "true", "1")


def _screening_input(record: Mapping[str, str], number: int, report: Report) -> dict[str, Any]:
    """Readiness, profile and answers from one submission, each value checked."""

    def problem(name: str, message: str) -> None:
        report.problems.append(Problem(number, name, message))

    readiness = {
        name.removeprefix("ready_"): _yes(value) if value in ("yes", "no") else value
        for name, value in record.items()
        if name.startswith("ready_")
    }
    age_text = record.get("age_at_events", "").strip()
    age = None
    if age_text:
        try:
            age = int(float(age_text))
        except ValueError:
            problem("age_at_events", _("not a number"))
    forms = record.get("exploitation", "").split()
    unknown = [f for f in forms if f not in EXPLOITATION_FORMS]
    if unknown:
        problem("exploitation", _("not a form of exploitation Haven knows"))
    language = record.get("interview_language") or "en"
    profile = {
        "age_at_events": age,
        "possibly_child": _yes(record.get("possibly_child", "")),
        "exploitation": [f for f in forms if f in EXPLOITATION_FORMS],
        "interview_language": language,
    }
    answers = {}
    for indicator in default_catalogue().indicators:
        value = (
            record.get(indicator.id) or record.get(indicator.id + xlsform.CHILD_SUFFIX) or ""
        ).strip()
        if value and value not in ANSWERS:
            problem(indicator.id, _("not an answer the form offers"))
        elif value:
            answers[indicator.id] = value
    return {
        "readiness": readiness,
        "profile": profile,
        "answers": answers,
        "person": record.get(xlsform.PERSON_REFERENCE, "").strip(),
    }


def import_submissions(
    actor: User, data: bytes, filename: str, *, reassess: bool = False
) -> Report:
    """Check every submission, then make a screening of each, all or nothing."""
    if not can(actor, Capability.SCREENING_CREATE):
        raise PermissionDenied
    report = Report()
    current = default_catalogue().ruleset.version
    inputs = []
    for number, record in enumerate(_records(data, filename), start=1):
        made_with = record.get(xlsform.RULESET_FIELD, "").strip()
        if made_with != current and not reassess:
            report.problems.append(
                Problem(
                    number,
                    xlsform.RULESET_FIELD,
                    _("made with ruleset %(old)s, not %(new)s: re-assess to import it")
                    % {"old": made_with or "?", "new": current},
                )
            )
        inputs.append((made_with, _screening_input(record, number, report)))
    people = _people(actor, [found["person"] for _v, found in inputs], report)
    if report.problems or not inputs:
        return report
    try:
        with transaction.atomic():
            for number, (made_with, found) in enumerate(inputs, start=1):
                try:
                    person = people.get(found["person"])
                    screening = _screening(actor, found, made_with, current, person)
                except RefusedError as refused:
                    report.problems.append(Problem(number, "", refused.message))
                    raise
                result = engine.evaluate(
                    screening.profile, screening.answers, screening.interview_language, []
                )
                report.created.append((screening.reference, result.outcome))
    except RefusedError:
        report.created = []  # rolled back: nothing was made
        return report
    report.imported = True
    return report


def _people(actor: User, references: list[str], report: Report) -> dict[str, Person]:
    """The people named by reference: only those the screener may see, else a problem
    (no hint whether the reference exists elsewhere)."""
    wanted = {r for r in references if r}
    visible = people_for(actor, Capability.PERSON_VIEW).filter(reference__in=wanted)
    found = {p.reference: p for p in visible}
    for number, reference in enumerate(references, start=1):
        if reference and reference not in found:
            report.problems.append(
                Problem(
                    number,
                    xlsform.PERSON_REFERENCE,
                    _("no person with that reference that you may see"),
                )
            )
    return found


def _screening(
    actor: User,
    found: Mapping[str, Any],
    made_with: str,
    current: str,
    person: Person | None,
) -> Screening:
    readiness = dict(found["readiness"])
    if made_with != current:
        # Said in the screening itself: answered to one ruleset, assessed by another.
        readiness["offline_ruleset"] = made_with or "unknown"
    readiness["offline"] = True
    return actions.start_answered(
        actor,
        readiness=readiness,
        profile=found["profile"],
        answers=found["answers"],
        person=person,
    )


def as_json(report: Report) -> str:
    return json.dumps(
        {
            "imported": report.imported,
            "created": [{"reference": r, "suggested": o} for r, o in report.created],
            "problems": [p.__dict__ for p in report.problems],
        }
    )
