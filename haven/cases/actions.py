"""Domain actions on cases. Each runs in one transaction and writes its audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.accounts.roles import Capability, Role, can
from haven.assistance import returns
from haven.assistance.models import ReturnPlan
from haven.audit.chain import record, record_many
from haven.audit.models import Action
from haven.cases.access import cases_for
from haven.cases.children import Gate, refuse_without_safeguards
from haven.cases.choices import AsylumReferral, ClosureReason, JourneyStage
from haven.cases.models import (
    CLOSED_STATUSES,
    AgeAssessment,
    AgeMethod,
    AgeOutcome,
    Case,
    CaseEvent,
    CaseStatus,
    EventKind,
    JourneyEvent,
    Notification,
    writing_language,
)
from haven.core import bulk
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.core.pseudonyms import CASE_PREFIX, allocate_references, create_with_reference

if TYPE_CHECKING:
    from haven.people.models import Person


def may_hold_cases(user: User, organisation_id: int) -> bool:
    """Who a case of the organisation can be assigned to: one of its active case workers."""
    return (
        user.is_active
        and user.organisation_id == organisation_id
        and Role.CASE_WORKER in user.role_list
    )


def case_workers(organisation_id: int) -> list[User]:
    """The organisation's case workers, in the order the forms offer them."""
    users = User.objects.filter(organisation_id=organisation_id, is_active=True)
    return [u for u in users if may_hold_cases(u, organisation_id)]


def default_assignee(actor: User) -> User | None:
    """A case worker who opens a case holds it; anyone else leaves it to be assigned."""
    return actor if may_hold_cases(actor, actor.organisation_id) else None


def _refuse_assignee(actor: User, organisation_id: int, assignee: User | None) -> None:
    """Assigning someone else needs the right to assign (GRANTS: supervisors), and only an
    active case worker of the case's own organisation can hold it."""
    if assignee is not None and assignee.pk != actor.pk and not can(actor, Capability.CASE_ASSIGN):
        raise RefusedError(_("Your role may not assign cases to others."))
    if assignee is not None and not may_hold_cases(assignee, organisation_id):
        raise RefusedError(
            _("A case can only be assigned to an active case worker of its organisation.")
        )


def refuse_future(*days: dt.date | None) -> None:
    """Something recorded as done cannot have happened after today."""
    today = timezone.localdate()
    if any(day is not None and day > today for day in days):
        raise RefusedError(_("The date cannot be in the future."))


class ActiveCaseExistsError(Exception):
    """The person already has an active case in the organisation; the user must look at
    it or confirm that a second case is meant. Not a refusal: nothing is wrong yet."""

    def __init__(self, cases: Iterable[Case]) -> None:
        super().__init__("active case exists")
        # Only the cases the actor may see; there may be others held by colleagues.
        self.cases = list(cases)


def open_case(
    actor: User,
    person: Person,
    *,
    assigned_to: User | None,
    opened_on: dt.date,
    summary: str,
    confirmed_second_case: bool = False,
) -> Case:
    """Open a case for a person of the actor's organisation.

    Raises `ActiveCaseExistsError` when the person already has an active case in the
    organisation, unless the actor has looked and said `confirmed_second_case=True`. The
    person's row is locked while checking, so two people opening at once cannot both miss
    each other's case.
    """
    if not can(actor, Capability.CASE_CREATE):
        raise RefusedError(_("Your role may not open cases."))
    if person.organisation_id != actor.organisation_id:
        raise RefusedError(_("A case is opened by the organisation that holds the person record."))
    _refuse_assignee(actor, actor.organisation_id, assigned_to)
    refuse_future(opened_on)

    def create(reference: str) -> Case:
        if not confirmed_second_case:
            # Two people opening a first case at once: the second waits here, then sees it.
            locked = type(person).objects.select_for_update(no_key=True).filter(pk=person.pk)
            locked.values_list("pk", flat=True).get()
            active = Case.objects.filter(
                person=person, organisation_id=actor.organisation_id
            ).exclude(status__in=CLOSED_STATUSES)
            if active.exists():
                visible = cases_for(actor, Capability.CASE_VIEW).filter(pk__in=active)
                raise ActiveCaseExistsError(
                    visible.select_related("assigned_to").order_by("opened_on", "pk")
                )
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
        if confirmed_second_case:
            changed.append("confirmed_second_case")
        audit_case(actor, case, Action.CASE_CREATE, changed)
        record_event(actor, case, EventKind.OPENED)
        return case

    return create_with_reference(CASE_PREFIX, create)


class KeepAssignment:
    """Sentinel: the edit leaves who holds the case as it is."""


def update_case(
    actor: User,
    case: Case,
    *,
    expected_version: int,
    summary: str,
    opened_on: dt.date,
    assigned_to: User | type[KeepAssignment] | None = KeepAssignment,
) -> list[str]:
    """Save an edit made from `expected_version`; refuse it if someone saved since. A new
    assignee needs the right to assign and must be a case worker of the case's organisation."""
    with transaction.atomic():
        current = locked_case(actor, case, Capability.CASE_EDIT, expected_version)
        refuse_future(opened_on)
        changed = []
        if current.summary != summary:
            current.summary = summary
            current.summary_language = writing_language()
            changed.append("summary")
        if current.opened_on != opened_on:
            current.opened_on = opened_on
            changed.append("opened_on")
        if assigned_to is not KeepAssignment and current.assigned_to != assigned_to:
            assignee = assigned_to if isinstance(assigned_to, User) else None
            if not can(actor, Capability.CASE_ASSIGN):
                raise RefusedError(_("Your role may not assign cases to others."))
            _refuse_assignee(actor, current.organisation_id, assignee)
            current.assigned_to = assignee
            changed.append("assigned_to")
        if not changed:
            return []
        current.version += 1
        current.updated_at = timezone.now()
        current.save()
        audit_case(actor, current, Action.CASE_UPDATE, changed)
    case.refresh_from_db()
    return changed


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
        Notification(user=member, event=event, created_at=event.created_at)
        for member in case_team(case)
        if member.pk != actor.pk
    )
    return event


def mark_notifications_read(user: User) -> int:
    """The user has seen what is new: their own notifications only."""
    now = timezone.now()
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=now)


def closed_case_message() -> str:
    return _("This case is closed: reopen it before changing anything on it.")


def locked_case(
    actor: User,
    case: Case,
    capability: Capability,
    expected_version: int | None = None,
    *,
    even_if_closed: bool = False,
) -> Case:
    """The one gate of every change to a case or to anything that hangs off it.

    Call it first inside the change's transaction. It reads the case row afresh and locks
    it, so a closure approved a moment ago cannot be slipped past, and it refuses:
    - unless the actor's roles reach this case for `capability` (`GRANTS`, scoped as the
      pages are: same organisation, own or assigned cases where the role says so);
    - when the case is closed: a closed case is read-only until it is reopened. Only the
      few changes that must stay possible pass `even_if_closed` (reopening it, the person
      withdrawing consent, revoking a referral so that nothing more is shared);
    - when someone saved the case since `expected_version` (`ConcurrentEditError`).
    """
    current = (
        cases_for(actor, capability)
        # Lock the case row only, and let rows pointing at it (history, notifications)
        # still be written meanwhile.
        .select_for_update(no_key=True, of=("self",))
        .select_related("person")
        .filter(pk=case.pk)
        .first()
    )
    if current is None:
        raise RefusedError(_("Your role does not allow this change on this case."))
    if current.is_closed and not even_if_closed:
        raise RefusedError(closed_case_message())
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError
    return current


def bump(current: Case) -> None:
    """A new version of a case that was changed (optimistic locking)."""
    current.version += 1
    current.updated_at = timezone.now()
    current.save()


RECORD_DATES = (
    "guardian_appointed_on",
    "best_interests_assessed_on",
    "child_protection_notified_on",
    "child_assent_on",
    "asylum_referral_on",
)
# The case record's fields that HTCDS has too (haven.interop reads and writes them).
HTCDS_RECORD_FIELDS = (
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
)
RECORD_FIELDS = (
    *HTCDS_RECORD_FIELDS,
    "cooperation",
    "guardian",
    "guardian_appointed_on",
    "guardian_none_reason",
    "best_interests_assessed_on",
    "best_interests_summary",
    "child_protection_notified_on",
    "child_assent",
    "child_assent_on",
    "child_assent_note",
    "fear_of_return",
    "asylum_referral",
    "asylum_referral_on",
)


def update_case_record(
    actor: User, case: Case, data: Mapping[str, Any], *, expected_version: int
) -> list[str]:
    """Save the HTCDS case record. A change of cooperation is dated; it gates nothing."""
    with transaction.atomic():
        current = locked_case(actor, case, Capability.CASE_EDIT, expected_version)
        _refuse_record(data)
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
        if returns.protection_concern(current):
            # A fear of return or an asylum referral recorded after a return was approved
            # withdraws the approval unless it rested on a protection assessment.
            voided = ReturnPlan.objects.filter(
                case=current, approved_at__isnull=False, protection_found_safe=False
            ).update(approved_by=None, approved_at=None, version=F("version") + 1)
            if voided:
                changed.append("return_plan.approved_at")
        bump(current)
        audit_case(actor, current, Action.CASE_RECORD, changed)
        record_event(actor, current, EventKind.RECORD)
    case.refresh_from_db()
    return changed


def _refuse_record(data: Mapping[str, Any]) -> None:
    refuse_future(*(data.get(name) for name in RECORD_DATES))
    if data.get("child_assent") and not data.get("child_assent_on"):
        raise RefusedError(_("Give the date the child gave their assent."))
    if data.get("asylum_referral") in (
        AsylumReferral.REFERRED,
        AsylumReferral.DECLINED,
    ) and not data.get("asylum_referral_on"):
        raise RefusedError(
            _("Give the date the person was referred for international protection, or declined.")
        )


def add_journey_event(actor: User, case: Case, data: Mapping[str, Any]) -> JourneyEvent:
    """Add a dated step of the journey to the timeline."""
    with transaction.atomic():
        current = locked_case(actor, case, Capability.CASE_EDIT)
        refuse_future(data.get("happened_on"))
        event = JourneyEvent.objects.create(case=current, created_by=actor, **data)
        audit_case(
            actor,
            current,
            Action.CASE_JOURNEY,
            sorted(k for k, v in data.items() if v not in ("", None)),
        )
        record_event(actor, current, EventKind.JOURNEY, event.stage)
    return event


def record_age_assessment(
    actor: User,
    case: Case,
    *,
    method: str,
    assessed_on: dt.date,
    outcome: str,
    estimated_age: int | None = None,
    benefit_of_doubt_applied: bool = False,
    note: str = "",
) -> AgeAssessment:
    """Record how the person's age was assessed and what it showed. The latest assessment
    decides whether the case is a child's (`haven.cases.children.is_child`); an uncertain
    age counts as a child's. The benefit of the doubt leans towards a child: it cannot
    come with an adult outcome, nor with an estimated age of 18 or more."""
    with transaction.atomic():
        current = locked_case(actor, case, Capability.CASE_EDIT)
        _refuse_age_assessment(
            method, assessed_on, outcome, estimated_age, benefit_of_doubt_applied
        )
        assessment = AgeAssessment.objects.create(
            case=current,
            method=method,
            assessed_on=assessed_on,
            outcome=outcome,
            estimated_age=estimated_age,
            benefit_of_doubt_applied=benefit_of_doubt_applied,
            note=note.strip(),
            recorded_by=actor,
        )
        changed = ["method", "assessed_on", "outcome"]
        if estimated_age is not None:
            changed.append("estimated_age")
        if benefit_of_doubt_applied:
            changed.append("benefit_of_doubt_applied")
        if note.strip():
            changed.append("note")
        bump(current)
        audit_case(actor, current, Action.CASE_AGE_ASSESSMENT, changed)
        record_event(actor, current, EventKind.AGE_ASSESSED, outcome)
    case.refresh_from_db()
    return assessment


def _refuse_age_assessment(
    method: str, assessed_on: dt.date, outcome: str, estimated_age: int | None, doubt: bool
) -> None:
    if method not in AgeMethod.values:
        raise RefusedError(_("Choose how the age was assessed."))
    if outcome not in AgeOutcome.values:
        raise RefusedError(_("Choose the outcome of the age assessment."))
    refuse_future(assessed_on)
    if estimated_age is not None and not 0 <= estimated_age <= 120:
        raise RefusedError(_("The estimated age must be between 0 and 120."))
    if doubt and outcome == AgeOutcome.ADULT:
        raise RefusedError(
            _("The benefit of the doubt treats the person as a child: it cannot give an adult.")
        )
    if outcome == AgeOutcome.CHILD and estimated_age is not None and estimated_age >= 18:
        raise RefusedError(_("An estimated age of 18 or more is not a child's."))
    if outcome == AgeOutcome.ADULT and estimated_age is not None and estimated_age < 18:
        raise RefusedError(_("An estimated age under 18 is a child's."))


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
CLOSED = CLOSED_STATUSES


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
    """Active <-> follow-up, and reopening. Closing needs `request_closure` and approval.
    Reopening (to active) is the one status change a closed case accepts."""
    reopening_allowed = to == CaseStatus.ACTIVE
    with transaction.atomic():
        current = locked_case(
            actor, case, Capability.CASE_EDIT, expected_version, even_if_closed=reopening_allowed
        )
        _check_move(current, to)
        if to in CLOSED:
            raise RefusedError(_("Closing a case needs a supervisor's approval: request it."))
        reopening = current.status in CLOSED
        current.status = to
        if reopening:
            current.closed_on = None
        bump(current)
        audit_case(actor, current, Action.CASE_STATUS, ["status"])
        record_event(actor, current, EventKind.REOPENED if reopening else EventKind.STATUS, to)
    case.refresh_from_db()


def request_closure(
    actor: User, case: Case, *, to: str, reason: str, details: str, expected_version: int
) -> None:
    """Ask to close the case; it stays open until another person approves."""
    with transaction.atomic():
        current = locked_case(actor, case, Capability.CASE_EDIT, expected_version)
        _check_move(current, to)
        if to not in CLOSED:
            raise RefusedError(_("Choose how the case is closed."))
        if reason not in ClosureReason.values:
            raise RefusedError(_("Choose the reason for closing the case."))
        if reason == ClosureReason.OTHER and not details.strip():
            raise RefusedError(_("Say why the case is closed."))
        if current.closure_pending:
            raise RefusedError(_("A closure request is already waiting for approval."))
        refuse_without_safeguards(current, Gate.CLOSURE)
        current.closure_requested_status = to
        current.closure_reason = reason
        current.closure_details = details
        current.closure_requested_by = actor
        current.closure_requested_at = timezone.now()
        bump(current)
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
    if not can(actor, Capability.CASE_CLOSE_APPROVE):
        raise RefusedError(_("Only a supervisor can approve closing a case."))
    with transaction.atomic():
        current = locked_case(actor, case, Capability.CASE_CLOSE_APPROVE, expected_version)
        if not current.closure_pending:
            raise RefusedError(_("There is no closure request to decide."))
        if current.closure_requested_by_id == actor.pk:
            raise RefusedError(_("Another supervisor must approve a closure you requested."))
        changed = ["closure_requested_status"]
        if approve:
            _check_move(current, current.closure_requested_status)
            # Checked again: an age assessment may have shown a child since the request.
            refuse_without_safeguards(current, Gate.CLOSURE)
            current.status = current.closure_requested_status
            current.closed_on = timezone.localdate()
            changed += ["status", "closed_on"]
        current.closure_requested_status = ""
        bump(current)
        audit_case(actor, current, Action.CASE_CLOSURE_DECIDE, changed)
        kind = EventKind.CLOSURE_APPROVED if approve else EventKind.CLOSURE_REJECTED
        record_event(actor, current, kind, current.status)
    case.refresh_from_db()


# --- cases brought in from another system (haven.interop) ----------------------------

IMPORTED_FIELDS = (
    "status",
    "opened_on",
    "trafficking_status",
    "closure_reason",
    *HTCDS_RECORD_FIELDS,
)


class ImportedCase(NamedTuple):
    """A case an import opened: its key and reference (no object is built)."""

    pk: int
    reference: str


class RowsRefusedError(RefusedError):
    """Some of many records cannot be made: (index, field, why) for each, nothing made."""

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        super().__init__(_("Some rows cannot be imported."))
        self.problems = problems


def _import_problems(actor: User, datas: Sequence[Mapping[str, Any]]) -> list[tuple[int, str, str]]:
    today = timezone.localdate()
    problems = []
    for index, data in enumerate(datas):
        opened = data.get("opened_on")
        if opened is not None and opened > today:
            problems.append((index, "opened_on", _("The date cannot be in the future.")))
        owner = data.get("assigned_to")
        if owner is not None and not may_hold_cases(owner, actor.organisation_id):
            problems.append(
                (index, "assigned_to", _("Not an active case worker of your organisation."))
            )
        # A closure recorded elsewhere comes as it was: with its reason if it had one.
        if data.get("closure_reason") not in ("", None, *ClosureReason.values):
            problems.append((index, "closure_reason", _("Not a reason Haven knows.")))
    return problems


def import_cases(
    actor: User,
    person_ids: Sequence[int],
    datas: Sequence[Mapping[str, Any]],
    *,
    references: Sequence[str],
) -> list[ImportedCase]:
    """Open one case per imported person, as it stood in the system it comes from (its
    HTCDS status and record), in the actor's organisation. Every rule is checked for
    every row first: one bad row refuses them all (`RowsRefusedError`), nothing is made.
    Each case gets its "opened" history line, its place of exploitation on the journey,
    and an audit row; nobody is notified of a bulk load."""
    if not can(actor, Capability.DATA_IMPORT):
        raise PermissionDenied
    problems = _import_problems(actor, datas)
    if problems:
        raise RowsRefusedError(problems)
    chosen = allocate_references(
        CASE_PREFIX,
        references,
        Case,
    )
    # As values, not objects: a case has some fifty fields, and building each one's
    # object was a third of an import's case time. What a row leaves out is the field's
    # default, as `Case(...)` would give it.
    fields = {field.name: field for field in Case._meta.concrete_fields}
    defaults = {name: fields[name].get_default() for name in IMPORTED_FIELDS}
    defaults["opened_on"] = timezone.localdate()
    columns = [
        "reference",
        "person_id",
        "organisation_id",
        "created_by_id",
        "assigned_to_id",
        *IMPORTED_FIELDS,
    ]
    rows = [
        [
            reference,
            person_id,
            actor.organisation_id,
            actor.pk,
            owner.pk if (owner := data.get("assigned_to")) is not None else None,
            *(defaults[name] if data.get(name) is None else data[name] for name in IMPORTED_FIELDS),
        ]
        for reference, person_id, data in zip(chosen, person_ids, datas, strict=True)
    ]
    with transaction.atomic():
        made = [
            ImportedCase(pk, reference)
            for pk, reference in zip(
                bulk.insert_values(Case, columns, rows, keys=True), chosen, strict=True
            )
        ]
        bulk.insert_values(
            CaseEvent,
            ["case_id", "kind", "code", "actor_id"],
            [(case.pk, EventKind.OPENED, "imported", actor.pk) for case in made],
        )
        bulk.insert_values(
            JourneyEvent,
            ["case_id", "stage", "country", "created_by_id"],
            [
                (case.pk, JourneyStage.EXPLOITATION, data["exploitation_country"], actor.pk)
                for case, data in zip(made, datas, strict=True)
                if data.get("exploitation_country")
            ],
        )
        record_many(
            actor=actor,
            action=Action.CASE_CREATE,
            object_type="case",
            entries=[
                (case.reference, ["imported", *(k for k in IMPORTED_FIELDS if data.get(k))])
                for case, data in zip(made, datas, strict=True)
            ],
        )
    return made
