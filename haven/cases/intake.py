"""The hand-over from screening to casework.

A screener who completed a screening about a recorded person hands them over; the person
waits in the organisation's intake queue, most urgent first, until a supervisor or an
intake officer gives them a case worker in one step: onto the case the screening was done
from, onto the person's one active case, or onto a case opened there and then. The case
worker hears of it through the case's history (`record_event` notifies the case team).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.roles import Capability, can
from haven.audit.chain import record
from haven.audit.models import Action
from haven.cases import actions
from haven.cases.models import CLOSED_STATUSES, Case, EventKind, Intake
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.screening.access import screenings_for

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.screening.models import Screening

URGENT_FLAGS = frozenset({"medical_urgent", "needs_safe_place"})
CHILD_FLAGS = frozenset({"child", "age_uncertain"})


def priority_of(screening: Screening) -> int:
    """0 urgent, 1 child, 2 presumed victim, 3 anything else: the queue's order."""
    flags = set(screening.result.get("flags", []))
    if flags & URGENT_FLAGS:
        return 0
    if flags & CHILD_FLAGS:
        return 1
    if screening.outcome == "presumed_victim":
        return 2
    return 3


def intake_queue(user: User) -> QuerySet[Intake]:
    """The waiting intakes the user may assign: their organisation's, most urgent first."""
    if not can(user, Capability.INTAKE_ASSIGN):
        return Intake.objects.none()
    return Intake.objects.filter(
        organisation_id=user.organisation_id, assigned_at__isnull=True
    ).select_related("person", "screening", "handed_over_by")


def active_cases(intake: Intake) -> QuerySet[Case]:
    """The person's active cases in the intake's organisation, newest first."""
    return (
        Case.objects.filter(person_id=intake.person_id, organisation_id=intake.organisation_id)
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("-opened_on", "-pk")
    )


def why_not_hand_over(screening: Screening) -> str:
    """Why this screening cannot be handed over now, or "" when it can. The rule of
    `hand_over`, also asked by the result page before offering the button."""
    if not screening.is_completed:
        return _("Complete the screening before handing the person over.")
    if screening.person_id is None:
        return _("Attach the screening to the person first: the case worker needs the record.")
    case = screening.case
    if case is not None and case.assigned_to_id and not case.is_closed:
        return _("This screening's case already has a case worker, who can see the screening.")
    if Intake.objects.filter(screening=screening).exists():
        return _("This screening was already handed over.")
    return ""


def hand_over(actor: User, screening: Screening) -> Intake:
    """Put the screened person in the intake queue of the screening's organisation.

    Only a completed screening about a recorded person, by someone whose role reaches the
    screening; not when its case already has a case worker (they already hear of it), and
    not twice while the person waits."""
    with transaction.atomic():
        current = (
            screenings_for(actor, Capability.SCREENING_VIEW)
            .select_for_update(of=("self",))
            .select_related("case")
            .filter(pk=screening.pk)
            .first()
        )
        if current is None:
            raise RefusedError(_("Your role does not allow handing over this screening."))
        refusal = why_not_hand_over(current)
        if refusal:
            raise RefusedError(refusal)
        person_id = current.person_id
        assert person_id is not None  # noqa: S101 - why_not_hand_over refuses no person
        if Intake.objects.filter(person_id=person_id, assigned_at__isnull=True).exists():
            raise RefusedError(_("This person already waits for a case worker."))
        try:
            with transaction.atomic():
                intake = Intake.objects.create(
                    organisation_id=current.organisation_id,
                    person_id=person_id,
                    screening=current,
                    priority=priority_of(current),
                    handed_over_by=actor,
                )
        except IntegrityError as error:  # a colleague handed the person over meanwhile
            raise RefusedError(_("This person already waits for a case worker.")) from error
        record(
            actor=actor,
            action=Action.INTAKE_HAND_OVER,
            object_type="screening",
            object_ref=current.reference,
            changed_fields=["intake"],
        )
    return intake


def assign(
    actor: User,
    intake: Intake,
    *,
    case_worker: User,
    case: Case | None,
    expected_version: int,
) -> Case:
    """Give a waiting person a case worker, in one step.

    `case` is one of the person's active cases (`active_cases`) or None to open a new one;
    the screening is attached to the case when it had none. The case worker is notified
    through the case's history."""
    if not can(actor, Capability.INTAKE_ASSIGN):
        raise RefusedError(_("Your role may not assign people from the intake queue."))
    with transaction.atomic():
        current = (
            Intake.objects.select_for_update()
            .select_related("person", "screening")
            .filter(pk=intake.pk, organisation_id=actor.organisation_id)
            .first()
        )
        if current is None:
            raise RefusedError(_("Your role may not assign people from the intake queue."))
        if current.version != expected_version:
            raise ConcurrentEditError
        if not current.is_waiting:
            raise RefusedError(_("Someone already gave this person a case worker."))
        if not actions.may_hold_cases(case_worker, current.organisation_id):
            raise RefusedError(
                _("A case can only be assigned to an active case worker of its organisation.")
            )
        if case is None:
            target = actions.open_case(
                actor,
                current.person,
                assigned_to=case_worker,
                opened_on=timezone.localdate(),
                summary="",
                # The assigner was shown the person's active cases and chose a new one.
                confirmed_second_case=True,
            )
        else:
            if not active_cases(current).filter(pk=case.pk).exists():
                raise RefusedError(_("Choose one of the person's active cases, or a new case."))
            target = actions.locked_case(actor, case, Capability.INTAKE_ASSIGN)
            if target.assigned_to_id != case_worker.pk:
                target.assigned_to = case_worker
                actions.bump(target)
                actions.audit_case(actor, target, Action.CASE_UPDATE, ["assigned_to"])
        screening = current.screening
        if screening.case_id is None:
            screening.case = target
            screening.version += 1
            screening.save(update_fields=["case", "version"])
            record(
                actor=actor,
                action=Action.SCREENING_ATTACH,
                object_type="screening",
                object_ref=screening.reference,
                changed_fields=["case"],
            )
        current.case = target
        current.assigned_to = case_worker
        current.assigned_by = actor
        current.assigned_at = timezone.now()
        current.version += 1
        current.save()
        record(
            actor=actor,
            action=Action.INTAKE_ASSIGN,
            object_type="case",
            object_ref=target.reference,
            changed_fields=["assigned_to", "intake"],
        )
        # Tells the case worker (and the supervisors) on their home page.
        actions.record_event(actor, target, EventKind.HANDED_OVER, screening.outcome)
    return target
