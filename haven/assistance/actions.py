"""Domain actions on assistance. Each runs in one transaction with its audit row and its
entry in the case history.

Nothing here looks at the identification status or at cooperation with the
authorities: assistance starts on the presumption, and help never depends on testifying.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.roles import Capability
from haven.assistance import returns
from haven.assistance.models import (
    DeclineReason,
    FollowUp,
    NeedsAssessment,
    ReturnPlan,
    RiskLevel,
    Service,
    ServiceStatus,
    SupportObjective,
)
from haven.audit.models import Action
from haven.cases.actions import audit_case, locked_case, record_event
from haven.cases.children import Gate, refuse_without_safeguards
from haven.cases.models import EventKind
from haven.core.errors import ConcurrentEditError, RefusedError

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.cases.models import Case

M = TypeVar("M", SupportObjective, Service, FollowUp)

# Reintegration check-ins after the start date, in days: about 1, 3, 6 and 12 months.
FOLLOW_UP_DAYS = (30, 90, 180, 365)


def _filled(data: Mapping[str, Any]) -> list[str]:
    return [name for name, value in data.items() if value not in ("", None, [])]


def _locked(model: type[M], pk: int, expected_version: int) -> M:
    current = model._default_manager.select_for_update().get(pk=pk)
    if getattr(current, "version") != expected_version:  # noqa: B009 - every versioned model
        raise ConcurrentEditError
    return current


def _open_case(actor: User, case: Case) -> Case:
    """The case, locked and still open, that this actor may assist on (cases.locked_case)."""
    return locked_case(actor, case, Capability.ASSISTANCE_EDIT)


def _apply(current: SupportObjective | Service | ReturnPlan, data: Mapping[str, Any]) -> list[str]:
    """Set the fields that differ and save a new version; the names of what changed."""
    changed = [name for name, value in data.items() if getattr(current, name) != value]
    if changed:
        for name in changed:
            setattr(current, name, data[name])
        current.version += 1
        if hasattr(current, "updated_at"):
            current.updated_at = timezone.now()
        current.save()
    return changed


def _not_future(day: dt.date | None) -> None:
    if day is not None and day > timezone.localdate():
        raise RefusedError(_("The date cannot be in the future."))


def add_assessment(actor: User, case: Case, data: Mapping[str, Any]) -> NeedsAssessment:
    """Record a needs and risk assessment; each one is kept."""
    with transaction.atomic():
        current = _open_case(actor, case)
        _not_future(data.get("assessed_on"))
        assessment = NeedsAssessment.objects.create(case=current, created_by=actor, **data)
        audit_case(actor, current, Action.ASSISTANCE_ASSESSMENT, _filled(data))
        record_event(actor, current, EventKind.ASSESSMENT)
    return assessment


def add_objective(actor: User, case: Case, data: Mapping[str, Any]) -> SupportObjective:
    """Add an objective to the support plan, in one stage of protection."""
    with transaction.atomic():
        current = _open_case(actor, case)
        _not_future(data.get("actual_end"))
        objective = SupportObjective.objects.create(case=current, created_by=actor, **data)
        audit_case(actor, current, Action.ASSISTANCE_PLAN, _filled(data))
        record_event(actor, current, EventKind.PLAN, objective.stage)
    return objective


def update_objective(
    actor: User, objective: SupportObjective, data: Mapping[str, Any], *, expected_version: int
) -> list[str]:
    """Save an objective edited from `expected_version`."""
    with transaction.atomic():
        case = _open_case(actor, objective.case)
        _not_future(data.get("actual_end"))
        current = _locked(SupportObjective, objective.pk, expected_version)
        changed = _apply(current, data)
        if not changed:
            return []
        audit_case(actor, case, Action.ASSISTANCE_PLAN, changed)
        record_event(actor, case, EventKind.PLAN, current.stage)
    objective.refresh_from_db()
    return changed


def record_service(actor: User, case: Case, data: Mapping[str, Any]) -> Service:
    """Offer, deliver, or record that the person declined a service. Declining closes nothing."""
    with transaction.atomic():
        current = _open_case(actor, case)
        data = _check_service(data)
        service = Service.objects.create(case=current, created_by=actor, **data)
        audit_case(actor, current, Action.ASSISTANCE_SERVICE, _filled(data))
        record_event(actor, current, EventKind.SERVICE, service.status)
    return service


def _check_service(data: Mapping[str, Any]) -> dict[str, Any]:
    """The data as it may be saved: a declined service says why (and "the person did not
    say" is a full answer); any other status carries no reason."""
    if data.get("status") != ServiceStatus.OFFERED:
        _not_future(data.get("on"))
    if data.get("cost") is not None and not data.get("currency"):
        raise RefusedError(_("Give the currency of the cost."))
    reason = ""
    if data.get("status") == ServiceStatus.DECLINED:
        reason = data.get("decline_reason") or ""
        if reason not in DeclineReason.values:
            raise RefusedError(_("Say why the person declined, or that they did not say."))
    return {**data, "decline_reason": reason}


def update_service(
    actor: User, service: Service, data: Mapping[str, Any], *, expected_version: int
) -> list[str]:
    """E.g. a declined service taken up later: the person may always come back to it."""
    with transaction.atomic():
        case = _open_case(actor, service.case)
        current = _locked(Service, service.pk, expected_version)
        merged = {"status": current.status, "on": current.on, **data}
        merged.setdefault("decline_reason", current.decline_reason)
        data = {**data, "decline_reason": _check_service(merged)["decline_reason"]}
        changed = _apply(current, data)
        if not changed:
            return []
        audit_case(actor, case, Action.ASSISTANCE_SERVICE, changed)
        record_event(actor, case, EventKind.SERVICE_UPDATED, current.status)
    service.refresh_from_db()
    return changed


def save_return_plan(
    actor: User, case: Case, data: Mapping[str, Any], *, expected_version: int | None
) -> ReturnPlan:
    """Record a voluntary return. Without the person's own request and informed consent
    there is no return plan in Haven: a return against their will is a deportation."""
    with transaction.atomic():
        current = _open_case(actor, case)
        if not data.get("informed_consent"):
            raise RefusedError(
                _(
                    "A return is recorded only when the person asked for it and gave "
                    "informed consent."
                )
            )
        if not data.get("risk_assessed_on") or data.get("risk_level") in ("", RiskLevel.UNKNOWN):
            raise RefusedError(_("Assess the risks of return before planning it."))
        _not_future(data.get("requested_on"))
        _not_future(data.get("risk_assessed_on"))
        if barred := returns.reflection_bar(current, timezone.localdate(), data.get("travel_on")):
            raise RefusedError(barred)
        existing = ReturnPlan.objects.select_for_update().filter(case=current).first()
        if existing is None:
            if expected_version is not None:
                raise ConcurrentEditError
            plan = ReturnPlan.objects.create(case=current, created_by=actor, **data)
            changed = _filled(data)
        else:
            if existing.version != expected_version:
                raise ConcurrentEditError
            changed = _apply(existing, data)
            plan = existing
            if changed and plan.is_approved:
                # A changed plan is a new plan: it needs approving again.
                plan.approved_by, plan.approved_at = None, None
                plan.save(update_fields=["approved_by", "approved_at"])
                changed.append("approved_at")
        audit_case(actor, current, Action.ASSISTANCE_RETURN, changed)
        record_event(actor, current, EventKind.RETURN)
    return plan


def approve_return_plan(
    actor: User,
    case: Case,
    *,
    expected_version: int,
    found_safe: bool = False,
    still_asks: bool = False,
    assessment: str = "",
) -> ReturnPlan:
    """A supervisor approves the voluntary return plan, so that travel can be arranged.

    Refused during the reflection period where the jurisdiction allows no removal (with
    the profile's own words), and, while the person fears harm on return or an asylum
    referral is open, unless the supervisor's protection assessment finds return safe and
    the person, told of that risk and of the right to seek asylum, still asks to go.
    """
    with transaction.atomic():
        current = locked_case(actor, case, Capability.RETURN_APPROVE)
        refuse_without_safeguards(current, Gate.RETURN_PLAN)
        plan = ReturnPlan.objects.select_for_update().filter(case=current).first()
        if plan is None:
            raise RefusedError(_("There is no return plan to approve."))
        if plan.version != expected_version:
            raise ConcurrentEditError
        if plan.is_approved:
            raise RefusedError(_("This return plan is already approved."))
        today = timezone.localdate()
        if barred := returns.reflection_bar(current, today, plan.travel_on):
            raise RefusedError(barred)
        changed = ["approved_at"]
        if concern := returns.protection_concern(current):
            if not found_safe or not still_asks or not assessment.strip():
                raise RefusedError(
                    concern
                    + " "
                    + _(
                        "Approve the return only after your own protection assessment "
                        "finds return safe, and the person, told of the risk and of the "
                        "right to seek asylum, still asks to go. Record both."
                    )
                )
            plan.protection_assessed_on = today
            plan.protection_found_safe = True
            plan.protection_still_asks = True
            plan.protection_assessment = assessment.strip()
            changed += ["protection_found_safe", "protection_still_asks", "protection_assessment"]
        plan.approved_by = actor
        plan.approved_at = timezone.now()
        plan.version += 1
        plan.save()
        audit_case(actor, current, Action.ASSISTANCE_RETURN_APPROVE, changed)
        record_event(actor, current, EventKind.RETURN_APPROVED)
    return plan


def schedule_follow_ups(
    actor: User, case: Case, start: dt.date, days: Iterable[int] = FOLLOW_UP_DAYS
) -> list[FollowUp]:
    """Check-ins at set intervals after `start` (e.g. the return or the end of shelter)."""
    with transaction.atomic():
        current = _open_case(actor, case)
        existing = set(FollowUp.objects.filter(case=current).values_list("due_on", flat=True))
        due = sorted({start + dt.timedelta(days=d) for d in days} - existing)
        if not due:
            return []
        created = FollowUp.objects.bulk_create(FollowUp(case=current, due_on=day) for day in due)
        audit_case(actor, current, Action.ASSISTANCE_FOLLOW_UP, ["due_on"])
        record_event(actor, current, EventKind.FOLLOW_UP_SCHEDULED, str(len(created)))
    return created


def record_follow_up(
    actor: User, follow_up: FollowUp, data: Mapping[str, Any], *, expected_version: int
) -> None:
    """Record how a reintegration check-in went."""
    with transaction.atomic():
        case = _open_case(actor, follow_up.case)
        _not_future(data.get("done_on"))
        current = _locked(FollowUp, follow_up.pk, expected_version)
        for name, value in data.items():
            setattr(current, name, value)
        current.done_by = actor
        current.version += 1
        current.save()
        audit_case(actor, case, Action.ASSISTANCE_FOLLOW_UP, [*_filled(data), "done_by"])
        record_event(actor, case, EventKind.FOLLOW_UP, str(current.outcome))
    follow_up.refresh_from_db()
