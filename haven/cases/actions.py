"""Domain actions on cases. Each runs in one transaction and writes its audit row."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from haven.audit.chain import record
from haven.audit.models import Action
from haven.cases.models import Case
from haven.core.errors import ConcurrentEditError
from haven.core.pseudonyms import CASE_PREFIX, create_with_reference

if TYPE_CHECKING:
    from haven.accounts.models import User
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
            organisation=actor.organisation,
            created_by=actor,
            assigned_to=assigned_to,
            opened_on=opened_on,
            summary=summary,
        )
        changed = ["person", "opened_on"]
        changed += [f for f, v in (("assigned_to", assigned_to), ("summary", summary)) if v]
        record(
            actor=actor,
            action=Action.CASE_CREATE,
            object_type="case",
            object_ref=case.reference,
            changed_fields=changed,
        )
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
        record(
            actor=actor,
            action=Action.CASE_UPDATE,
            object_type="case",
            object_ref=current.reference,
            changed_fields=changed,
        )
    case.refresh_from_db()
    return changed


class KeepAssignment:
    """Sentinel: the editor may not change who the case is assigned to."""
