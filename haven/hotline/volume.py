"""Call volume: calls by day (or week), by topic and by region, under the statistics
disclosure rules (haven.stats.disclosure): small counts are hidden, never shown as zero,
and no hidden count can be worked out from the totals.

A coordinator sees the deployment's calls, an analyst or supervisor their organisation's
(STATISTICS_VIEW). A training organisation's calls never count in deployment-wide figures (and a
training space's figures never count real calls).
`chart_svg` marks campaign periods (start, end, label) on the chart: another app's
campaigns pass theirs. Calls rising during a campaign is not proof that it worked.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from matplotlib.dates import date2num
from matplotlib.figure import Figure

from haven.accounts.roles import Capability, Scope, scopes_for
from haven.core.places import region_name
from haven.core.training import same_space
from haven.hotline.choices import Topic
from haven.hotline.models import Call
from haven.stats import charts  # also sets matplotlib up: SVG text, fonts
from haven.stats.disclosure import DEFAULT_RULES, Protected, Rules, protect_counts
from haven.stats.tables import Table

if TYPE_CHECKING:
    from haven.accounts.models import User

# Up to this many days the series is by day; beyond it, by week (days are too small to
# show once suppressed).
DAILY_UP_TO = 31
Period = tuple[dt.date, dt.date, str]


@dataclass(frozen=True)
class Volume:
    start: dt.date
    end: dt.date
    step: str  # "day" or "week"
    buckets: tuple[dt.date, ...]  # the first day of each bucket
    by_time: Protected
    by_topic: Protected
    by_region: Protected
    deployment: bool

    @property
    def series(self) -> list[tuple[dt.date, int | None]]:
        return list(zip(self.buckets, self.by_time.row_totals, strict=True))


def calls_in_scope(user: User) -> QuerySet[Call]:
    """The calls whose counts `user` may see; none without STATISTICS_VIEW."""
    scopes = scopes_for(user, Capability.STATISTICS_VIEW)
    if Scope.DEPLOYMENT in scopes:
        # Deployment figures never mix practice calls with real ones.
        return same_space(user, Call.objects.all())
    if Scope.ORGANISATION in scopes:
        return Call.objects.filter(organisation_id=user.organisation_id)
    return Call.objects.none()


def _bucket(day: dt.date, step: str) -> dt.date:
    return day - dt.timedelta(days=day.weekday()) if step == "week" else day


def _buckets(start: dt.date, end: dt.date, step: str) -> list[dt.date]:
    found: list[dt.date] = []
    day = _bucket(start, step)
    stride = dt.timedelta(days=7 if step == "week" else 1)
    while day <= end:
        found.append(day)
        day += stride
    return found


def call_volume(
    user: User,
    start: dt.date,
    end: dt.date,
    regions: Iterable[str] | None = None,
    rules: Rules = DEFAULT_RULES,
) -> Volume:
    """Calls received from `start` to `end` (both included, local dates) that `user` may
    count, optionally only in `regions` (ISO 3166-2 codes), protected for display."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    calls = calls_in_scope(user).filter(received_at__gte=since, received_at__lt=until)
    if regions is not None:
        calls = calls.filter(region__in=list(regions))
    step = "day" if (end - start).days < DAILY_UP_TO else "week"
    buckets = _buckets(start, end, step)
    by_time: Counter[dt.date] = Counter()
    by_topic: Counter[str] = Counter()
    by_region: Counter[str] = Counter()
    for received_at, topic, region in calls.values_list("received_at", "topic", "region"):
        by_time[_bucket(timezone.localtime(received_at, tz).date(), step)] += 1
        by_topic[topic] += 1
        by_region[region] += 1
    topics = dict(Topic.choices)
    regions_seen = sorted(by_region, key=lambda code: (code == "", region_name(code)))
    deployment = Scope.DEPLOYMENT in scopes_for(user, Capability.STATISTICS_VIEW)
    return Volume(
        start=start,
        end=end,
        step=step,
        buckets=tuple(buckets),
        by_time=protect_counts({day.isoformat(): by_time[day] for day in buckets}, rules),
        by_topic=protect_counts({str(topics[t]): by_topic[t] for t in Topic.values}, rules),
        by_region=protect_counts(
            {(region_name(code) or _("Not said")): by_region[code] for code in regions_seen},
            rules,
        ),
        deployment=deployment,
    )


def table(protected: Protected, slug: str, title: str, row_header: str) -> Table:
    return Table(slug=slug, title=title, row_header=row_header, protected=protected)


def _x(day: dt.date) -> float:
    """A date as matplotlib's axis number (its date2num is untyped)."""
    return float(date2num(day))  # type: ignore[no-untyped-call]


def chart_svg(volume: Volume, periods: Sequence[Period] = ()) -> bytes:
    """Calls over time as bars, hidden buckets marked, campaign periods shaded and named."""
    figure = Figure(figsize=(7.2, 2.8), dpi=72)
    axes = figure.add_subplot()
    width = 6 if volume.step == "week" else 0.8
    values = [value or 0 for _day, value in volume.series]
    top = max([*values, 1])
    positions = [_x(day) for day in volume.buckets]
    axes.bar(positions, values, width=width, color=charts.BAR, align="edge")
    hidden = [day for day, value in volume.series if value is None]
    if hidden:
        axes.plot(
            [_x(day) for day in hidden],
            [top * 0.02] * len(hidden),
            linestyle="none",
            marker="x",
            color="#6b6b6b",
            label=_("hidden: a small count"),
        )
        axes.legend(loc="upper left", fontsize=8, frameon=False)
    last = volume.end + dt.timedelta(days=1)
    for start, end, label in periods:
        left, right = max(start, volume.start), min(end + dt.timedelta(days=1), last)
        if right <= left:
            continue
        axes.axvspan(_x(left), _x(right), color="#e8a33d", alpha=0.25, linewidth=0)
        axes.text(_x(left), top * 1.12, label, fontsize=8, va="bottom", clip_on=False)
    axes.set_xlim(_x(volume.start), _x(last))
    axes.set_ylim(0, top * 1.1)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(axis="both", labelsize=8)
    axes.xaxis_date()
    figure.autofmt_xdate()
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
