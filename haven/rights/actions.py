"""Domain actions on a person's right to their data and on retention. Each checks the
actor's grant and scope itself, runs in one transaction with its audit row, and refuses
bad input with a translated message, changing nothing.

Audit rows name the person or case by its pseudonymous reference and list field names
only: never a name, a reason or any other value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from haven.accounts.roles import Capability, can
from haven.audit.chain import record
from haven.audit.models import Action
from haven.cases.access import cases_for
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.core.pdf import render_pdf
from haven.people.access import people_for
from haven.rights import holdings
from haven.rights.models import MAX_YEARS, LegalHold, RetentionOutcome, RetentionPolicy

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.cases.models import Case
    from haven.people.models import Person

# Reasons are short notes for the record, not documents.
MAX_REASON = 2000


def export_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


@dataclass(frozen=True)
class SubjectExport:
    reference: str
    language: str
    json: bytes
    pdf: bytes

    def filename(self, suffix: str) -> str:
        return f"{self.reference}-{self.language}.{suffix}"


def not_allowed_message() -> str:
    return _("Your role does not allow exporting this person's data.")


def _person(actor: User, person: Person) -> Person:
    found = people_for(actor, Capability.SUBJECT_EXPORT).filter(pk=person.pk).first()
    if found is None:
        raise RefusedError(not_allowed_message())
    return found


def export_subject(
    actor: User, person: Person, language: str, *, pdf: bool = True
) -> SubjectExport:
    """Everything the actor's organisation holds about `person`, for the person: a JSON
    file and a PDF in `language`. Staff appear by role and organisation; another person's
    identity is left out (`holdings.WITHHELD`). Audited; nothing is stored."""
    if language not in export_languages():
        raise RefusedError(_("Choose one of the languages offered."))
    current = _person(actor, person)
    now = timezone.now()
    with translation.override(language):
        person_items = holdings.describe(current)
        sections = holdings.sections_of(current)
        meta = {
            "format": "haven-subject-export/1",
            "made_at": now.isoformat(),
            "language": language,
            "organisation": actor.organisation.name,
        }
        body = holdings.as_json(current, sections, meta)
    document = b""
    if pdf:
        document = render_pdf(
            "rights/subject_export_pdf.html",
            {"person": current, "items": person_items, "sections": sections, "made_at": now},
            language,
        )
    with transaction.atomic():
        record(
            actor=actor,
            action=Action.SUBJECT_EXPORT,
            object_type="person",
            object_ref=current.reference,
        )
    return SubjectExport(current.reference, language, body, document)


def _refuse_unless(actor: User, capability: Capability) -> None:
    if not can(actor, capability):
        raise RefusedError(_("Your role does not allow this"))


def set_retention_policy(
    actor: User, *, years: int, outcome: str, expected_version: int | None
) -> RetentionPolicy:
    """Set the actor's organisation's retention policy: `years` after a case is closed,
    anonymise or delete it. `expected_version` is the policy version the form showed
    (None: the form showed no policy yet)."""
    _refuse_unless(actor, Capability.RETENTION_MANAGE)
    if not 1 <= years <= MAX_YEARS:
        raise RefusedError(
            _("The number of years must be between 1 and %(most)d.") % {"most": MAX_YEARS}
        )
    if outcome not in RetentionOutcome.values:
        raise RefusedError(_("Choose what happens to a case when its time is up."))
    with transaction.atomic():
        current = (
            RetentionPolicy.objects.select_for_update()
            .filter(organisation_id=actor.organisation_id)
            .first()
        )
        if current is None:
            if expected_version is not None:
                raise ConcurrentEditError
            policy = RetentionPolicy.objects.create(
                organisation_id=actor.organisation_id, years=years, outcome=outcome, set_by=actor
            )
            changed = ["years", "outcome"]
        else:
            if current.version != expected_version:
                raise ConcurrentEditError
            changed = [
                name
                for name, value in (("years", years), ("outcome", outcome))
                if getattr(current, name) != value
            ]
            if not changed:
                return current
            current.years, current.outcome = years, outcome
            current.set_by, current.set_at = actor, timezone.now()
            current.version += 1
            current.save()
            policy = current
        record(
            actor=actor,
            action=Action.RETENTION_POLICY,
            object_type="retention_policy",
            changed_fields=changed,
        )
    return policy


def _reason(reason: str) -> str:
    cleaned = reason.strip()
    if not cleaned:
        raise RefusedError(_("Give the reason."))
    if len(cleaned) > MAX_REASON:
        raise RefusedError(
            _("The reason is too long: at most %(most)d characters.") % {"most": MAX_REASON}
        )
    return cleaned


def _held_case(actor: User, case: Case) -> Case:
    """The case, locked, if the actor may place or lift holds on it."""
    current = (
        cases_for(actor, Capability.LEGAL_HOLD)
        .select_for_update(no_key=True, of=("self",))
        .filter(pk=case.pk)
        .first()
    )
    if current is None:
        raise RefusedError(_("Your role does not allow this change on this case."))
    return current


def place_legal_hold(actor: User, case: Case, reason: str) -> LegalHold:
    """Keep `case` (and its person) out of retention until the hold is lifted. Open or
    closed cases alike: a hold is often placed before anything is due."""
    cleaned = _reason(reason)
    with transaction.atomic():
        current = _held_case(actor, case)
        if LegalHold.objects.filter(case=current, lifted_at__isnull=True).exists():
            raise RefusedError(_("This case is already under a legal hold."))
        try:
            with transaction.atomic():
                hold = LegalHold.objects.create(case=current, reason=cleaned, placed_by=actor)
        except IntegrityError:  # placed by someone else a moment ago
            raise RefusedError(_("This case is already under a legal hold.")) from None
        record(
            actor=actor,
            action=Action.LEGAL_HOLD_PLACE,
            object_type="case",
            object_ref=current.reference,
            changed_fields=["reason"],
        )
    return hold


def lift_legal_hold(actor: User, case: Case, reason: str) -> LegalHold:
    """End the case's active hold; retention applies to the case again."""
    cleaned = _reason(reason)
    with transaction.atomic():
        current = _held_case(actor, case)
        active = LegalHold.objects.select_for_update().filter(case=current, lifted_at__isnull=True)
        hold = active.first()
        if hold is None:
            raise RefusedError(_("This case is not under a legal hold."))
        hold.lift_reason, hold.lifted_by, hold.lifted_at = cleaned, actor, timezone.now()
        hold.save()
        record(
            actor=actor,
            action=Action.LEGAL_HOLD_LIFT,
            object_type="case",
            object_ref=current.reference,
            changed_fields=["lift_reason"],
        )
    return hold
