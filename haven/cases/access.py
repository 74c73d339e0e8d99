from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from haven.accounts.roles import Capability, Role
from haven.cases.models import Case
from haven.core.access import get_or_404, scoped

if TYPE_CHECKING:
    from haven.accounts.models import User


def cases_for(user: User, capability: Capability) -> QuerySet[Case]:
    return scoped(
        Case.objects.all(),
        user,
        capability,
        own=Q(created_by=user),
        assigned=Q(assigned_to=user),
    )


def get_case_for(user: User, reference: str, capability: Capability) -> Case:
    """The one lookup of a case from a URL. Fails closed with 404."""
    return get_or_404(
        cases_for(user, capability).select_related("person", "assigned_to"), reference=reference
    )


def due_cases_for(user: User) -> QuerySet[Case]:
    """The cases whose due items a user is shown: a case worker's own caseload, everyone
    else's whole view (a supervisor sees the organisation's)."""
    cases = cases_for(user, Capability.CASE_VIEW)
    if Role.CASE_WORKER in user.role_list:
        return cases.filter(assigned_to=user)
    return cases
