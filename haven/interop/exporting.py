"""Cases out as HTCDS rows (CSV or Excel): only the cases the user may see, identity only
when asked for, with a reason, by someone who may see every exported person's identity.
Every export is registered and audited: the columns, never the values."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from haven.accounts.models import User
from haven.accounts.roles import Capability, can
from haven.audit.chain import record
from haven.audit.models import Action
from haven.cases.access import cases_for
from haven.cases.choices import JourneyStage
from haven.cases.models import Case, JourneyEvent
from haven.core.errors import RefusedError
from haven.core.training import refuse_leaving
from haven.interop import htcds
from haven.interop.models import Export
from haven.people.access import people_for
from haven.people.actions import record_identity_views
from haven.people.models import Person

FORMATS = ("csv", "xlsx")
ATTRIBUTION = "Human Trafficking Case Data Standard (HTCDS) by IOM, CC BY 4.0"
# What a row reads without identity: the person's pseudonymous fields only.
PSEUDONYMOUS_PERSON = (
    "person__reference",
    "person__gender",
    "person__citizenship",
    "person__languages",
)
IDENTITY_PERSON = (
    "person__given_name",
    "person__family_name",
    "person__full_name",
    "person__date_of_birth",
    "person__documents",
    "person__phone",
    "person__address",
)


@dataclass(frozen=True)
class Exported:
    content: bytes
    record: Export
    columns: list[str]


def _cases(actor: User, case_reference: str) -> Any:
    if not can(actor, Capability.DATA_EXPORT):
        raise PermissionDenied
    cases = cases_for(actor, Capability.CASE_VIEW).order_by("opened_on", "pk")
    if case_reference:
        cases = cases.filter(reference=case_reference)
        if not cases.exists():
            raise RefusedError(_("No case with that reference that you may see."))
    return cases


def _check_identity(actor: User, cases: Any, reason: str) -> None:
    if not reason.strip():
        raise RefusedError(_("Say why identity has to leave Haven."))
    visible = people_for(actor, Capability.PERSON_VIEW)
    hidden = cases.exclude(person__in=visible)
    if not can(actor, Capability.PERSON_VIEW) or hidden.exists():
        raise RefusedError(_("Your role may not see the identity of every person in this export."))


def _first_name(person: Any) -> str:
    """HTCDS has a first and a second name; a name recorded whole goes in the first."""
    if person.given_name or person.family_name:
        return str(person.given_name)
    return str(person.full_name)


def _row(case: Case, where: dict[int, str], identity: bool) -> dict[str, Any]:
    person = case.person
    languages = list(person.languages or [])
    exploitation = list(case.exploitation_types or [])
    values: dict[str, Any] = {
        "hvn_PersonReference": person.reference,
        "hvn_CaseReference": case.reference,
        "hvn_OpenedOn": case.opened_on,
        "cas_CaseOwner": case.assigned_to.username if case.assigned_to else "",
        "cas_Status": case.status,
        "cas_ReasonForCaseClosure": case.closure_reason,
        "prs_Gender": person.gender,
        "prs_Citizenship": list(person.citizenship or []),
        "prs_PrimaryLanguage": languages[0] if languages else "",
        "prs_SecondaryLanguage": languages[1] if len(languages) > 1 else "",
        "vic_TraffickingStatus": case.trafficking_status,
        "vic_RelationshipToTrafficker": case.relationship_to_trafficker,
        "vic_AgeWhenTrafficked": case.age_when_trafficked,
        "vic_MethodOfRecruitment": case.recruitment_methods,
        "vic_RecruitmentWebsitesAndApps": case.recruitment_apps,
        "vic_LocationOfRecruitment": case.recruitment_country,
        "vic_MethodsOfControl": case.methods_of_control,
        "vic_TypeOfExploitation": htcds.htcds_exploitation(exploitation),
        "hvn_TypeOfExploitation": exploitation if set(exploitation) & htcds.OUTSIDE_HTCDS else [],
        "vic_ForcedLabourIndustry": case.forced_labour_industry,
        "vic_TypeOfSexExploitation": case.sex_exploitation_types,
        "vic_ExploitationWebsitesAndApps": case.exploitation_apps,
        "vic_LocationOfExploitation": where.get(case.pk, ""),
    }
    if identity:
        documents = list(person.documents or [])
        values |= {
            "prs_FirstName": _first_name(person),
            "prs_SecondName": str(person.family_name),
            "prs_Birthdate": dt.date.fromisoformat(person.date_of_birth)
            if person.date_of_birth
            else None,
            "prs_IdentityNumber": str(documents[0].get("number", "")) if documents else "",
            "prs_MobilePhone": str(person.phone),
            "prs_MailingStreet": str(person.address),
        }
    return values


def rows(cases: Any, *, identity: bool) -> Iterator[dict[str, str]]:
    """Each case as an HTCDS row of written cells, in the columns' order."""
    columns = htcds.columns(identity=identity)
    where: dict[int, str] = {}
    journeys = (
        JourneyEvent.objects.filter(case__in=cases.values("pk"), stage=JourneyStage.EXPLOITATION)
        .exclude(country="")
        .order_by("-happened_on", "-pk")
        .values_list("case_id", "country")
    )
    for case_id, country in journeys:
        where[case_id] = country  # the earliest wins: read last
    person_fields = PSEUDONYMOUS_PERSON + (IDENTITY_PERSON if identity else ())
    loaded = cases.select_related("person", "assigned_to").only(
        *(f.name for f in Case._meta.concrete_fields if f.name not in ("summary",)),
        "person__id",
        *person_fields,
        "assigned_to__username",
    )
    for case in loaded.iterator(chunk_size=2000):
        values = _row(case, where, identity)
        yield {c.name: htcds.formula_safe(c.kind.write(values.get(c.name))) for c in columns}


def _csv(names: list[str], found: Iterable[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(found)
    return out.getvalue().encode("utf-8-sig")  # Excel reads the BOM as UTF-8


def _xlsx(names: list[str], found: Iterable[dict[str, str]], identity: bool) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("HTCDS")
    sheet.append(names)
    for row in found:
        sheet.append([row[name] for name in names])
    notes = book.create_sheet("Notes")
    notes.append([ATTRIBUTION])
    notes.append(["Haven's own columns (not in HTCDS v2): " + ", ".join(htcds.EXTENSIONS)])
    notes.append(["Identity columns: " + ("included" if identity else "not included")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(
    actor: User,
    *,
    fmt: str,
    case_reference: str = "",
    identity: bool = False,
    reason: str = "",
) -> Exported:
    """The actor's visible cases (or one of them) as an HTCDS file, registered and audited."""
    refuse_leaving(actor.organisation)
    if fmt not in FORMATS:
        raise RefusedError(_("Choose CSV or Excel (xlsx)."))
    cases = _cases(actor, case_reference)
    if identity:
        _check_identity(actor, cases, reason)
    names = [c.name for c in htcds.columns(identity=identity)]
    found = list(rows(cases, identity=identity))
    content = _csv(names, found) if fmt == "csv" else _xlsx(names, found, identity)
    with transaction.atomic():
        registered = Export.objects.create(
            organisation=actor.organisation,
            exported_by=actor,
            cases=len(found),
            identity=identity,
            reason=reason.strip() if identity else "",
            sha256=hashlib.sha256(content).hexdigest(),
        )
        record(
            actor=actor,
            action=Action.HTCDS_EXPORT,
            object_type="export",
            object_ref=str(registered.pk),
            changed_fields=names,
        )
        if identity:
            people = Person.objects.filter(pk__in=cases.values("person_id")).only("reference")
            record_identity_views(actor, people.order_by("pk"))
    return Exported(content, registered, names)
