"""Which data categories may go to which recipient, for which purpose, on which day.

The one rule every packet, letter and file passes through: a category is shared only
while a live consent covers it (not withdrawn, not expired) for that recipient and purpose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from haven.cases.children import is_child
from haven.referrals.models import Consent, ConsentMethod, DataCategory

if TYPE_CHECKING:
    from haven.cases.models import Case
    from haven.directory.models import Provider

CATEGORY_ORDER = [c.value for c in DataCategory]


def in_order(categories: Iterable[str]) -> list[str]:
    """Known categories, each once, in the fixed order packets and pages show them."""
    chosen = set(categories)
    return [c for c in CATEGORY_ORDER if c in chosen]


def covers(
    consent: Consent, provider: Provider, purpose: str, on: dt.date, deployment_id: int | None
) -> bool:
    """Live, for this purpose and this recipient. Across a border the consent must name the
    receiving deployment (`deployment_id`); a consent naming one covers nothing else."""
    if not consent.is_live(on) or consent.purpose != purpose:
        return False
    if consent.recipient_deployment_id != deployment_id:
        return False
    if consent.recipient_provider_id is not None:
        return consent.recipient_provider_id == provider.pk
    return bool(consent.recipient_org_type) and consent.recipient_org_type == provider.org_type


def live_categories(
    consents: Iterable[Consent],
    provider: Provider,
    purpose: str,
    on: dt.date,
    deployment_id: int | None = None,
) -> list[str]:
    """The categories some live consent covers, in a fixed order."""
    allowed: set[str] = set()
    for consent in consents:
        if covers(consent, provider, purpose, on, deployment_id):
            allowed.update(consent.categories)
    return in_order(allowed)


def consents_of(person_id: int, organisation_id: int) -> list[Consent]:
    """The consents a person gave through this organisation (they hold them)."""
    return list(Consent.objects.filter(person_id=person_id, organisation_id=organisation_id))


def usable_consents(case: Case) -> list[Consent]:
    """The person's consents that may cover sharing from this case. For a child (or a
    person of uncertain age) only a child's consent counts (the guardian's consent and
    the child's assent): an adult's consent recorded before the age was known covers
    nothing."""
    consents = consents_of(case.person_id, case.organisation_id)
    if any(c.method != ConsentMethod.CHILD for c in consents) and is_child(case):
        return [c for c in consents if c.method == ConsentMethod.CHILD]
    return consents
