"""The guide's six steps: when each is complete, and what a campaign still lacks to start
or to end. The actions enforce these; the pages show them as a checklist.

Related rows are read through `.all()` so that a page that prefetched them asks nothing
more of the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.campaigns.models import Campaign


@dataclass(frozen=True)
class Step:
    number: int
    title: Promise
    url_name: str


STEPS = (
    Step(1, gettext_lazy("Getting started"), "campaigns:getting_started"),
    Step(2, gettext_lazy("Objectives"), "campaigns:objectives"),
    Step(3, gettext_lazy("Audience"), "campaigns:audience"),
    Step(4, gettext_lazy("Messages"), "campaigns:messages"),
    Step(5, gettext_lazy("Dissemination"), "campaigns:dissemination"),
    Step(6, gettext_lazy("Monitoring and assessing impact"), "campaigns:monitoring"),
)


def _has_approved_message(campaign: Campaign) -> bool:
    return any(m.is_approved for m in campaign.messages.all())


def complete(campaign: Campaign) -> dict[int, bool]:
    """Which steps are complete, by number."""
    indicators = list(campaign.indicators.all())
    return {
        1: bool(campaign.situation and campaign.risks and campaign.harm_to_people_shown),
        2: bool(campaign.objectives.all()),
        3: bool(campaign.audience and campaign.regions and campaign.languages and campaign.media)
        and bool(campaign.literacy),
        4: _has_approved_message(campaign),
        5: bool(campaign.disseminations.all()),
        6: bool(indicators) and all(i.latest is not None for i in indicators),
    }


def start_problems(campaign: Campaign) -> list[str]:
    """What stops the campaign from running, each a sentence; empty when nothing does."""
    done = complete(campaign)
    problems = []
    if not campaign.harm_to_people_shown:
        problems.append(_("Assess the risk to the people shown and how it is avoided (step 1)."))
    if not (campaign.situation and campaign.risks):
        problems.append(_("Describe the situation and the risks (step 1)."))
    if not done[2]:
        problems.append(_("Set at least one objective (step 2)."))
    if not campaign.regions:
        problems.append(_("Choose the regions the campaign covers (step 3)."))
    if not done[3]:
        problems.append(_("Describe the audience: who, languages, literacy and media (step 3)."))
    if not done[4]:
        problems.append(_("Approve at least one message (step 4)."))
    if not (campaign.start_date and campaign.end_date):
        problems.append(_("Set the start and end dates."))
    if not campaign.success:
        problems.append(_("Say what success looks like."))
    return problems


def end_problems(campaign: Campaign, reason: str) -> list[str]:
    """What stops the campaign from ending: indicators without a latest value, unless the
    reason why they have none is given."""
    indicators = list(campaign.indicators.all())
    if reason:
        return []
    if not indicators:
        return [
            _(
                "The campaign has no indicators: say why, or add them with their latest "
                "values (step 6)."
            )
        ]
    if any(i.latest is None for i in indicators):
        return [
            _("Record the latest value of every indicator (step 6), or say why some have none.")
        ]
    return []
