"""The non-punishment request letter: a PDF for a prosecutor, a court, the police or an
immigration authority, in any interface language, carrying only recorded facts the person
consented to share. The rules and the audit are in `actions.letter_facts`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from haven.cases.choices import ExploitationType
from haven.core.pdf import render_pdf
from haven.core.reference import country_name
from haven.identification.models import IdentificationChange
from haven.referrals.models import Consent, DataCategory, Purpose

if TYPE_CHECKING:
    from haven.cases.models import Case
    from haven.justice.models import Penalisation


class Addressee(models.TextChoices):
    PROSECUTOR = "prosecutor", _("The public prosecutor")
    COURT = "court", _("The court")
    POLICE = "police", _("The police")
    IMMIGRATION = "immigration", _("The immigration authority")


@dataclass(frozen=True)
class LetterFacts:
    """What the letter says, already in its language."""

    language: str
    addressee: str
    reference: str
    organisation: str
    today: dt.date
    name: str
    status: str
    decided_on: dt.date | None
    decided_by: str
    exploitation: list[str]
    event: str
    event_on: dt.date
    authority: str
    place: str
    offence: str
    outcome: str
    carries: list[str] = field(default_factory=list)


def letter_consent(case: Case) -> Consent | None:
    """The person's live consent, given to this organisation, to share legal and
    criminal-justice information for legal assistance; None when there is none."""
    today = timezone.localdate()
    consents = Consent.objects.filter(
        person_id=case.person_id, organisation_id=case.organisation_id, purpose=Purpose.LEGAL
    )
    for consent in consents:
        if consent.is_live(today) and DataCategory.LEGAL in consent.categories:
            return consent
    return None


def build_letter(
    case: Case, penalisation: Penalisation, consent: Consent, *, addressee: str, language: str
) -> LetterFacts:
    with_identity = DataCategory.IDENTITY in consent.categories
    decision = (
        IdentificationChange.objects.filter(case=case, to_status=case.identification_status)
        .order_by("-decided_on", "-pk")
        .first()
    )
    carries = ["identification_status", "exploitation_types", "penalisation"]
    if with_identity:
        carries.append("identity")
    with translation.override(language):
        labels = dict(ExploitationType.choices)
        country = country_name(penalisation.country) if penalisation.country else ""
        place = ", ".join(part for part in (penalisation.area, country) if part)
        return LetterFacts(
            language=language,
            addressee=str(Addressee(addressee).label),
            reference=case.reference,
            organisation=case.organisation.name,
            today=timezone.localdate(),
            name=case.person.full_name if with_identity else "",
            status=str(case.get_identification_status_display()),
            decided_on=decision.decided_on if decision else case.presumed_on,
            decided_by=str(decision.get_decision_organisation_type_display()) if decision else "",
            exploitation=[str(labels[t]) for t in case.exploitation_types if t in labels],
            event=str(penalisation.get_kind_display()),
            event_on=penalisation.on,
            authority=", ".join(
                part
                for part in (str(penalisation.get_authority_type_display()), penalisation.authority)
                if part
            ),
            place=place,
            offence=penalisation.offence,
            outcome=str(penalisation.get_outcome_display()),
            carries=carries,
        )


def letter_pdf(facts: LetterFacts) -> bytes:
    return render_pdf("justice/letter.html", {"letter": facts}, facts.language)
