"""Closing a persona's case the real way, and a picture of everything a change to a case
could touch, to prove that a refused change touched nothing."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from haven.accounts.roles import Role
from haven.assistance.models import (
    FollowUp,
    NeedsAssessment,
    ReturnPlan,
    Service,
    SupportObjective,
)
from haven.audit.models import AuditEntry
from haven.care.models import Feedback, Stay
from haven.cases.actions import decide_closure, request_closure
from haven.cases.choices import ClosureReason
from haven.cases.models import (
    AgeAssessment,
    Case,
    CaseEvent,
    CaseStatus,
    JourneyEvent,
    Notification,
)
from haven.identification.models import IdentificationChange
from haven.justice.models import (
    CompensationClaim,
    Hearing,
    Penalisation,
    Proceeding,
    ProtectionMeasure,
    SafetyReview,
)
from haven.referrals.models import Consent, OverrideRequest, Referral
from haven.screening.models import Screening
from tests.personas import World

# Every table that holds something of a case, beside the case row itself.
HANGING_OFF: tuple[type[Model], ...] = (
    JourneyEvent,
    AgeAssessment,
    NeedsAssessment,
    SupportObjective,
    Service,
    ReturnPlan,
    FollowUp,
    Stay,
    Feedback,
    Consent,
    Referral,
    IdentificationChange,
    Screening,
    CaseEvent,
    Penalisation,
    Proceeding,
    Hearing,
    ProtectionMeasure,
    SafetyReview,
    CompensationClaim,
)


def close(world: World, key: str = "A", to: str = CaseStatus.CLOSED) -> Case:
    """The case worker asks, the supervisor approves: the case is closed."""
    case = Case.objects.get(pk=world.cases[key].pk)
    request_closure(
        world.user(key, Role.CASE_WORKER),
        case,
        to=to,
        reason=ClosureReason.GOALS_MET,
        details="",
        expected_version=case.version,
    )
    case.refresh_from_db()
    decide_closure(
        world.user(key, Role.SUPERVISOR), case, approve=True, expected_version=case.version
    )
    case.refresh_from_db()
    assert case.is_closed, "a fixture that failed to close would prove nothing"
    return case


def everything_about(case: Case) -> dict[str, Any]:
    """The case row, every row hanging off it, the audit trail and the notifications."""
    row = Case.objects.get(pk=case.pk)
    state: dict[str, Any] = {
        "case": {f.attname: getattr(row, f.attname) for f in Case._meta.concrete_fields},
        "audit": (AuditEntry.objects.count(), _last_seq()),
        "notifications": list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
    }
    for model in HANGING_OFF:
        rows = model._default_manager.filter(case=row).order_by("pk")
        state[model.__name__] = [
            {f.attname: getattr(r, f.attname) for f in model._meta.concrete_fields} for r in rows
        ]
    # Emergency requests hang off the case's referrals, not off the case itself.
    state["OverrideRequest"] = list(
        OverrideRequest.objects.filter(referral__case=row).order_by("pk").values()
    )
    return state


def _last_seq() -> int | None:
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    return int(last) if last is not None else None
