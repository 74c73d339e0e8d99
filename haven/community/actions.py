"""Domain actions on community reports. Each checks the actor's grant itself, runs in one
transaction with its audit row, and refuses bad input with a translated message, changing
nothing. Audit rows name the report by its number and list field names only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.roles import Capability, can
from haven.audit.chain import record
from haven.audit.models import Action
from haven.cases.choices import Industry
from haven.community import boundaries
from haven.community.access import reports_for
from haven.community.contacts import has_email_address, has_phone_number
from haven.community.indicators import observable_ids, words
from haven.community.models import CommunityReport, PeopleSeen
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.core.places import is_region
from haven.hotline.actions import MAX_SUMMARY as MAX_LEAD_SUMMARY
from haven.hotline.actions import open_lead
from haven.hotline.choices import LeadSource
from haven.hotline.models import Lead

if TYPE_CHECKING:
    from haven.accounts.models import User

# What was seen, in a few sentences: not a statement, not a story about someone.
MAX_SEEN = 500


def not_allowed_message() -> str:
    return _("Your role does not allow this")


def _check_place(country: str, region: str, district: str) -> boundaries.District:
    if country not in boundaries.COUNTRIES:
        raise RefusedError(_("Choose a country from the list."))
    if not is_region(country, region):
        raise RefusedError(_("Choose a province from the list."))
    found = boundaries.district(district)
    if found is None or found.country != country or found.region != region:
        raise RefusedError(_("Choose a district of the province from the list."))
    return found


def _check_signs(indicators: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(indicators))
    if not chosen:
        raise RefusedError(_("Tick at least one sign you saw."))
    allowed = observable_ids()
    if any(indicator not in allowed for indicator in chosen):
        raise RefusedError(_("Tick only signs from the list."))
    return chosen


def _check_seen(seen: str) -> str:
    cleaned = seen.strip()
    if len(cleaned) > MAX_SEEN:
        raise RefusedError(
            _("What you saw is too long: at most %(most)d characters.") % {"most": MAX_SEEN}
        )
    if has_phone_number(cleaned):
        raise RefusedError(
            _(
                "Do not write phone numbers in a report. Remove the number and describe "
                "only what you saw."
            )
        )
    if has_email_address(cleaned):
        raise RefusedError(
            _(
                "Do not write e-mail addresses in a report. Remove the address and "
                "describe only what you saw."
            )
        )
    return cleaned


def record_report(
    actor: User,
    *,
    observed_on: dt.date,
    country: str,
    region: str,
    district: str,
    sector: str,
    indicators: Iterable[str],
    seen: str,
    people_seen: str,
) -> CommunityReport:
    """Record what a community reporter saw: where (a district), when (a day, not in the
    future), the kind of work, the observable signs ticked and roughly how many people.
    The free text may hold no phone number and no e-mail address."""
    if not can(actor, Capability.COMMUNITY_REPORT):
        raise RefusedError(not_allowed_message())
    if observed_on > timezone.localdate():
        raise RefusedError(_("The day you saw it cannot be in the future."))
    place = _check_place(country, region, district)
    if sector not in Industry.values:
        raise RefusedError(_("Choose a kind of work from the list."))
    signs = _check_signs(indicators)
    cleaned = _check_seen(seen)
    if people_seen not in PeopleSeen.values:
        raise RefusedError(_("Choose about how many people you saw."))
    with transaction.atomic():
        report = CommunityReport.objects.create(
            organisation_id=actor.organisation_id,
            reporter=actor,
            observed_on=observed_on,
            country=country,
            region=region,
            district=place.code,
            sector=sector,
            indicators=signs,
            seen=cleaned,
            people_seen=people_seen,
        )
        record(
            actor=actor,
            action=Action.COMMUNITY_REPORT,
            object_type="community_report",
            object_ref=str(report.pk),
            changed_fields=[
                "observed_on",
                "country",
                "region",
                "district",
                "sector",
                "indicators",
                "seen",
                "people_seen",
            ],
        )
    return report


def _lead_summary(report: CommunityReport) -> str:
    """What the lead says about the report: its words if any, else the signs ticked, in
    the actor's language. Never who reported it."""
    signs = "\n".join(words(indicator) for indicator in report.indicators)
    parts = [report.seen, signs, str(report.get_people_seen_display())]
    return "\n".join(part for part in parts if part)[:MAX_LEAD_SUMMARY]


def turn_into_lead(actor: User, report: CommunityReport, *, expected_version: int) -> Lead:
    """Open a lead (source "community") from a report of the actor's organisation and link
    the report to it. Only those who manage leads; a report becomes one lead at most."""
    if not can(actor, Capability.LEAD_MANAGE):
        raise RefusedError(not_allowed_message())
    with transaction.atomic():
        current = (
            reports_for(actor, Capability.COMMUNITY_MAP)
            .select_for_update()
            .filter(pk=report.pk)
            .first()
        )
        if current is None:
            raise RefusedError(not_allowed_message())
        if current.version != expected_version:
            raise ConcurrentEditError
        if current.lead_id is not None:
            raise RefusedError(_("This report is already a lead."))
        lead = open_lead(
            actor,
            source=LeadSource.COMMUNITY,
            country=current.country,
            region=current.region,
            district=current.district,
            sector=current.sector,
            summary=_lead_summary(current),
        )
        current.lead = lead
        current.version += 1
        current.save(update_fields=["lead", "version"])
        record(
            actor=actor,
            action=Action.COMMUNITY_LEAD,
            object_type="community_report",
            object_ref=str(current.pk),
            changed_fields=["lead"],
        )
    return lead
