"""The one scoped lookup of community reports. A reporter reaches their own reports only
(COMMUNITY_REPORT, scope own); coordinators and supervisors their organisation's
(COMMUNITY_MAP). Anything else, another organisation's above all, is not found."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from haven.accounts.roles import Capability
from haven.community.models import CommunityReport
from haven.core.access import get_or_404, scoped

if TYPE_CHECKING:
    from haven.accounts.models import User


def reports_for(user: User, capability: Capability) -> QuerySet[CommunityReport]:
    return scoped(
        CommunityReport.objects.all(),
        user,
        capability,
        own=Q(reporter_id=user.pk),
        assigned=Q(pk__in=[]),
    )


def get_report_for(user: User, pk: int, capability: Capability) -> CommunityReport:
    return get_or_404(reports_for(user, capability), pk=pk)
