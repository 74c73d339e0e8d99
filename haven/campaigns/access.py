"""The one scoped lookup for campaigns: the actor's organisation's, for those who plan
them. Another organisation's campaign is "not found"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from haven.accounts.roles import Capability
from haven.campaigns.models import Campaign, Material, Status
from haven.core.access import get_or_404, scoped

if TYPE_CHECKING:
    from haven.accounts.models import User


def campaigns_for(user: User) -> QuerySet[Campaign]:
    return scoped(
        Campaign.objects.all(),
        user,
        Capability.CAMPAIGN_EDIT,
        own=Q(created_by=user),
        assigned=Q(pk__in=[]),
    )


def get_campaign_for(user: User, pk: int) -> Campaign:
    return get_or_404(campaigns_for(user), pk=pk)


def public_materials() -> QuerySet[Material]:
    """What the public information section lists: materials flagged public, of campaigns
    that run or ran, of real organisations (a training organisation's never leave it)."""
    return Material.objects.filter(
        public=True,
        campaign__status__in=[Status.RUNNING, Status.ENDED],
        campaign__organisation__is_training=False,
    )
