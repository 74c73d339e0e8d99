"""Everything Haven holds about one person: every model tied to a person or a case, listed
once here, so that the subject export and retention reach the same rows.

`LINKS` names each foreign key to a person or a case that carries data about the person;
`NOT_HELD` names those that do not, and why. tests/test_rights.py introspects the app
registry and fails when a foreign key to Person or Case is in neither: a new model cannot
be left out of the export (or out of retention) by forgetting it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Model, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import Organisation, User
from haven.cases.models import Case
from haven.people.models import Person


@dataclass(frozen=True)
class Link:
    model: str  # app label and model name, e.g. "cases.JourneyEvent"
    field: str  # its foreign key to a person or a case
    title: Promise  # the section of the export


LINKS: tuple[Link, ...] = (
    Link("cases.Case", "person", _("Cases")),
    Link("cases.JourneyEvent", "case", _("Journey")),
    Link("cases.CaseEvent", "case", _("History")),
    Link("cases.Intake", "person", _("Intake")),
    Link("cases.Intake", "case", _("Intake")),
    Link("screening.Screening", "person", _("Screenings")),
    Link("screening.Screening", "case", _("Screenings")),
    Link("identification.IdentificationChange", "case", _("Identification")),
    Link("assistance.NeedsAssessment", "case", _("Needs and risk assessment")),
    Link("assistance.SupportObjective", "case", _("Support plan")),
    Link("assistance.Service", "case", _("Services")),
    Link("assistance.ReturnPlan", "case", _("Voluntary return")),
    Link("assistance.FollowUp", "case", _("Follow-up")),
    Link("referrals.Consent", "person", _("Consent")),
    Link("referrals.Consent", "case", _("Consent")),
    Link("referrals.Referral", "case", _("Referrals")),
    Link("referrals.Referral", "receiver_case", _("Referrals")),
    Link("rights.LegalHold", "case", _("Legal holds")),
    Link("rights.AnonymisedCase", "case", _("Anonymised")),
    Link("rights.AnonymisedPerson", "person", _("Anonymised")),
)

# Foreign keys to a person or a case whose rows hold nothing about the person that the
# export does not already give, and why. Retention still removes them with the person
# or case (they cascade), or rebuilds them (statistics).
NOT_HELD: dict[tuple[str, str], str] = {
    ("people.PersonIndex", "person"): "keyed digests of the identity exported, not data",
    ("statistics.PersonFact", "person"): "coded facts derived from the records exported",
    ("interop.ImportedRow", "case"): "a keyed digest saying the case came from a file",
}

# Fields left out of the export, and why: another person's identity, or a secret of a
# channel that is not about the person. Staff are never named (see `_staff`).
WITHHELD: dict[tuple[str, str], str] = {
    ("cases.Case", "guardian"): "another person's identity",
    ("referrals.Referral", "file_password"): "the one-time password of a file channel",
    ("referrals.Referral", "packet"): "another deployment's copy, which may name its staff",
    ("referrals.Referral", "message_id"): "a technical identifier of an exchange file",
    ("referrals.Referral", "file_digest"): "a technical digest of an exchange file",
}
# Internal bookkeeping on every model: meaningless to the person.
_INTERNAL = frozenset({"id", "version"})


def model_of(link: Link) -> type[Model]:
    return apps.get_model(link.model)


def person_and_case_keys() -> Iterator[tuple[str, str]]:
    """Every foreign key (or one-to-one) to Person or Case in the installed apps."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in (Person, Case):
                yield model._meta.label, field.name


def _filter(link: Link, person: Person | None, cases: QuerySet[Case]) -> Q | None:
    target = model_of(link)._meta.get_field(link.field).related_model
    if target is Person:
        return None if person is None else Q(**{link.field: person})
    return Q(**{f"{link.field}__in": cases})


def rows_of(person: Person | None, cases: QuerySet[Case]) -> dict[str, list[Model]]:
    """Every row tied to `person` (unless None) or to one of `cases`, by model label, each
    row once, oldest first. The person's own row is not among them."""
    conditions: dict[str, Q] = {}
    for link in LINKS:
        condition = _filter(link, person, cases)
        if condition is None:
            continue
        before = conditions.get(link.model)
        conditions[link.model] = condition if before is None else before | condition
    found: dict[str, list[Model]] = {link.model: [] for link in LINKS}
    for label, condition in conditions.items():
        model = apps.get_model(label)
        found[label] = list(model._default_manager.filter(condition).distinct().order_by("pk"))
    return found


def cases_of(person: Person) -> QuerySet[Case]:
    """The person's cases in the organisation that holds the person."""
    return Case.objects.filter(person=person, organisation_id=person.organisation_id)


@dataclass(frozen=True)
class Item:
    name: str
    label: str
    value: Any  # JSON-ready
    shown: str  # as the PDF shows it

    @property
    def is_empty(self) -> bool:
        return self.value in ("", None, [], {})


@dataclass(frozen=True)
class Section:
    model: str
    title: str
    rows: list[list[Item]]


def _staff(user: User | None) -> dict[str, str] | None:
    """Staff appear by role and organisation, never by name."""
    if user is None:
        return None
    organisation: Organisation = user.organisation
    return {"role": ", ".join(user.role_labels()), "organisation": organisation.name}


def _label(field: models.Field) -> str:  # type: ignore[type-arg]
    return str(field.verbose_name)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _shown(value: Any, field: models.Field) -> str:  # type: ignore[type-arg]
    if value in (None, "", [], {}):
        return ""
    if field.choices and not isinstance(value, list):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(v, field)}" for k, v in sorted(value.items()))
    if isinstance(value, list):
        return "; ".join(_shown(v, field) for v in value)
    return str(_plain(value))


def describe(row: Model) -> list[Item]:
    """A row's fields as the export gives them: staff by role, records by reference."""
    label = row._meta.label
    items: list[Item] = []
    for field in row._meta.concrete_fields:
        if field.name in _INTERNAL or (label, field.name) in WITHHELD:
            continue
        if field.is_relation:
            related = getattr(row, field.name)
            if isinstance(related, User):
                staff = _staff(related)
                shown = f"{staff['role']} ({staff['organisation']})" if staff else ""
                items.append(Item(field.name, _label(field), staff, shown))
                continue
            if related is None:
                value: Any = None
            elif isinstance(related, Person | Case) or hasattr(related, "reference"):
                value = related.reference
            else:
                value = str(related)
            items.append(Item(field.name, _label(field), value, value or ""))
            continue
        raw = getattr(row, field.name)
        items.append(Item(field.name, _label(field), _plain(raw), _shown(raw, field)))
    for m2m in row._meta.many_to_many:
        references = [str(getattr(o, "reference", o)) for o in getattr(row, m2m.name).all()]
        items.append(Item(m2m.name, _label(m2m), references, "; ".join(references)))
    return items


def sections_of(person: Person) -> list[Section]:
    """The person's records, one section per kind, in the order of `LINKS`."""
    rows = rows_of(person, cases_of(person))
    sections: list[Section] = []
    for link in LINKS:
        if any(s.model == link.model for s in sections):
            continue
        described = [describe(row) for row in rows[link.model]]
        sections.append(Section(link.model, str(link.title), described))
    return sections


def as_json(person: Person, sections: list[Section], meta: dict[str, Any]) -> bytes:
    document = {
        **meta,
        "person": {i.name: i.value for i in describe(person)},
        "records": {s.model: [{i.name: i.value for i in row} for row in s.rows] for s in sections},
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
