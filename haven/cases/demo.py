"""Fictional case histories for `haven demo`, so every screen shows something real:
cases in every identification status and every case status, with services, a journey, a
voluntary return and follow-ups, some of them overdue. Dates are relative to today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from haven.accounts.models import User
from haven.accounts.roles import Role
from haven.assistance import actions as assist
from haven.cases import actions as cases
from haven.cases.models import Case
from haven.identification.actions import change_status
from haven.screening.models import Screening, ScreeningStatus

Users = dict[Role, User]


def _ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _step(users: Users, case: Case, target: str, days_ago: int, basis: str = "") -> None:
    role = Role.DETERMINATION_OFFICER if basis else Role.CASE_WORKER
    case.refresh_from_db()
    screenings = (
        list(Screening.objects.filter(case=case, status=ScreeningStatus.COMPLETED)) if basis else []
    )
    change_status(
        users[role],
        case,
        target,
        decided_on=_ago(days_ago),
        basis=basis,
        screenings=screenings,
        expected_version=case.version,
    )


def _record(users: Users, case: Case, **fields: Any) -> None:
    case.refresh_from_db()
    cases.update_case_record(users[Role.CASE_WORKER], case, fields, expected_version=case.version)


def _service(users: Users, case: Case, kind: str, status: str, days_ago: int, **extra: Any) -> None:
    stage = extra.pop("stage", "initial")
    data = {"stage": stage, "kind": kind, "status": status, "on": _ago(days_ago), **extra}
    assist.record_service(users[Role.CASE_WORKER], case, data)


def _close(users: Users, case: Case, to: str, reason: str, *, approve: bool = True) -> None:
    case.refresh_from_db()
    cases.request_closure(
        users[Role.CASE_WORKER],
        case,
        to=to,
        reason=reason,
        details="",
        expected_version=case.version,
    )
    if approve:
        case.refresh_from_db()
        cases.decide_closure(
            users[Role.SUPERVISOR], case, approve=True, expected_version=case.version
        )


def labour_first_positive(users: Users, case: Case) -> None:
    """Adult, forced labour on a fishing boat: presumed, positive first decision, helped."""
    _step(users, case, "presumed", 12)
    _step(users, case, "first_positive", 5, "Screening presumed victim; consistent account (DEMO).")
    _record(
        users,
        case,
        exploitation_types=["ForcedLabour"],
        forced_labour_industry="A_AgricultureForestryAndFishing",
        methods_of_control=["DebtBondage", "WithholdsDocuments", "ExcessiveWorkingHours"],
        recruitment_methods=["ThroughFriendsOrSocialEvents"],
        recruitment_country="TH",
        relationship_to_trafficker="Acquainted",
        age_when_trafficked=31,
        recruitment_apps=["Line"],
        cooperation="intelligence",
    )
    worker = users[Role.CASE_WORKER]
    for stage, days, country, place in (
        ("Recruitment", 210, "TH", "Market town (DEMO)"),
        ("Transit", 200, "TH", "Port (DEMO)"),
        ("Exploitation", 195, "", "Fishing boat at sea (DEMO)"),
    ):
        cases.add_journey_event(
            worker,
            case,
            {
                "stage": stage,
                "happened_on": _ago(days),
                "date_is_approximate": True,
                "country": country,
                "place": place,
                "description": "",
            },
        )
    assist.add_assessment(
        worker,
        case,
        {
            "assessed_on": _ago(11),
            "individual_needs": "Rest, medical check, wages owed (DEMO).",
            "family_needs": "Family in debt to the recruiter (DEMO).",
            "community_needs": "",
            "retaliation_risk": "medium",
            "retrafficking_risk": "medium",
        },
    )
    assist.add_objective(
        worker,
        case,
        {
            "stage": "initial",
            "plan_type": "Health",
            "objectives": "Medical check and rest (DEMO).",
            "action_plan": "Clinic visit; shelter for two weeks.",
            "planned_end": _ago(-14),
        },
    )
    assist.add_objective(
        worker,
        case,
        {
            "stage": "sustainable",
            "plan_type": "Livelihood",
            "objectives": "Claim unpaid wages; vocational training (DEMO).",
            "action_plan": "",
            "planned_end": _ago(-120),
        },
    )
    _service(users, case, "accommodation", "delivered", 11, provider="Demo shelter")
    _service(
        users, case, "medical", "delivered", 10, provider="Demo clinic", cost=1200, currency="THB"
    )
    _service(
        users,
        case,
        "legal",
        "declined",
        9,
        decline_reason="not_needed",
        note="Wants to think about it first.",
    )
    _service(users, case, "compensation", "offered", 0, stage="sustainable")


def child_safeguards(users: Users, case: Case) -> None:
    """A child's safeguards, recorded before the child's screening is completed (the
    screening gate of haven.cases.children): an age assessment giving the benefit of the
    doubt, a guardian, a best-interests assessment and the child's assent."""
    cases.record_age_assessment(
        users[Role.CASE_WORKER],
        case,
        method="interview",
        assessed_on=_ago(21),
        outcome="uncertain",
        estimated_age=16,
        benefit_of_doubt_applied=True,
        note="No documents; treated as a child (DEMO).",
    )
    _record(
        users,
        case,
        guardian="Demo guardian, child protection officer",
        guardian_appointed_on=_ago(19),
        best_interests_assessed_on=_ago(15),
        best_interests_summary="Stay in the shelter; family tracing first (DEMO).",
        child_assent=True,
        child_assent_on=_ago(15),
        child_assent_note="Agreed to stay in the shelter while the family is traced (DEMO).",
    )


def child_presumed_overdue(users: Users, case: Case) -> None:
    """A child: presumed at once, guardian appointed, the first decision now overdue."""
    _step(users, case, "presumed", 20)
    if not case.guardian:
        child_safeguards(users, case)
    _record(
        users,
        case,
        exploitation_types=["ChildLabour", "ForcedBegging"],
        age_when_trafficked=15,
        child_protection_notified_on=_ago(20),
    )
    _service(users, case, "accommodation", "delivered", 20, provider="Demo children's shelter")
    _service(users, case, "family_tracing", "offered", 0)


def screened_only(users: Users, case: Case) -> None:
    """Just screened: no step taken yet."""


def withdrew_closure_pending(users: Users, case: Case) -> None:
    """Presumed, then the person withdrew; closing is requested and waits for approval."""
    _step(users, case, "presumed", 40)
    _step(users, case, "withdrew", 30)
    _close(users, case, "Closed", "person_declined", approve=False)


def not_a_victim_closed(users: Users, case: Case) -> None:
    _step(users, case, "not_a_victim", 60, "Irregular work, no indicator of trafficking (DEMO).")
    _close(users, case, "Closed", "goals_met")


def returned_follow_up(users: Users, case: Case) -> None:
    """Both decisions positive, a voluntary return, follow-ups with one missed."""
    _step(users, case, "presumed", 160)
    _step(users, case, "first_positive", 155, "Reasonable grounds: recruiter debt, passport held.")
    _step(
        users, case, "final_positive", 100, "Conclusive grounds: corroborated by employer records."
    )
    worker = users[Role.CASE_WORKER]
    assist.save_return_plan(
        worker,
        case,
        {
            "informed_consent": True,
            "requested_on": _ago(95),
            "destination_country": "VN",
            "risk_assessed_on": _ago(94),
            "risk_level": "low",
            "risk_summary": "Recruiter arrested; family supportive (DEMO).",
            "receiving_organisation": "Demo reintegration partner",
            "receiving_plan": "Met at the airport; reintegration grant; vocational course.",
            "travel_on": _ago(100 - 10),
        },
        expected_version=None,
    )
    _service(users, case, "return", "delivered", 90, stage="sustainable", provider="Demo IO")
    _service(users, case, "reintegration_grant", "delivered", 85, stage="sustainable")
    follow_ups = assist.schedule_follow_ups(worker, case, _ago(100))
    first = follow_ups[0]
    assist.record_follow_up(
        worker,
        first,
        {"done_on": first.due_on, "outcome": "well", "note": ""},
        expected_version=first.version,
    )
    case.refresh_from_db()
    cases.change_case_status(worker, case, "FollowUp", expected_version=case.version)


def first_negative_still_helped(users: Users, case: Case) -> None:
    """A negative first decision: help goes on while a reconsideration is asked for."""
    _step(users, case, "presumed", 15)
    _step(users, case, "first_negative", 3, "Reasonable grounds not met on current evidence.")
    _service(users, case, "legal", "delivered", 2, provider="Demo legal aid")


def final_negative(users: Users, case: Case) -> None:
    _step(users, case, "presumed", 80)
    _step(users, case, "first_positive", 75, "Reasonable grounds: deception about the job.")
    _step(users, case, "final_negative", 10, "Conclusive grounds not met (DEMO).")


def confirmed_closed_referred(users: Users, case: Case) -> None:
    _step(users, case, "presumed", 400)
    _step(users, case, "first_positive", 395, "Reasonable grounds (DEMO).")
    _step(users, case, "final_positive", 300, "Conclusive grounds (DEMO).")
    _step(users, case, "confirmed", 30, "Trafficker convicted by the provincial court (DEMO).")
    _close(users, case, "ClosedReferred", "referred")


STORIES: dict[str, Callable[[Users, Case], None]] = {
    f.__name__: f
    for f in (
        labour_first_positive,
        child_presumed_overdue,
        screened_only,
        withdrew_closure_pending,
        not_a_victim_closed,
        returned_follow_up,
        first_negative_still_helped,
        final_negative,
        confirmed_closed_referred,
    )
}
