"""The referral packet: exactly the consented categories of one person's data, nothing else.

A packet is a plain structure (so the same one feeds the recipient's page, the letter, the
encrypted file and the cross-border export): header facts that carry no personal data of
the person referred (the sender's contact person is a staff member's work contact), then
one section per shared category, each a list of (field key, parts) rows. A part is text as
someone wrote it, or a code from a shared vocabulary ({"set": ..., "code": ...}) that the
reader's page words in the reader's language: codes travel as codes, across borders too.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from haven.assistance.models import NeedsAssessment, Service, ServiceKind
from haven.cases.choices import (
    AsylumReferral,
    Cooperation,
    ExploitationType,
    FearOfReturn,
    JourneyStage,
    MethodOfControl,
)
from haven.core.reference import Gender, country_name, language_name
from haven.identification.status import IdentificationStatus
from haven.referrals.consent import CATEGORY_ORDER, in_order
from haven.referrals.models import DataCategory, Purpose, ReferralReason
from haven.screening.engine import worded
from haven.screening.labels import FLAG_LABELS
from haven.screening.models import Outcome, Screening, ScreeningStatus
from haven.screening_engine import default_catalogue

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.cases.models import Case
    from haven.referrals.models import Referral

Packet = dict[str, Any]
Part = str | dict[str, str]
Row = tuple[str, list[Part]]

FIELD_LABELS = {
    "full_name": _("Full name"),
    "other_names": _("Other names"),
    "date_of_birth": _("Date of birth"),
    "estimated_age": _("Estimated age"),
    "gender": _("Gender"),
    "citizenship": _("Citizenship"),
    "languages": _("Languages"),
    "document": _("Identity document"),
    "phone": _("Phone"),
    "address": _("Address"),
    "screening": _("Screening"),
    "screening_route": _("How the result was reached"),
    "screening_reason": _("Key reason"),
    "screening_flags": _("Flags"),
    "judgement": _("Screener's judgement"),
    "summary": _("Summary notes"),
    "exploitation": _("Types of exploitation"),
    "control": _("Methods of control"),
    "journey": _("Journey"),
    "needs": _("Needs"),
    "health_service": _("Health care given"),
    "identification": _("Identification status"),
    "cooperation": _("Cooperation with the authorities"),
    "international_protection": _("International protection"),
}

HEALTH_SERVICES = (ServiceKind.MEDICAL, ServiceKind.PSYCHOSOCIAL)


def coded(vocabulary: str, code: str) -> dict[str, str]:
    return {"set": vocabulary, "code": code}


def _identity(case: Case) -> list[Row]:
    person = case.person
    rows: list[Row] = [("full_name", [person.full_name])]
    if person.aliases:
        rows.append(("other_names", [", ".join(person.aliases)]))
    if person.date_of_birth:
        rows.append(("date_of_birth", [person.date_of_birth]))
    elif person.estimated_age:
        rows.append(("estimated_age", [person.estimated_age, person.age_basis]))
    rows.append(("gender", [coded("gender", person.gender)]))
    if person.citizenship:
        rows.append(("citizenship", [coded("country", c) for c in person.citizenship]))
    if person.languages:
        rows.append(("languages", [coded("language", c) for c in person.languages]))
    for document in person.documents:
        text = " ".join(str(document.get(k, "")) for k in ("type", "number", "country")).strip()
        rows.append(("document", [text]))
    return rows


def _contact(case: Case) -> list[Row]:
    person = case.person
    return [
        (key, [value])
        for key, value in (("phone", person.phone), ("address", person.address))
        if value
    ]


def _screening(case: Case) -> list[Row]:
    """Every completed screening of the case, or of its person before the case existed:
    verdict, route, key reasons, flags, judgement and date. Never answers or notes."""
    screenings = (
        Screening.objects.filter(
            organisation_id=case.organisation_id, status=ScreeningStatus.COMPLETED
        )
        .filter(Q(case=case) | Q(case__isnull=True, person_id=case.person_id))
        .order_by("-completed_at")
    )
    language = get_language() or "en"
    rows: list[Row] = []
    for screening in screenings:
        result = worded(screening.result, language)
        when = screening.completed_at.date().isoformat() if screening.completed_at else ""
        outcome = coded("outcome", screening.outcome)
        rows.append(("screening", [outcome, when, screening.ruleset_version]))
        route = result.get("route", {}).get("text", "")
        if route:
            # The engine's sentence, in the sender's language: the codes are in the rows.
            rows.append(("screening_route", [route]))
        rows += [
            ("screening_reason", [coded("indicator", i)]) for i in result.get("key_reasons", [])
        ]
        flags: list[Part] = [coded("flag", f) for f in result.get("flags", [])]
        if flags:
            rows.append(("screening_flags", flags))
        rows.append(("judgement", [coded("outcome", screening.judgement)]))
    return rows


def _narrative(case: Case) -> list[Row]:
    rows: list[Row] = []
    if case.summary:
        rows.append(("summary", [case.summary]))
    if case.exploitation_types:
        rows.append(("exploitation", [coded("exploitation", c) for c in case.exploitation_types]))
    if case.methods_of_control:
        rows.append(("control", [coded("control", c) for c in case.methods_of_control]))
    for step in case.journey.all():
        when = step.happened_on.isoformat() if step.happened_on else "?"
        parts: list[Part] = [coded("journey_stage", step.stage), when]
        parts += [x for x in (step.place,) if x]
        parts += [coded("country", step.country)] if step.country else []
        parts += [step.description] if step.description else []
        rows.append(("journey", parts))
    return rows


def _health(case: Case) -> list[Row]:
    rows: list[Row] = []
    latest = NeedsAssessment.objects.filter(case=case).first()
    if latest and latest.individual_needs:
        rows.append(("needs", [latest.individual_needs]))
    for service in Service.objects.filter(case=case, kind__in=HEALTH_SERVICES, status="delivered"):
        rows.append(
            ("health_service", [coded("service_kind", service.kind), service.on.isoformat()])
        )
    return rows


def _legal(case: Case) -> list[Row]:
    return [
        ("identification", [coded("identification", case.identification_status)]),
        ("cooperation", [coded("cooperation", case.cooperation)]),
        (
            "international_protection",
            [
                coded("fear_of_return", case.fear_of_return),
                coded("asylum_referral", case.asylum_referral),
            ],
        ),
    ]


def _choices(choices: Any) -> Any:
    names = dict(choices.choices)
    return lambda code: str(names.get(code, code))


def vocabularies() -> dict[str, Any]:
    """How each shared vocabulary's codes are worded, in the active language."""
    catalogue = default_catalogue()
    language = get_language() or "en"

    def indicator(code: str) -> str:
        found = catalogue.by_id.get(code)
        return found.statement_in(language) if found else code

    return {
        "gender": _choices(Gender),
        "country": country_name,
        "language": language_name,
        "outcome": _choices(Outcome),
        "indicator": indicator,
        "flag": lambda code: str(FLAG_LABELS.get(code, code)),
        "exploitation": _choices(ExploitationType),
        "control": _choices(MethodOfControl),
        "journey_stage": _choices(JourneyStage),
        "service_kind": _choices(ServiceKind),
        "identification": _choices(IdentificationStatus),
        "cooperation": _choices(Cooperation),
        "fear_of_return": _choices(FearOfReturn),
        "asylum_referral": _choices(AsylumReferral),
    }


def worded_parts(value: Any, words: dict[str, Any]) -> str:
    """A row's parts as one line in the active language. Text stays as written; a code
    from an unknown vocabulary shows as the code. A row stored as plain text (packets
    imported before codes travelled) shows as it is."""
    if isinstance(value, str):
        return value
    shown = []
    for part in value if isinstance(value, list) else []:
        if isinstance(part, dict):
            code = str(part.get("code", ""))
            word = words.get(str(part.get("set", "")))
            text = word(code) if word and code else code
        else:
            text = str(part)
        if text:
            shown.append(str(text))
    return " · ".join(shown)


SECTIONS = {
    DataCategory.IDENTITY: _identity,
    DataCategory.CONTACT: _contact,
    DataCategory.SCREENING: _screening,
    DataCategory.NARRATIVE: _narrative,
    DataCategory.HEALTH: _health,
    DataCategory.LEGAL: _legal,
}


def contact_of(user: User) -> dict[str, str]:
    """The work contact of the sender's contact person: display name and work e-mail."""
    return {"name": user.get_full_name() or user.get_username(), "email": user.email}


def build(
    *,
    reference: str,
    sender: str,
    service: str,
    purpose: str,
    reason: str,
    details: str,
    case: Case | None,
    categories: list[str],
    on: dt.date,
    contact: dict[str, str] | None = None,
) -> Packet:
    """Everything the recipient may see: `categories` must already be the live ones."""
    sections = []
    for category in CATEGORY_ORDER:
        if category in categories and case is not None:
            sections.append({"category": category, "rows": SECTIONS[DataCategory(category)](case)})
    return {
        "reference": reference,
        "sender": sender,
        "contact": contact or {},
        "service": service,
        "purpose": purpose,
        "reason": reason,
        "details": details,
        "date": on.isoformat(),
        "consented": in_order(categories),
        "sections": sections,
    }


def for_referral(referral: Referral, categories: list[str], on: dt.date) -> Packet:
    return build(
        reference=referral.reference,
        sender=referral.sender_organisation.name
        if referral.sender_organisation
        else referral.sender_name,
        service=referral.service_kind,
        purpose=referral.purpose,
        reason=referral.reason,
        details=referral.details,
        case=referral.case,
        categories=categories,
        on=on,
        contact=contact_of(referral.contact) if referral.contact else None,
    )


def _contact_shown(packet: Packet) -> dict[str, str]:
    """The contact person as a page may show it. A packet imported from another deployment
    may have none (sent before contacts existed) or a malformed one: then nothing."""
    contact = packet.get("contact")
    if not isinstance(contact, dict):
        return {}
    shown = {key: contact.get(key) for key in ("name", "email")}
    return {key: value for key, value in shown.items() if isinstance(value, str) and value}


def display(packet: Packet) -> dict[str, Any]:
    """The packet with words for its codes, in the active language, for pages and letters."""
    kinds = dict(ServiceKind.choices)
    words = vocabularies()
    return {
        **packet,
        "service_label": kinds.get(packet["service"], packet["service"]),
        "purpose_label": dict(Purpose.choices).get(packet["purpose"], packet["purpose"]),
        "reason_label": dict(ReferralReason.choices).get(packet["reason"], packet["reason"]),
        "contact": _contact_shown(packet),
        "sections": [
            {
                "label": dict(DataCategory.choices).get(s["category"], s["category"]),
                "rows": [(FIELD_LABELS.get(k, k), worded_parts(v, words)) for k, v in s["rows"]],
            }
            for s in packet["sections"]
        ],
    }


def category_labels(categories: list[str]) -> list[str]:
    names = dict(DataCategory.choices)
    return [str(names[c]) for c in in_order(categories)]
