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
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import Organisation, User
from haven.cases.choices import (
    App,
    ExploitationType,
    MethodOfControl,
    RecruitmentMethod,
    SexExploitationType,
)
from haven.cases.models import Case
from haven.people.models import Person
from haven.referrals.models import DataCategory


@dataclass(frozen=True)
class Link:
    model: str  # app label and model name, e.g. "cases.JourneyEvent"
    field: str  # its foreign key to a person or a case
    title: Promise  # the section of the export


LINKS: tuple[Link, ...] = (
    Link("cases.Case", "person", _("Cases")),
    Link("cases.JourneyEvent", "case", _("Journey")),
    Link("cases.AgeAssessment", "case", _("Age assessments")),
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
    Link("justice.Penalisation", "case", _("Justice")),
    Link("justice.Proceeding", "case", _("Justice")),
    Link("justice.Hearing", "case", _("Justice")),
    Link("justice.ProtectionMeasure", "case", _("Justice")),
    Link("justice.SafetyReview", "case", _("Justice")),
    Link("justice.CompensationClaim", "case", _("Justice")),
    Link("care.Stay", "case", _("Shelter stays")),
    Link("care.Feedback", "case", _("Survivors' feedback")),
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
    ("screening.Screening", "guardian"): "another person's identity",
    ("referrals.Consent", "guardian_name"): "another person's identity",
    ("referrals.Referral", "file_password"): "the one-time password of a file channel",
    ("referrals.Referral", "packet"): "another deployment's copy, which may name its staff",
    ("referrals.Referral", "message_id"): "a technical identifier of an exchange file",
    ("referrals.Referral", "file_digest"): "a technical digest of an exchange file",
}
# Internal bookkeeping: not about the person (where a screening paused, the language
# the notes were typed in, the number of an exchange file's version).
_INTERNAL = frozenset({"id", "version", "topic_index", "summary_language", "file_version"})

# Labels for the PDF, in the person's language, where a model field has no translated
# one: by field name, or by model and field where one name means two things.
LABELS: dict[str, Promise] = {
    "organisation": _("Organisation"),
    "person": _("Person"),
    "case": _("Case"),
    "receiver_case": _("Case"),
    "screening": _("Screening"),
    "screenings": _("Screenings it relied on"),
    "reference": _("Reference"),
    "status": _("Status"),
    "purpose": _("Purpose"),
    "reason": _("Reason"),
    "kind": _("Kind"),
    "code": _("Detail"),
    "service": _("Service"),
    "service_kind": _("Service"),
    "priority": _("Priority"),
    "created_by": _("Recorded by"),
    "created_at": _("Recorded"),
    "recorded_by": _("Recorded by"),
    "recorded_at": _("Recorded"),
    "updated_at": _("Last changed"),
    "completed_at": _("Completed"),
    "anonymised_at": _("Anonymised"),
    "actor": _("Actor"),
    "assigned_to": _("Case worker"),
    "assigned_by": _("Assigned by"),
    "assigned_at": _("Assigned"),
    "handed_over_by": _("Handed over by"),
    "handed_over_at": _("Handed over"),
    "handled_by": _("Handled by"),
    "done_by": _("Done by"),
    "contact": _("Contact person"),
    "decided_by": _("Decided by"),
    "decided_by_organisation": _("Deciding organisation"),
    "decision_organisation_type": _("Kind of deciding body"),
    "decision_name": _("Decision"),
    "move": _("Step"),
    "from_status": _("From"),
    "to_status": _("To"),
    "presumed_on": _("Presumed on"),
    "first_decision_on": _("First decision on"),
    "first_decision_due": _("First decision due"),
    "final_decision_earliest": _("Final decision not before"),
    "final_decision_due": _("Final decision due"),
    "reflection_starts": _("Reflection period starts"),
    "reflection_ends": _("Reflection period ends"),
    "exploitation_types": _("Types of exploitation"),
    "forced_labour_industry": _("Forced-labour industry (ISIC)"),
    "sex_exploitation_types": _("Types of sexual exploitation"),
    "methods_of_control": _("Methods of control"),
    "recruitment_methods": _("How the person was recruited"),
    "recruitment_country": _("Country of recruitment"),
    "relationship_to_trafficker": _("Relationship to the trafficker"),
    "age_when_trafficked": _("Age when trafficked"),
    "recruitment_apps": _("Websites and apps used in recruitment"),
    "exploitation_apps": _("Websites and apps used in exploitation"),
    "cooperation": _("Cooperation with the authorities"),
    "cooperation_since": _("Since"),
    "guardian_appointed_on": _("Guardian appointed on"),
    "best_interests_assessed_on": _("Best-interests assessment done on"),
    "child_protection_notified_on": _("Child protection notified on"),
    "child_assent_on": _("The child assented on"),
    "assessed_on": _("Assessed on"),
    "benefit_of_doubt_applied": _("Benefit of the doubt applied"),
    "guardian_consented": _("The guardian consents"),
    "child_assented": _("The child assents"),
    "fear_of_return": _("Fear of harm or persecution on return"),
    "asylum_referral": _("Asylum or international protection"),
    "asylum_referral_on": _("Referred or informed on"),
    "closure_requested_status": _("Closing requested as"),
    "closure_requested_by": _("Closing requested by"),
    "closure_requested_at": _("Closing requested"),
    "closure_reason": _("Why the case was closed"),
    "closed_on": _("Closed on"),
    "date_is_approximate": _("The date is approximate"),
    "previous_completed_at": _("Previous screening"),
    "informed_consent": _(
        "The person asked to return, was told the risks and alternatives (including "
        "staying and seeking asylum) and consents"
    ),
    "recipient_provider": _("To this provider"),
    "recipient_org_type": _("Or to every organisation of this type"),
    "method": _("How consent was given"),
    "interpreter_used": _("An interpreter was used"),
    "purpose_explained": _("I explained why the information is shared"),
    "uses_explained": _("I explained how the recipient will use it"),
    "anonymous_research": _("The person also agrees to anonymous use for research and statistics"),
    "right_to_see_explained": _("I explained that the person may see their data"),
    "storage_explained": _("I explained how long it is kept"),
    "withdrawal_explained": _("I explained how to withdraw consent, at any time"),
    "withdrawn_by": _("Withdrawn by"),
    "withdrawn_at": _("Withdrawn"),
    "withdrawal_noticed_at": _("Withdrawal noticed"),
    "withdrawal_why": _("Why withdrawn"),
    "direction": _("Direction"),
    "sender_organisation": _("From"),
    "sender_name": _("From"),
    "recipient_organisation": _("To"),
    "recipient_name": _("To"),
    "other_deployment": _("Other Haven deployment"),
    "channel": _("How"),
    "sent_at": _("Sent"),
    "responded_by": _("Answered by"),
    "responded_at": _("Answered"),
    "revoked_at": _("Revoked"),
    "left_at": _("Left Haven"),
    "left_categories": _("What left Haven"),
    "override_until": _("Emergency sharing until"),
    "override_categories": _("Shared in the emergency"),
    "placed_by": _("Placed by"),
    "placed_at": _("Placed"),
    "lifted_by": _("Lifted by"),
    "lifted_at": _("Lifted"),
}
LABELS_BY_MODEL: dict[tuple[str, str], Promise] = {
    ("referrals.Consent", "categories"): _("What may be shared"),
    ("referrals.Referral", "categories"): _("What was shared"),
}
# Lists of codes stored in JSON: shown by their translated labels.
CODE_LISTS: dict[str, type[models.TextChoices]] = {
    "exploitation_types": ExploitationType,
    "sex_exploitation_types": SexExploitationType,
    "methods_of_control": MethodOfControl,
    "recruitment_methods": RecruitmentMethod,
    "recruitment_apps": App,
    "exploitation_apps": App,
    "categories": DataCategory,
    "left_categories": DataCategory,
    "override_categories": DataCategory,
}


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


def _label(model: str, field: models.Field) -> str:  # type: ignore[type-arg]
    label = LABELS_BY_MODEL.get((model, field.name)) or LABELS.get(field.name)
    return str(label if label is not None else field.verbose_name)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _shown(value: Any, field: models.Field) -> str:  # type: ignore[type-arg]
    """A value as the PDF shows it: labels for codes, dates in the reader's format."""
    if value in (None, "", [], {}):
        return ""
    codes = CODE_LISTS.get(field.name)
    if codes is not None and isinstance(value, list):
        names = dict(codes.choices)
        value = [str(names.get(code, code)) for code in value]
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(v, field)}" for k, v in sorted(value.items()))
    if isinstance(value, list):
        return "; ".join(_shown(v, field) for v in value)
    return _scalar(value, field)


def _scalar(value: Any, field: models.Field) -> str:  # type: ignore[type-arg]
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
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
                items.append(Item(field.name, _label(label, field), staff, shown))
                continue
            if related is None:
                value: Any = None
            elif isinstance(related, Person | Case) or hasattr(related, "reference"):
                value = related.reference
            else:
                value = str(related)
            items.append(Item(field.name, _label(label, field), value, value or ""))
            continue
        raw = getattr(row, field.name)
        items.append(Item(field.name, _label(label, field), _plain(raw), _shown(raw, field)))
    for m2m in row._meta.many_to_many:
        references = [str(getattr(o, "reference", o)) for o in getattr(row, m2m.name).all()]
        items.append(Item(m2m.name, _label(label, m2m), references, "; ".join(references)))
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
