"""The scoped lookups of consents and referrals.

Sender side: through the case, so the case's own scoping applies. Receiving side: only
referrals addressed to the user's organisation, and only their packet, never the case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from haven.accounts.roles import Capability, can
from haven.cases.access import cases_for
from haven.core.access import get_or_404
from haven.referrals.models import Consent, Direction, Purpose, Referral

if TYPE_CHECKING:
    from haven.accounts.models import User


def outgoing_for(
    user: User, capability: Capability = Capability.REFERRAL_SEND
) -> QuerySet[Referral]:
    return Referral.objects.filter(
        direction=Direction.OUTGOING, case__in=cases_for(user, capability)
    ).select_related("case", "service__provider", "recipient_organisation")


def get_outgoing_for(user: User, reference: str, capability: Capability) -> Referral:
    return get_or_404(outgoing_for(user, capability), reference=reference)


def incoming_for(user: User) -> QuerySet[Referral]:
    if not can(user, Capability.REFERRAL_RECEIVE):
        return Referral.objects.none()
    # Identification requests are read in the authority's queue, by those who decide
    # (`identification_requests_for`), not by whoever receives referrals.
    return (
        Referral.objects.filter(recipient_organisation_id=user.organisation_id)
        .exclude(purpose=Purpose.IDENTIFICATION)
        .select_related("sender_organisation")
    )


def get_incoming_for(user: User, reference: str) -> Referral:
    return get_or_404(incoming_for(user), reference=reference)


def identification_requests_for(user: User) -> QuerySet[Referral]:
    """The identification requests sent to the user's organisation as competent authority."""
    if not can(user, Capability.IDENTIFICATION_REQUESTS):
        return Referral.objects.none()
    return Referral.objects.filter(
        recipient_organisation_id=user.organisation_id,
        purpose=Purpose.IDENTIFICATION,
        direction=Direction.OUTGOING,
    ).select_related("sender_organisation", "case")


def consents_for(
    user: User, capability: Capability = Capability.CONSENT_RECORD
) -> QuerySet[Consent]:
    return Consent.objects.filter(case__in=cases_for(user, capability))
