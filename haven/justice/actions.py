"""Domain actions on criminal-justice records. Each runs in one transaction with its audit
row (field names only) and its entry in the case history.

Every rule about what may be saved lives here (`_check_*`), not in the forms: the forms
only parse input. Nothing in haven.assistance reads these records: help never depends on
the person's cooperation with the authorities.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pycountry
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.roles import Capability
from haven.audit.chain import record
from haven.audit.models import Action
from haven.cases.access import cases_for
from haven.cases.actions import audit_case, locked_case, record_event
from haven.cases.models import EventKind
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.identification.status import IdentificationStatus
from haven.justice.letter import Addressee, LetterFacts, build_letter, letter_consent
from haven.justice.models import (
    ENDED_PROCEEDINGS,
    ClaimStatus,
    CompensationClaim,
    Hearing,
    JusticeRecord,
    MeasureDecision,
    Penalisation,
    PenalisationOutcome,
    Proceeding,
    ProtectionMeasure,
    SafetyOutcome,
    SafetyReview,
)

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.cases.models import Case

Data = dict[str, Any]


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(day: dt.date | None) -> None:
    if day is not None and day > _today():
        raise RefusedError(_("The date cannot be in the future."))


def _not_before(later: dt.date | None, earlier: dt.date | None, message: str) -> None:
    if later is not None and earlier is not None and later < earlier:
        raise RefusedError(message)


def _settled(
    start: dt.date | None,
    settled_on: dt.date | None,
    *,
    pending: bool,
    dated_while_pending: str,
    undated: str,
    too_early: str,
) -> None:
    """A result that is dated once it is known: no date while pending, a date otherwise,
    never in the future nor before what it settles."""
    if pending:
        if settled_on is not None:
            raise RefusedError(dated_while_pending)
    elif settled_on is None:
        raise RefusedError(undated)
    _not_future(settled_on)
    _not_before(settled_on, start, too_early)


def _of_case(case: Case, proceeding: Proceeding | None, *, required: bool) -> None:
    if proceeding is None:
        if required:
            raise RefusedError(_("Choose one of this case's proceedings."))
        return
    if proceeding.case_id != case.pk:
        raise RefusedError(_("Choose one of this case's proceedings."))


def _check_penalisation(case: Case, data: Data) -> Data:
    """An arrest, detention or charge has a date up to today; an outcome other than
    "pending" has its own date, not before it; a non-punishment request has a date
    before its answer can be recorded."""
    on = data.get("on")
    if on is None:
        raise RefusedError(_("Give the date."))
    _not_future(on)
    _settled(
        on,
        data.get("outcome_on"),
        pending=data.get("outcome") == PenalisationOutcome.PENDING,
        dated_while_pending=_("A pending outcome has no date yet."),
        undated=_("Give the date of the outcome."),
        too_early=_("The outcome cannot come before the event itself."),
    )
    requested = data.get("non_punishment_requested_on")
    decision = data.get("non_punishment_decision") or ""
    if requested is None and decision:
        raise RefusedError(_("Record when non-punishment was asked for before its answer."))
    _not_future(requested)
    _not_before(requested, on, _("The request cannot come before the event itself."))
    if requested is not None and not decision:
        decision = "pending"
    return {**data, "non_punishment_decision": decision}


def _check_proceeding(case: Case, data: Data) -> Data:
    """Proceedings start on a date up to today; an ended one says when it ended, an open
    or suspended one has no end date."""
    started = data.get("started_on")
    if started is None:
        raise RefusedError(_("Give the date the proceeding started."))
    _not_future(started)
    ended = data.get("ended_on")
    if data.get("status") in ENDED_PROCEEDINGS:
        if ended is None:
            raise RefusedError(_("Give the date the proceeding ended."))
    elif ended is not None:
        raise RefusedError(_("An open or suspended proceeding has no end date."))
    _not_future(ended)
    _not_before(ended, started, _("A proceeding cannot end before it started."))
    return data


def _check_hearing(case: Case, data: Data) -> Data:
    """A hearing belongs to one of the case's proceedings, on or after its start; it may
    be planned in the future."""
    proceeding = data.get("proceeding")
    _of_case(case, proceeding, required=True)
    if data.get("on") is None:
        raise RefusedError(_("Give the date."))
    assert proceeding is not None  # noqa: S101 - _of_case refused a missing one
    _not_before(
        data["on"], proceeding.started_on, _("A hearing cannot come before the proceeding.")
    )
    return data


def _check_protection(case: Case, data: Data) -> Data:
    """Asked for on a date up to today in one of the case's proceedings; a decision has its
    own date, not before the request, and a pending one has none."""
    _of_case(case, data.get("proceeding"), required=True)
    requested = data.get("requested_on")
    if requested is None:
        raise RefusedError(_("Give the date it was asked for."))
    _not_future(requested)
    _settled(
        requested,
        data.get("decided_on"),
        pending=data.get("decision") == MeasureDecision.PENDING,
        dated_while_pending=_("A pending request has no decision date yet."),
        undated=_("Give the date of the decision."),
        too_early=_("The decision cannot come before the request."),
    )
    return data


def _check_safety(case: Case, data: Data) -> Data:
    """A review up to today; concerns or risks always say what follows."""
    _of_case(case, data.get("proceeding"), required=False)
    reviewed = data.get("reviewed_on")
    if reviewed is None:
        raise RefusedError(_("Give the date."))
    _not_future(reviewed)
    if (
        data.get("outcome") in (SafetyOutcome.CONCERNS, SafetyOutcome.AT_RISK)
        and not str(data.get("follow_up", "")).strip()
    ):
        raise RefusedError(_("Say what follows when there are concerns or risks."))
    _not_before(
        data.get("follow_up_on"), reviewed, _("The follow-up cannot come before the review.")
    )
    return data


PAID = frozenset({ClaimStatus.PAID_PART, ClaimStatus.PAID})


def _check_compensation(case: Case, data: Data) -> Data:
    """Amounts are never negative and carry their currency; a claim past preparation was
    filed on a date; money received means the claim was paid, and never exceeds the award."""
    amounts = [data.get(n) for n in ("amount_claimed", "amount_awarded", "amount_received")]
    if any(a is not None and Decimal(a) < 0 for a in amounts):
        raise RefusedError(_("An amount cannot be negative."))
    currency = str(data.get("currency") or "")
    if any(a is not None for a in amounts) and not currency:
        raise RefusedError(_("Give the currency of the amounts."))
    if currency and (len(currency) != 3 or not currency.isalpha() or not currency.isupper()):
        raise RefusedError(_("Use the three-letter currency code."))
    status = data.get("status")
    if status != ClaimStatus.PREPARING and data.get("filed_on") is None:
        raise RefusedError(_("Give the date the claim was filed."))
    _not_future(data.get("filed_on"))
    awarded, received = data.get("amount_awarded"), data.get("amount_received")
    if status in PAID and not received:
        raise RefusedError(_("Give the amount the person received."))
    if received and status not in PAID:
        raise RefusedError(_("Money received means the claim was paid: choose a paid status."))
    if received is not None and awarded is not None and received > awarded:
        raise RefusedError(_("The person cannot have received more than was awarded."))
    return data


@dataclass(frozen=True)
class Kind:
    """One kind of justice record: its model, its audit action and the rule of what may
    be saved (given the case and the whole record as it would be)."""

    model: type[JusticeRecord]
    audit: Action
    check: Callable[[Case, Data], Data]


KINDS: dict[str, Kind] = {
    "penalisation": Kind(Penalisation, Action.JUSTICE_PENALISATION, _check_penalisation),
    "proceeding": Kind(Proceeding, Action.JUSTICE_PROCEEDING, _check_proceeding),
    "hearing": Kind(Hearing, Action.JUSTICE_HEARING, _check_hearing),
    "protection": Kind(ProtectionMeasure, Action.JUSTICE_PROTECTION, _check_protection),
    "safety-review": Kind(SafetyReview, Action.JUSTICE_SAFETY, _check_safety),
    "compensation": Kind(CompensationClaim, Action.JUSTICE_COMPENSATION, _check_compensation),
}


def kind_of(record: JusticeRecord) -> str:
    return next(name for name, kind in KINDS.items() if isinstance(record, kind.model))


def _fields(model: type[JusticeRecord]) -> dict[str, models.Field]:  # type: ignore[type-arg]
    return {f.name: f for f in model._meta.concrete_fields}


def _check_codes(model: type[JusticeRecord], data: Mapping[str, Any]) -> None:
    """Only the record's own fields, and coded fields hold one of their codes (the
    database does not check choices)."""
    fields = _fields(model)
    for name, value in data.items():
        field = fields.get(name)
        if field is None or name in ("id", "case", "created_by", "created_at", "version"):
            raise RefusedError(_("Some values are not valid."))
        blank_allowed = value == "" and field.blank
        if field.choices and not blank_allowed and value not in dict(field.flatchoices):
            raise RefusedError(_("Some values are not valid."))
        if name == "country" and value and pycountry.countries.get(alpha_2=str(value)) is None:
            raise RefusedError(_("Not a country code."))


def _filled(data: Mapping[str, Any]) -> list[str]:
    return [name for name, value in data.items() if value not in ("", None, [])]


def add_record(actor: User, case: Case, kind: str, data: Mapping[str, Any]) -> JusticeRecord:
    """Record an arrest, detention or charge, a proceeding, a hearing, a protection measure,
    a post-trial safety review or a compensation claim on an open case of the actor's."""
    spec = KINDS[kind]
    with transaction.atomic():
        current = locked_case(actor, case, Capability.JUSTICE_EDIT)
        _check_codes(spec.model, data)
        checked = spec.check(current, dict(data))
        record = spec.model._default_manager.create(case=current, created_by=actor, **checked)
        audit_case(actor, current, spec.audit, _filled(checked))
        record_event(actor, current, EventKind.RECORD, f"justice.{kind}")
    return record


def update_record(
    actor: User, record: JusticeRecord, data: Mapping[str, Any], *, expected_version: int
) -> list[str]:
    """Save a record edited from `expected_version`; the names of the fields that changed.
    The same rules as when it was added, applied to the record as it would be."""
    kind = kind_of(record)
    spec = KINDS[kind]
    with transaction.atomic():
        case = locked_case(actor, record.case, Capability.JUSTICE_EDIT)
        current = spec.model._default_manager.select_for_update().get(pk=record.pk, case=case)
        if current.version != expected_version:
            raise ConcurrentEditError
        _check_codes(spec.model, data)
        whole = {name: getattr(current, name) for name in _fields(spec.model)} | dict(data)
        checked = spec.check(case, whole)
        # What the form sent, and what the rule set from it (e.g. a request's answer).
        touched = [n for n in _fields(spec.model) if n in data or checked[n] != whole[n]]
        changed = [n for n in touched if getattr(current, n) != checked[n]]
        if not changed:
            return []
        for name in changed:
            setattr(current, name, checked[name])
        current.version += 1
        current.updated_at = timezone.now()
        current.save()
        audit_case(actor, case, spec.audit, changed)
        record_event(actor, case, EventKind.RECORD, f"justice.{kind}")
    record.refresh_from_db()
    return changed


# The identification statuses a non-punishment request can rest on: the person is at
# least presumed a victim, and no negative decision stands.
LETTER_STATUSES = frozenset(
    {
        IdentificationStatus.PRESUMED,
        IdentificationStatus.FIRST_POSITIVE,
        IdentificationStatus.FINAL_POSITIVE,
        IdentificationStatus.CONFIRMED,
    }
)


def letter_facts(
    actor: User, case: Case, penalisation: Penalisation, *, addressee: str, language: str
) -> LetterFacts:
    """The facts of a non-punishment request letter about `penalisation`, and the audit row
    saying a letter was made (with the names of what it carries).

    Refused unless the person is at least presumed a victim, and unless they consented to
    share legal and criminal-justice information for legal assistance: the letter then
    carries only the identification status, the case record's forms of exploitation and
    this one arrest, detention or charge, and it names the person only if that consent
    also covers their identity. A closed case still gets its letter: it changes nothing.
    """
    if addressee not in Addressee.values:
        raise RefusedError(_("Some values are not valid."))
    if language not in dict(settings.LANGUAGES):
        raise RefusedError(_("Some values are not valid."))
    with transaction.atomic():
        current = cases_for(actor, Capability.JUSTICE_EDIT).filter(pk=case.pk).first()
        if current is None:
            raise RefusedError(_("Your role does not allow this change on this case."))
        if penalisation.case_id != current.pk:
            raise RefusedError(_("Some values are not valid."))
        if current.identification_status not in LETTER_STATUSES:
            raise RefusedError(
                _(
                    "The letter rests on the person's identification as a victim: record "
                    "at least the presumption first."
                )
            )
        consent = letter_consent(current)
        if consent is None:
            raise RefusedError(
                _(
                    "The person has not consented to share legal information: record their "
                    "consent for legal assistance, covering legal and criminal-justice "
                    "information, first."
                )
            )
        facts = build_letter(current, penalisation, consent, addressee=addressee, language=language)
        record(
            actor=actor,
            action=Action.JUSTICE_LETTER,
            object_type="case",
            object_ref=current.reference,
            changed_fields=sorted(facts.carries),
        )
    return facts
