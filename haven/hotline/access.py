"""Scoped lookups for the hotline's records: the one way any view reaches them.

Calls and SOS alerts are the organisation's (HOTLINE_LOG, SOS_RESPOND); leads follow
LEAD_VIEW's scopes: an operator sees the leads they opened, an outreach worker those
assigned to them, supervisors and coordinators the organisation's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from haven.accounts.roles import Capability
from haven.core.access import get_or_404, scoped
from haven.hotline.models import Call, DutyShift, Lead, SosAlert

if TYPE_CHECKING:
    from haven.accounts.models import User


def calls_for(user: User) -> QuerySet[Call]:
    return scoped(
        Call.objects.all(),
        user,
        Capability.HOTLINE_LOG,
        own=Q(recorded_by=user),
        assigned=Q(pk__in=[]),
    )


def get_call_for(user: User, pk: int) -> Call:
    return get_or_404(calls_for(user).select_related("recorded_by", "screening"), pk=pk)


def alerts_for(user: User) -> QuerySet[SosAlert]:
    """The organisation's SOS alerts, for supervisors who respond to them."""
    return scoped(
        SosAlert.objects.all(),
        user,
        Capability.SOS_RESPOND,
        own=Q(alerted=user),
        assigned=Q(alerted=user),
    )


def get_alert_for(user: User, pk: int) -> SosAlert:
    return get_or_404(alerts_for(user), pk=pk)


def shifts_for(user: User) -> QuerySet[DutyShift]:
    return scoped(
        DutyShift.objects.all(),
        user,
        Capability.SOS_RESPOND,
        own=Q(supervisor=user),
        assigned=Q(supervisor=user),
    )


def leads_for(user: User, capability: Capability = Capability.LEAD_VIEW) -> QuerySet[Lead]:
    return scoped(
        Lead.objects.all(),
        user,
        capability,
        own=Q(created_by=user),
        assigned=Q(assigned_to=user),
    )


def get_lead_for(user: User, pk: int) -> Lead:
    return get_or_404(
        leads_for(user).select_related(
            "assigned_to", "created_by", "call", "passed_to_organisation", "passed_to_provider"
        ),
        pk=pk,
    )
