"""Domain actions on shelter stays and survivors' feedback. Each runs in one transaction
with its audit row (field names only); changes to a case go through `locked_case`, which
checks the actor's reach, refuses a closed case and locks the case row, so that two
stays cannot be slipped in side by side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.roles import Capability, can
from haven.assistance.models import Service, ServiceKind, ServiceStatus
from haven.audit.chain import record
from haven.audit.models import Action
from haven.care.models import QUESTIONS, Feedback, LeavingReason, Rating, Stay
from haven.cases.actions import audit_case, locked_case, record_event
from haven.cases.models import EventKind
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.directory.models import DirectoryService

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.cases.models import Case

STAY_FIELDS = ("shelter", "place", "entered_on", "free_to_leave_explained")
LEAVING_FIELDS = ("left_on", "leaving_reason", "leaving_details")
ANSWERS = tuple(key for key, _question in QUESTIONS)


def _filled(data: Mapping[str, Any]) -> list[str]:
    return [name for name, value in data.items() if value not in ("", None, False)]


def _text(data: Mapping[str, Any], name: str) -> str:
    return str(data.get(name) or "").strip()


def _not_future(day: dt.date) -> None:
    if day > timezone.localdate():
        raise RefusedError(_("The date cannot be in the future."))


def _overlaps(start: dt.date, end: dt.date | None, other: Stay) -> bool:
    """Stays overlap when each starts before the other ends. An open stay has no end; a
    day of leaving may be the day of entering the next place (a move on the same day)."""
    other_end = other.left_on or dt.date.max
    return start < other_end and other.entered_on < (end or dt.date.max)


def _check_leaving(entered_on: dt.date, data: Mapping[str, Any]) -> dict[str, Any]:
    left_on = data.get("left_on")
    if not isinstance(left_on, dt.date):
        raise RefusedError(_("Give the day the person left."))
    _not_future(left_on)
    if left_on < entered_on:
        raise RefusedError(_("The person cannot leave before the day they arrived."))
    reason = _text(data, "leaving_reason")
    if reason not in LeavingReason.values:
        raise RefusedError(_("Choose why the stay ended."))
    details = _text(data, "leaving_details")
    if reason == LeavingReason.OTHER and not details:
        raise RefusedError(_("Say in a few words why the stay ended."))
    return {"left_on": left_on, "leaving_reason": reason, "leaving_details": details}


def record_stay(actor: User, case: Case, data: Mapping[str, Any]) -> Stay:
    """Record a stay at a shelter: entry, and the exit too when it is already over.

    Refused: without the recorded confirmation that the person was told and understood
    they are free to leave (a shelter is not detention); without exactly one place (a
    safe-accommodation service of the directory, or a named place); with a date in the
    future or an exit before the entry; overlapping another stay of the same case.
    """
    with transaction.atomic():
        current = locked_case(actor, case, Capability.ASSISTANCE_EDIT)
        if data.get("free_to_leave_explained") is not True:
            raise RefusedError(
                _(
                    "A stay is recorded only once the person was told, and understood, that "
                    "they are free to leave at any time: a shelter is not detention."
                )
            )
        shelter = data.get("shelter")
        place = _text(data, "place")
        if (shelter is None) == (not place):
            raise RefusedError(
                _("Choose a shelter of the directory, or name a place that is not in it.")
            )
        if shelter is not None and (
            not isinstance(shelter, DirectoryService) or shelter.kind != ServiceKind.ACCOMMODATION
        ):
            raise RefusedError(_("Choose a safe accommodation service of the directory."))
        entered_on = data.get("entered_on")
        if not isinstance(entered_on, dt.date):
            raise RefusedError(_("Give the day the person arrived."))
        _not_future(entered_on)
        fields: dict[str, Any] = {
            "shelter": shelter,
            "place": place,
            "entered_on": entered_on,
            "free_to_leave_explained": True,
        }
        leaving = {name: data.get(name) for name in LEAVING_FIELDS if data.get(name)}
        if leaving:
            fields.update(_check_leaving(entered_on, leaving))
        end = fields.get("left_on")
        others = Stay.objects.filter(case=current)
        if any(_overlaps(entered_on, end, other) for other in others):
            raise RefusedError(
                _("This stay overlaps another stay of the same case: check the dates.")
            )
        stay = Stay.objects.create(case=current, created_by=actor, **fields)
        audit_case(actor, current, Action.CARE_STAY, _filled(fields))
        record_event(actor, current, EventKind.SERVICE, "stay")
    return stay


def end_stay(
    actor: User, stay: Stay, data: Mapping[str, Any], *, expected_version: int
) -> list[str]:
    """Record that a stay ended, and why: never before it began, never in the future."""
    with transaction.atomic():
        case = locked_case(actor, stay.case, Capability.ASSISTANCE_EDIT)
        current = Stay.objects.select_for_update().get(pk=stay.pk, case=case)
        if current.version != expected_version:
            raise ConcurrentEditError
        if not current.is_open:
            raise RefusedError(_("This stay has already ended."))
        fields = _check_leaving(current.entered_on, data)
        for name, value in fields.items():
            setattr(current, name, value)
        current.version += 1
        current.updated_at = timezone.now()
        current.save()
        changed = _filled(fields)
        audit_case(actor, case, Action.CARE_STAY, changed)
        record_event(actor, case, EventKind.SERVICE_UPDATED, "stay")
    stay.refresh_from_db()
    return changed


def _answers(data: Mapping[str, Any]) -> dict[str, str]:
    answers = {key: _text(data, key) for key in ANSWERS}
    if any(answer not in Rating.values for answer in answers.values()):
        raise RefusedError(
            _("Answer every question, or choose that the person prefers not to say.")
        )
    return answers


def _this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def record_feedback(
    actor: User, data: Mapping[str, Any], *, service: Service | None = None
) -> Feedback:
    """Record a survivor's feedback on a service, given with their consent.

    On a `service` of a case: the service must have been delivered, on a case the actor
    may assist on. Named, the feedback hangs off the case and the service; anonymous
    (`data["anonymous"]`), it keeps only the organisation, the kind of service and the
    month, and its audit row names no case: nothing leads back to the person. Without a
    service (someone not followed in Haven), feedback can only be anonymous.
    """
    if data.get("consent") is not True:
        raise RefusedError(
            _("Feedback is recorded only with the person's consent. Nothing was saved.")
        )
    answers = _answers(data)
    comment = _text(data, "comment")
    anonymous = data.get("anonymous") is True
    with transaction.atomic():
        if service is None:
            if not anonymous:
                raise RefusedError(_("Feedback without a service of a case can only be anonymous."))
            if not can(actor, Capability.ASSISTANCE_EDIT):
                raise RefusedError(_("Your role does not allow recording feedback."))
            kind = _text(data, "service_kind")
            if kind not in ServiceKind.values:
                raise RefusedError(_("Choose the kind of service."))
            case = None
        else:
            case = locked_case(actor, service.case, Capability.ASSISTANCE_EDIT)
            current = Service.objects.filter(pk=service.pk, case=case).first()
            if current is None or current.status != ServiceStatus.DELIVERED:
                raise RefusedError(_("Feedback is asked only on a service that was given."))
            kind = current.kind
        feedback = Feedback.objects.create(
            organisation_id=actor.organisation_id,
            service_kind=kind,
            month=_this_month(),
            case=None if anonymous else case,
            service=None if anonymous else service,
            comment=comment,
            **answers,
        )
        fields = ["service_kind", "month", *ANSWERS, *(["comment"] if comment else [])]
        if anonymous or case is None:
            # No case, no reference to the row: the audit says only that it was given.
            record(actor=actor, action=Action.CARE_FEEDBACK, changed_fields=fields)
        else:
            audit_case(actor, case, Action.CARE_FEEDBACK, ["case", "service", *fields])
    return feedback
