"""Authorization matrix entries for the hotline's URLs (see tests/test_authorization.py).

Operators and supervisors share the organisation's call log; supervisors answer SOS
alerts and keep the duty rota; leads are seen by whoever logged the tip (operator), the
outreach worker assigned (case worker), supervisors and coordinators, and managed by the
last two. The call-volume chart is statistics: analysts, supervisors, coordinators.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from haven.accounts.roles import Role
from haven.hotline.models import Call, DutyShift, Lead, SosAlert
from tests.personas import World

HOTLINE = {Role.HOTLINE_OPERATOR: 200, Role.SUPERVISOR: 200}
LEAD_READERS = (Role.HOTLINE_OPERATOR, Role.CASE_WORKER, Role.SUPERVISOR, Role.COORDINATOR)
LEAD_MANAGERS = (Role.SUPERVISOR, Role.COORDINATOR)
STATISTICS = {Role.ANALYST: 200, Role.SUPERVISOR: 200, Role.COORDINATOR: 200}
STALE = {"version": "999"}


def call_a(world: World) -> dict[str, Any]:
    # Fixture rows straight through the ORM: the matrix checks access, not the actions.
    # (encrypted notes cannot be looked up: the fixture is the one walk-in call).
    call, _created = Call.objects.get_or_create(
        organisation=world.orgs["A"],
        channel="walk_in",
        defaults={
            "caller_type": "unknown",
            "topic": "tip",
            "language": "km",
            "outcome": "advice_only",
            "recorded_by": world.user("A", Role.HOTLINE_OPERATOR),
        },
    )
    return {"pk": call.pk}


def alert_a(world: World) -> dict[str, Any]:
    """A fresh, unacknowledged SOS of A for each request."""
    operator = world.user("A", Role.HOTLINE_OPERATOR)
    call = Call.objects.create(
        organisation=world.orgs["A"],
        channel="phone",
        caller_type="unknown",
        topic="sos",
        language="km",
        recorded_by=operator,
    )
    alert = SosAlert.objects.create(
        call=call, organisation=world.orgs["A"], danger="Matrix fixture", raised_by=operator
    )
    return {"pk": alert.pk}


def shift_a(world: World) -> dict[str, Any]:
    """A fresh future shift of A's supervisor for each request."""
    supervisor = world.user("A", Role.SUPERVISOR)
    start = timezone.now() + dt.timedelta(days=30 + DutyShift.objects.count())
    shift = DutyShift.objects.create(
        organisation=world.orgs["A"],
        supervisor=supervisor,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        set_by=supervisor,
    )
    return {"pk": shift.pk}


def lead_a(world: World) -> dict[str, Any]:
    """A's lead from an operator's tip, assigned to A's case worker."""
    lead, _created = Lead.objects.get_or_create(
        organisation=world.orgs["A"],
        district="MATRIX",
        defaults={
            "summary": "Matrix fixture lead",
            "source": "hotline",
            "status": "assigned",
            "assigned_to": world.user("A", Role.CASE_WORKER),
            "created_by": world.user("A", Role.HOTLINE_OPERATOR),
        },
    )
    return {"pk": lead.pk}


# Plain dicts of Probe's fields, as the directory's are.
HOTLINE_MATRIX: dict[str, dict[str, Any]] = {
    "hotline:calls": {"method": "GET", "allowed": HOTLINE},
    "hotline:call_new": {"method": "GET", "allowed": HOTLINE},
    "hotline:sos": {"method": "GET", "allowed": HOTLINE},
    "hotline:call_detail": {
        "method": "GET",
        "allowed": HOTLINE,
        "kwargs": call_a,
        "record_bound": True,
    },
    "hotline:call_screening": {
        "method": "GET",
        "allowed": HOTLINE,
        "kwargs": call_a,
        "record_bound": True,
    },
    "hotline:call_lead": {
        "method": "GET",
        "allowed": HOTLINE,
        "kwargs": call_a,
        "record_bound": True,
    },
    "hotline:alerts": {"method": "GET", "allowed": {Role.SUPERVISOR: 200}},
    "hotline:alert_acknowledge": {
        "method": "POST",
        "allowed": {Role.SUPERVISOR: 302},
        "kwargs": alert_a,
        "record_bound": True,
    },
    "hotline:duty": {"method": "GET", "allowed": {Role.SUPERVISOR: 200}},
    "hotline:duty_remove": {
        "method": "POST",
        "allowed": {Role.SUPERVISOR: 302},
        "kwargs": shift_a,
        "record_bound": True,
    },
    "hotline:leads": {"method": "GET", "allowed": dict.fromkeys(LEAD_READERS, 200)},
    "hotline:lead_detail": {
        "method": "GET",
        "allowed": dict.fromkeys(LEAD_READERS, 200),
        "kwargs": lead_a,
        "record_bound": True,
    },
    # Stale or incomplete forms: refused with a message, nothing changed.
    "hotline:lead_assign": {
        "method": "POST",
        "allowed": dict.fromkeys(LEAD_MANAGERS, 302),
        "kwargs": lead_a,
        "data": STALE,
        "record_bound": True,
    },
    "hotline:lead_pass": {
        "method": "POST",
        "allowed": dict.fromkeys(LEAD_MANAGERS, 302),
        "kwargs": lead_a,
        "data": STALE,
        "record_bound": True,
    },
    "hotline:lead_met": {
        "method": "POST",
        "allowed": dict.fromkeys(LEAD_READERS, 302),
        "kwargs": lead_a,
        "data": STALE,
        "record_bound": True,
    },
    "hotline:lead_close": {
        "method": "POST",
        "allowed": dict.fromkeys(LEAD_MANAGERS, 302),
        "kwargs": lead_a,
        "data": STALE,
        "record_bound": True,
    },
    "hotline:volume": {"method": "GET", "allowed": STATISTICS},
    "hotline:volume_svg": {"method": "GET", "allowed": STATISTICS},
}
