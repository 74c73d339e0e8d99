"""HTCDS files in: every value checked against the standard's code lists, every rule of
the people and cases actions checked on every row, and only then, in one transaction,
the people and cases created through those actions (encrypted, indexed, audited). A file
with one bad row changes nothing; the report names every bad row and column. A row read
before (the same case reference, or the same content) is skipped, so importing a file
twice creates nothing twice. Messages never repeat an identity value.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.accounts.roles import Capability, can
from haven.audit.chain import record
from haven.audit.models import Action
from haven.cases.actions import RowsRefusedError, import_cases
from haven.cases.models import Case, CaseStatus
from haven.core import bulk, crypto
from haven.core.reference import Gender
from haven.interop import htcds, reading
from haven.interop.models import ImportedRow
from haven.people.actions import duplicates_among, import_people

# The official template's second row repeats the columns' labels: not a case.
TEMPLATE_LABELS = {"prs_Gender": "Gender", "cas_Status": "Status"}
# Which person or case field a problem found by the actions belongs to, as a column.
COLUMN_OF = {
    "opened_on": "hvn_OpenedOn",
    "assigned_to": "cas_CaseOwner",
    "closure_reason": "cas_ReasonForCaseClosure",
}


@dataclass(frozen=True)
class Problem:
    row: int  # as the file numbers it: the header is row 1
    column: str
    message: str


@dataclass
class Report:
    rows: int = 0
    created: int = 0
    skipped: int = 0  # read before: already in Haven
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # columns read but not taken in, and why
    imported: bool = False


@dataclass
class _Row:
    number: int
    digest: str
    values: dict[str, Any]


def _header(table: reading.Table, report: Report) -> list[str]:
    names = ["" if htcds.is_metadata(h) else htcds.column_name(h) for h in table.header]
    for name in dict.fromkeys(names):
        if name in htcds.NOT_TAKEN:
            report.notes.append(f"{name}: {htcds.NOT_TAKEN[name]}")
        elif name and name not in htcds.BY_NAME and name not in htcds.STANDARD:
            report.problems.append(Problem(1, name, _("not an HTCDS column Haven reads")))
        if name and names.count(name) > 1:
            report.problems.append(Problem(1, name, _("the column appears twice")))
    if not any(name in htcds.BY_NAME for name in names):
        report.problems.append(Problem(1, "", _("no HTCDS column found in the first row")))
    return names


def _unkept(names: list[str], filled: set[str], report: Report) -> None:
    """Say which columns of the standard carried values that Haven has no place for."""
    for name in dict.fromkeys(names):
        unkept = name in htcds.STANDARD and name not in htcds.BY_NAME | htcds.NOT_TAKEN.keys()
        if unkept and name in filled:
            report.notes.append(
                _("%(column)s: Haven does not keep this HTCDS column; it was not read.")
                % {"column": name}
            )


@functools.cache
def _empty(name: str) -> Any:
    return htcds.BY_NAME[name].kind.parse("")


@functools.cache
def _coded(name: str) -> bool:
    """A column whose few values repeat from row to row: codes, countries, dates, ages.
    Free text (names, references) and identity are read anew for each row."""
    column = htcds.BY_NAME[name]
    return not column.identity and column.kind.name != "text"


def _parse(
    number: int,
    cells: dict[str, str],
    report: Report,
    today: dt.date,
    read: dict[tuple[str, str], Any],
) -> dict[str, Any] | None:
    """One row's values; `read` remembers the file's coded cells already parsed."""
    values: dict[str, Any] = {}
    good = True
    for name, cell in cells.items():
        text = cell.strip()
        if not text:  # most cells of most rows: the column's empty value, read once
            empty = _empty(name)
            values[name] = [] if isinstance(empty, list) else empty
            continue
        if (name, text) in read:
            value = read[name, text]
            values[name] = list(value) if isinstance(value, list) else value
            continue
        column = htcds.BY_NAME[name]
        try:
            values[name] = column.kind.parse(htcds.unformula(text))
            if _coded(name):
                read[name, text] = values[name]
        except htcds.Invalid as invalid:
            # An identity value is never repeated back, not even in an error.
            message = _("not a valid value") if column.identity else str(invalid)
            report.problems.append(Problem(number, name, message))
            good = False
    birth = values.get("prs_Birthdate")
    if birth is not None and birth > today:
        report.problems.append(Problem(number, "prs_Birthdate", _("in the future")))
        good = False
    return values if good else None


def _digest(values: Mapping[str, Any], cells: Mapping[str, str], order: list[str]) -> str:
    """The row's source key, keyed so the register holds no value: the file's own case
    reference where it has one, else everything the row says (`order`: its columns,
    sorted)."""
    reference = values.get("hvn_CaseReference")
    key = (
        f"case\x00{reference}"
        if reference
        else "row\x00" + "\x00".join(f"{name}={cells[name].strip()}" for name in order)
    )
    return crypto.blind_index("htcds-import", key)


def _person(values: Mapping[str, Any]) -> dict[str, Any]:
    first, second = values.get("prs_FirstName", ""), values.get("prs_SecondName", "")
    number = values.get("prs_IdentityNumber", "")
    birth = values.get("prs_Birthdate")
    languages = [values.get("prs_PrimaryLanguage"), values.get("prs_SecondaryLanguage")]
    return {
        "full_name": " ".join(part for part in (first, second) if part),
        "given_name": first if second else "",
        "family_name": second,
        "date_of_birth": birth.isoformat() if birth else "",
        "documents": [{"type": "other", "number": number}] if number else [],
        "phone": values.get("prs_MobilePhone", ""),
        "address": values.get("prs_MailingStreet", ""),
        "gender": values.get("prs_Gender") or Gender.UNKNOWN,
        "citizenship": values.get("prs_Citizenship") or [],
        "languages": [code for code in languages if code],
    }


def _case(values: Mapping[str, Any], owners: Mapping[str, User]) -> dict[str, Any]:
    exploitation = values.get("hvn_TypeOfExploitation") or values.get("vic_TypeOfExploitation")
    return {
        "status": values.get("cas_Status") or CaseStatus.ACTIVE,
        "opened_on": values.get("hvn_OpenedOn"),
        "assigned_to": owners.get(values.get("cas_CaseOwner", "")),
        "trafficking_status": values.get("vic_TraffickingStatus", ""),
        "closure_reason": values.get("cas_ReasonForCaseClosure", ""),
        "exploitation_types": exploitation or [],
        "forced_labour_industry": values.get("vic_ForcedLabourIndustry", ""),
        "sex_exploitation_types": values.get("vic_TypeOfSexExploitation") or [],
        "methods_of_control": values.get("vic_MethodsOfControl") or [],
        "recruitment_methods": values.get("vic_MethodOfRecruitment") or [],
        "recruitment_country": values.get("vic_LocationOfRecruitment", ""),
        "relationship_to_trafficker": values.get("vic_RelationshipToTrafficker", ""),
        "age_when_trafficked": values.get("vic_AgeWhenTrafficked"),
        "recruitment_apps": values.get("vic_RecruitmentWebsitesAndApps") or [],
        "exploitation_apps": values.get("vic_ExploitationWebsitesAndApps") or [],
        "exploitation_country": values.get("vic_LocationOfExploitation", ""),
    }


def _owners(actor: User, rows: list[_Row], report: Report) -> dict[str, User]:
    """The case owners named in the file: users of the importer's organisation."""
    names = {row.values.get("cas_CaseOwner") for row in rows} - {"", None}
    found = {
        u.username: u
        for u in User.objects.filter(organisation=actor.organisation, username__in=names)
    }
    for row in rows:
        owner = row.values.get("cas_CaseOwner")
        if owner and owner not in found:
            report.problems.append(
                Problem(row.number, "cas_CaseOwner", _("no such user in your organisation"))
            )
    return found


def _new_rows(actor: User, rows: list[_Row], report: Report) -> list[_Row]:
    """Leave out what Haven holds already; a row twice in the file is a problem."""
    first: dict[str, int] = {}
    for row in rows:
        earlier = first.setdefault(row.digest, row.number)
        if earlier != row.number:
            report.problems.append(
                Problem(row.number, "", _("repeats row %(row)s") % {"row": earlier})
            )
    mine = {"organisation": actor.organisation}
    seen = bulk.existing(ImportedRow.objects.filter(**mine), "digest", [row.digest for row in rows])
    references = [r.values["hvn_CaseReference"] for r in rows if r.values.get("hvn_CaseReference")]
    held = bulk.existing(Case.objects.filter(**mine), "reference", references)
    fresh = [
        row
        for row in rows
        if row.digest not in seen and row.values.get("hvn_CaseReference") not in held
    ]
    report.skipped = len(rows) - len(fresh)
    return fresh


def _read(actor: User, data: bytes, filename: str, report: Report) -> list[_Row]:
    table = reading.read(data, filename)
    names = _header(table, report)
    if report.problems:
        return []
    rows = []
    unfilled = set(range(len(names)))  # columns without a value yet: soon few are left
    read = [(index, name) for index, name in enumerate(names) if name in htcds.BY_NAME]
    # The official template's label row, by position (only if it has those columns).
    labels = [(names.index(k), label) for k, label in TEMPLATE_LABELS.items() if k in names]
    template = labels if len(labels) == len(TEMPLATE_LABELS) else []
    today = timezone.localdate()
    order = sorted(name for _index, name in read)
    parsed: dict[tuple[str, str], Any] = {}  # the file's coded cells, parsed once each
    for number, cells in table.rows:
        if template and all(cells[index] == label for index, label in template):
            continue
        unfilled -= {index for index in unfilled if cells[index].strip()}
        named = {name: cells[index] for index, name in read}
        report.rows += 1
        values = _parse(number, named, report, today, parsed)
        if values is not None:
            rows.append(_Row(number, _digest(values, named, order), values))
    filled = {name for index, name in enumerate(names) if index not in unfilled}
    _unkept(names, filled, report)
    return rows


def import_file(
    actor: User,
    data: bytes,
    filename: str,
    *,
    allow_possible_duplicates: bool = False,
    check_only: bool = False,
) -> Report:
    """Read, check and (unless `check_only`) import an HTCDS file, all or nothing."""
    if not can(actor, Capability.DATA_IMPORT):
        raise PermissionDenied
    report = Report()
    rows = _read(actor, data, filename, report)
    if any(problem.row == 1 for problem in report.problems):
        return report  # the header is wrong: the cells cannot be read
    owners = _owners(actor, rows, report)
    rows = _new_rows(actor, rows, report)
    people = [_person(row.values) for row in rows]
    cases = [_case(row.values, owners) for row in rows]
    for index, found in duplicates_among(actor.organisation_id, people).items():
        if allow_possible_duplicates:
            continue
        who = ", ".join(
            _("row %(row)s") % {"row": rows[int(f[1:])].number} if f.startswith("#") else f
            for f in found
        )
        report.problems.append(
            Problem(
                rows[index].number,
                "prs_FirstName",
                _("may be the same person as %(who)s") % {"who": who},
            )
        )
    if report.problems or check_only or not rows:
        report.problems.sort(key=lambda p: (p.row, p.column))
        return report
    try:
        with transaction.atomic():
            made = import_people(
                actor,
                people,
                references=[row.values.get("hvn_PersonReference", "") for row in rows],
                confirmed_not_duplicate=allow_possible_duplicates,
            )
            opened = import_cases(
                actor,
                [person.pk for person in made],
                cases,
                references=[row.values.get("hvn_CaseReference", "") for row in rows],
            )
            bulk.insert_values(
                ImportedRow,
                ["organisation_id", "digest", "case_id", "imported_by_id"],
                [
                    (actor.organisation_id, row.digest, case.pk, actor.pk)
                    for row, case in zip(rows, opened, strict=True)
                ],
            )
            record(
                actor=actor,
                action=Action.HTCDS_IMPORT,
                object_type="file",
                object_ref=hashlib.sha256(data).hexdigest()[:32],
                changed_fields=sorted({name for row in rows for name in row.values}),
            )
    except RowsRefusedError as refused:
        for index, name, message in refused.problems:
            column = COLUMN_OF.get(name, name)
            report.problems.append(Problem(rows[index].number, column, message))
        report.problems.sort(key=lambda p: (p.row, p.column))
        return report
    report.created = len(opened)
    report.imported = True
    return report
