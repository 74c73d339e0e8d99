from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from haven.accounts.roles import Capability
from haven.core.access import get_or_404, scoped
from haven.screening.models import Screening

if TYPE_CHECKING:
    from haven.accounts.models import User


def screenings_for(user: User, capability: Capability) -> QuerySet[Screening]:
    return scoped(
        Screening.objects.all(),
        user,
        capability,
        own=Q(created_by=user),
        assigned=Q(case__assigned_to=user),
    )


def get_screening_for(user: User, reference: str, capability: Capability) -> Screening:
    """The one lookup of a screening from a URL. Fails closed with 404."""
    return get_or_404(
        screenings_for(user, capability).select_related("person", "case"), reference=reference
    )
