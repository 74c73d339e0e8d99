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
from haven.identification import jurisdictions
from haven.referrals.models import (
    Consent,
    Direction,
    OverrideRequest,
    OverrideStatus,
    Purpose,
    Referral,
)

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


def second_case_worker_jurisdictions() -> list[str]:
    """The jurisdictions whose profile lets a second case worker approve emergency sharing."""
    return [j.id for j in jurisdictions.available().values() if j.second_case_worker]


def can_decide_overrides(user: User) -> bool:
    """A supervisor, or a case worker of an organisation whose jurisdiction lets a second
    case worker approve (the nav link; the cases' own jurisdictions decide each request)."""
    if can(user, Capability.OVERRIDE_APPROVE):
        return True
    organisation = user.organisation
    return (
        can(user, Capability.OVERRIDE_SECOND)
        and organisation is not None
        and organisation.jurisdiction in second_case_worker_jurisdictions()
    )


def override_requests_to_decide(user: User) -> QuerySet[OverrideRequest]:
    """The emergency requests the user may decide: a supervisor's, every one of their
    organisation's cases; a case worker's, those of cases whose jurisdiction lets a second
    case worker approve. Another organisation's never."""
    found = OverrideRequest.objects.none()
    if can(user, Capability.OVERRIDE_APPROVE):
        found = OverrideRequest.objects.filter(
            referral__case__in=cases_for(user, Capability.OVERRIDE_APPROVE)
        )
    elif can(user, Capability.OVERRIDE_SECOND):
        found = OverrideRequest.objects.filter(
            referral__case__in=cases_for(user, Capability.OVERRIDE_SECOND),
            referral__case__jurisdiction__in=second_case_worker_jurisdictions(),
        )
    return found.filter(referral__direction=Direction.OUTGOING).select_related(
        "referral__case", "referral__service__provider", "requested_by", "decided_by"
    )


def override_queue_for(user: User) -> QuerySet[OverrideRequest]:
    """The requests waiting for a decision, oldest first: the one waiting longest on top."""
    return (
        override_requests_to_decide(user)
        .filter(status=OverrideStatus.PENDING)
        .order_by("created", "pk")
    )


def get_override_to_decide(user: User, pk: int) -> OverrideRequest:
    return get_or_404(override_requests_to_decide(user), pk=pk)


def get_own_override_request(user: User, pk: int) -> OverrideRequest:
    """A request the user made, on a case they still reach: the only ones they withdraw."""
    return get_or_404(
        OverrideRequest.objects.filter(
            requested_by=user,
            referral__case__in=cases_for(user, Capability.REFERRAL_OVERRIDE),
        ).select_related("referral"),
        pk=pk,
    )
