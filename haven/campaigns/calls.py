"""Hotline calls around a campaign: the same length of time before, during and after it,
in its regions, by topic (haven.hotline.volume), under the statistics disclosure rules.

Correlation is not impact: calls also rise after job adverts for work abroad, news,
seasons. The page says so above the chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.campaigns.models import Campaign


@dataclass(frozen=True)
class CallChart:
    svg: str
    periods: tuple[tuple[dt.date, dt.date, str], ...]
    available: bool
    note: str


def periods(start: dt.date, end: dt.date) -> tuple[tuple[dt.date, dt.date, str], ...]:
    """Before, during and after the campaign: three periods of the same length (the end
    date is the campaign's last day)."""
    length = end - start + dt.timedelta(days=1)
    return (
        (start - length, start - dt.timedelta(days=1), _("Before")),
        (start, end, _("During the campaign")),
        (end + dt.timedelta(days=1), end + length, _("After")),
    )


def campaign_calls(user: User, campaign: Campaign) -> CallChart | None:
    """The chart of calls around the campaign, or None when it has no dates or regions."""
    if not (campaign.start_date and campaign.end_date and campaign.regions):
        return None
    spans = periods(campaign.start_date, campaign.end_date)
    return CallChart(svg="", periods=spans, available=False, note=_("The hotline is not set up."))
