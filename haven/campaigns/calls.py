"""Hotline calls around a campaign: the same length of time before, during and after it,
in its regions, by topic, through the hotline's call volume (haven.hotline.volume) and so
under the statistics disclosure rules: small counts hidden, the others rounded.

Correlation is not impact: calls also rise after job adverts for work abroad, news and
seasons of migration. The page says so above the chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.roles import Capability
from haven.campaigns.models import Campaign, Status
from haven.hotline import volume
from haven.hotline.volume import Period
from haven.stats.scope import in_scope

if TYPE_CHECKING:
    from haven.accounts.models import User

# At most this many campaigns are named on the hotline's chart: more would be unreadable.
MOST_MARKED = 8


@dataclass(frozen=True)
class CallChart:
    periods: tuple[Period, Period, Period]  # before, during, after
    # Each topic with its count in each period (None: hidden), then each period's total.
    topics: tuple[tuple[str, tuple[int | None, ...]], ...]
    totals: tuple[int | None, ...]
    deployment: bool  # every hotline of the deployment, or the user's organisation's

    @property
    def unfinished(self) -> bool:
        """Whether the last period reaches today or later: its counts are still growing."""
        return self.periods[-1][1] >= timezone.localdate()

    @property
    def rows(self) -> list[tuple[str, list[tuple[str, int | None]]]]:
        """Topics, then the total, each count with its period's name (for phone layout)."""
        names = [label for _start, _end, label in self.periods]
        return [
            (topic, list(zip(names, counts, strict=True)))
            for topic, counts in (*self.topics, (_("Total"), self.totals))
        ]


def periods(start: dt.date, end: dt.date) -> tuple[Period, Period, Period]:
    """Before, during and after the campaign: three periods of the same length (the end
    date is the campaign's last day)."""
    length = end - start + dt.timedelta(days=1)
    return (
        (start - length, start - dt.timedelta(days=1), _("Before")),
        (start, end, _("During the campaign")),
        (end + dt.timedelta(days=1), end + length, _("After")),
    )


def _ready(campaign: Campaign) -> bool:
    return bool(campaign.start_date and campaign.end_date and campaign.regions)


def campaign_calls(user: User, campaign: Campaign) -> CallChart | None:
    """Calls by topic in each period, protected; None without dates and regions."""
    if not (_ready(campaign) and campaign.start_date and campaign.end_date):
        return None
    spans = periods(campaign.start_date, campaign.end_date)
    volumes = [volume.call_volume(user, start, end, campaign.regions) for start, end, _l in spans]
    labels = volumes[0].by_topic.rows
    topics = tuple(
        (label, tuple(v.by_topic.row_totals[index] for v in volumes))
        for index, label in enumerate(labels)
    )
    return CallChart(
        periods=spans,
        topics=topics,
        totals=tuple(v.by_topic.total for v in volumes),
        deployment=volumes[0].deployment,
    )


def chart_svg(user: User, campaign: Campaign) -> bytes | None:
    """Calls over the three periods as bars, the campaign's own period marked."""
    if not (_ready(campaign) and campaign.start_date and campaign.end_date):
        return None
    before, during, after = periods(campaign.start_date, campaign.end_date)
    over_all = volume.call_volume(user, before[0], after[1], campaign.regions)
    return volume.chart_svg(over_all, [(during[0], during[1], _("Campaign"))])


def campaign_periods(user: User, start: dt.date, end: dt.date) -> list[Period]:
    """The campaigns that ran within `start`..`end`, as periods for the hotline's call
    chart: those whose organisations the reader's statistics reach (their own, or the
    deployment's on their side of the training line). Drafts never ran: left out."""
    running = Campaign.objects.exclude(status=Status.DRAFT).filter(
        start_date__lte=end, end_date__gte=start
    )
    found = in_scope(user, running, Capability.STATISTICS_VIEW).order_by("start_date", "pk")
    return [
        (max(c.start_date, start), min(c.end_date, end), c.title)
        for c in found[:MOST_MARKED]
        if c.start_date and c.end_date
    ]
