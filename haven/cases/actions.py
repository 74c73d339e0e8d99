"""Domain actions on cases. Each runs in one transaction and writes its audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.accounts.roles import Role
from haven.audit.chain import record
from haven.audit.models import Action
from haven.cases.models import Case, CaseEvent, CaseStatus, EventKind, JourneyEvent, Notification
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.core.pseudonyms import CASE_PREFIX, create_with_reference

if TYPE_CHECKING:
    from haven.people.models import Person


def open_case(
    actor: User, person: Person, *, assigned_to: User | None, opened_on: dt.date, summary: str
) -> Case:
    """Open a case for a person of the actor's organisation."""
    if person.organisation_id != actor.organisation_id:
        raise ValueError("A case is opened by the organisation that holds the person record.")

    def create(reference: str) -> Case:
        case = Case.objects.create(
            reference=reference,
            person=person,
            jurisdiction=actor.organisation.jurisdiction,
            organisation=actor.organisation,
            created_by=actor,
            assigned_to=assigned_to,
            opened_on=opened_on,
            summary=summary,
        )
        changed = ["person", "opened_on"]
        changed += [f for f, v in (("assigned_to", assigned_to), ("summary", summary)) if v]
        audit_case(actor, case, Action.CASE_CREATE, changed)
        record_event(actor, case, EventKind.OPENED)
        return case

    return create_with_reference(CASE_PREFIX, create)


def update_case(
    actor: User,
    case: Case,
    *,
    expected_version: int,
    summary: str,
    opened_on: dt.date,
    assigned_to: User | type[KeepAssignment] | None = None,
) -> list[str]:
    """Save an edit made from `expected_version`; refuse it if someone saved since."""
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        if current.version != expected_version:
            raise ConcurrentEditError
        changed = []
        if current.summary != summary:
            current.summary = summary
            changed.append("summary")
        if current.opened_on != opened_on:
            current.opened_on = opened_on
            changed.append("opened_on")
        if assigned_to is not KeepAssignment and current.assigned_to != assigned_to:
            current.assigned_to = assigned_to  # type: ignore[assignment]
            changed.append("assigned_to")
        if not changed:
            return []
        current.version += 1
        current.updated_at = timezone.now()
        current.save()
        audit_case(actor, current, Action.CASE_UPDATE, changed)
    case.refresh_from_db()
    return changed


class KeepAssignment:
    """Sentinel: the editor may not change who the case is assigned to."""


def audit_case(actor: User, case: Case, action: str, fields: Iterable[str]) -> None:
    """The audit row of a change to a case: field names only, never their values."""
    record(
        actor=actor,
        action=action,
        object_type="case",
        object_ref=case.reference,
        changed_fields=sorted(fields),
    )


def case_team(case: Case) -> list[User]:
    """Who hears about a change: the assigned case worker and the organisation's supervisors."""
    team = [
        u
        for u in User.objects.filter(organisation_id=case.organisation_id, is_active=True)
        if Role.SUPERVISOR in u.role_list
    ]
    if case.assigned_to_id and all(u.pk != case.assigned_to_id for u in team):
        assigned = case.assigned_to
        if assigned is not None and assigned.is_active:
            team.append(assigned)
    return team


def record_event(actor: User, case: Case, kind: str, code: str = "") -> CaseEvent:
    """Add to the case's history and notify its team (not the actor). Inside the caller's
    transaction, so history, notification and the change stand or fall together."""
    event = CaseEvent.objects.create(case=case, kind=kind, code=code, actor=actor)
    Notification.objects.bulk_create(
        Notification(user=member, event=event)
        for member in case_team(case)
        if member.pk != actor.pk
    )
    return event


def mark_notifications_read(user: User) -> int:
    """The user has seen what is new: their own notifications only."""
    now = timezone.now()
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=now)


def locked_case(case: Case, expected_version: int | None) -> Case:
    """The case row, locked for this transaction; refused if someone saved since."""
    current = Case.objects.select_for_update().select_related("person").get(pk=case.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError
    return current


def _bump(current: Case) -> None:
    current.version += 1
    current.updated_at = timezone.now()
    current.save()


RECORD_FIELDS = (
    "exploitation_types",
    "forced_labour_industry",
    "sex_exploitation_types",
    "methods_of_control",
    "recruitment_methods",
    "recruitment_country",
    "relationship_to_trafficker",
    "age_when_trafficked",
    "recruitment_apps",
    "exploitation_apps",
    "cooperation",
    "guardian",
    "guardian_appointed_on",
    "best_interests_assessed_on",
    "best_interests_summary",
    "child_protection_notified_on",
    "fear_of_return",
    "asylum_referral",
    "asylum_referral_on",
)


def update_case_record(
    actor: User, case: Case, data: Mapping[str, Any], *, expected_version: int
) -> list[str]:
    """Save the HTCDS case record. A change of cooperation is dated; it gates nothing."""
    with transaction.atomic():
        current = locked_case(case, expected_version)
        changed = [
            name for name in RECORD_FIELDS if name in data and getattr(current, name) != data[name]
        ]
        if not changed:
            return []
        for name in changed:
            setattr(current, name, data[name])
        if "cooperation" in changed:
            current.cooperation_since = timezone.localdate()
            changed.append("cooperation_since")
        _bump(current)
        audit_case(actor, current, Action.CASE_RECORD, changed)
        record_event(actor, current, EventKind.RECORD)
    case.refresh_from_db()
    return changed


def add_journey_event(actor: User, case: Case, data: Mapping[str, Any]) -> JourneyEvent:
    with transaction.atomic():
        event = JourneyEvent.objects.create(case=case, created_by=actor, **data)
        audit_case(
            actor,
            case,
            Action.CASE_JOURNEY,
            sorted(k for k, v in data.items() if v not in ("", None)),
        )
        record_event(actor, case, EventKind.JOURNEY, event.stage)
    return event


# The HTCDS case status moves. Closing goes through a request and a supervisor's approval.
CASE_MOVES: frozenset[tuple[str, str]] = frozenset(
    {
        (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP),
        (CaseStatus.FOLLOW_UP, CaseStatus.ACTIVE),
        (CaseStatus.ACTIVE, CaseStatus.CLOSED),
        (CaseStatus.ACTIVE, CaseStatus.CLOSED_REFERRED),
        (CaseStatus.FOLLOW_UP, CaseStatus.CLOSED),
        (CaseStatus.FOLLOW_UP, CaseStatus.CLOSED_REFERRED),
        (CaseStatus.CLOSED, CaseStatus.ACTIVE),
        (CaseStatus.CLOSED_REFERRED, CaseStatus.ACTIVE),
    }
)
CLOSED = (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)


def _check_move(current: Case, to: str) -> None:
    if (current.status, to) not in CASE_MOVES:
        raise RefusedError(
            _("A case cannot move from “%(old)s” to “%(new)s”.")
            % {"old": CaseStatus(current.status).label, "new": _status_label(to)}
        )


def _status_label(value: str) -> str:
    try:
        return str(CaseStatus(value).label)
    except ValueError:
        return value


def change_case_status(actor: User, case: Case, to: str, *, expected_version: int) -> None:
    """Active <-> follow-up, and reopening. Closing needs `request_closure` and approval."""
    with transaction.atomic():
        current = locked_case(case, expected_version)
        _check_move(current, to)
        if to in CLOSED:
            raise RefusedError(_("Closing a case needs a supervisor's approval: request it."))
        reopening = current.status in CLOSED
        current.status = to
        if reopening:
            current.closed_on = None
        _bump(current)
        audit_case(actor, current, Action.CASE_STATUS, ["status"])
        record_event(actor, current, EventKind.REOPENED if reopening else EventKind.STATUS, to)
    case.refresh_from_db()


def request_closure(
    actor: User, case: Case, *, to: str, reason: str, details: str, expected_version: int
) -> None:
    with transaction.atomic():
        current = locked_case(case, expected_version)
        _check_move(current, to)
        if to not in CLOSED:
            raise RefusedError(_("Choose how the case is closed."))
        if current.closure_pending:
            raise RefusedError(_("A closure request is already waiting for approval."))
        current.closure_requested_status = to
        current.closure_reason = reason
        current.closure_details = details
        current.closure_requested_by = actor
        current.closure_requested_at = timezone.now()
        _bump(current)
        audit_case(
            actor,
            current,
            Action.CASE_CLOSURE_REQUEST,
            ["closure_requested_status", "closure_reason", "closure_details"],
        )
        record_event(actor, current, EventKind.CLOSURE_REQUESTED, to)
    case.refresh_from_db()


def decide_closure(actor: User, case: Case, *, approve: bool, expected_version: int) -> None:
    """A supervisor approves or refuses a closure request; nobody approves their own."""
    with transaction.atomic():
        current = locked_case(case, expected_version)
        if not current.closure_pending:
            raise RefusedError(_("There is no closure request to decide."))
        if Role.SUPERVISOR not in actor.role_list:
            raise RefusedError(_("Only a supervisor can approve closing a case."))
        if current.closure_requested_by_id == actor.pk:
            raise RefusedError(_("Another supervisor must approve a closure you requested."))
        changed = ["closure_requested_status"]
        if approve:
            _check_move(current, current.closure_requested_status)
            current.status = current.closure_requested_status
            current.closed_on = timezone.localdate()
            changed += ["status", "closed_on"]
        current.closure_requested_status = ""
        _bump(current)
        audit_case(actor, current, Action.CASE_CLOSURE_DECIDE, changed)
        kind = EventKind.CLOSURE_APPROVED if approve else EventKind.CLOSURE_REJECTED
        record_event(actor, current, kind, current.status)
    case.refresh_from_db()
