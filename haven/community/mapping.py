"""Counts of community reports by district and sector, as they may be shown: small counts
hidden and the rest rounded under the statistics disclosure rules (haven.stats)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from haven.cases.choices import Industry
from haven.community import boundaries
from haven.community.models import CommunityReport
from haven.stats.disclosure import Protected, protect
from haven.stats.tables import rules

SHADES = 4


@dataclass(frozen=True)
class Filters:
    country: str
    start: dt.date
    end: dt.date
    sector: str = ""
    indicator: str = ""

    def apply(self, reports: QuerySet[CommunityReport]) -> QuerySet[CommunityReport]:
        found = reports.filter(
            country=self.country, observed_on__gte=self.start, observed_on__lte=self.end
        )
        if self.sector:
            found = found.filter(sector=self.sector)
        if self.indicator:
            # The ids are plain words from the catalogue: their quoted form appears in the
            # stored JSON list only as that id (the same on SQLite and PostgreSQL).
            found = found.filter(indicators__icontains=f'"{self.indicator}"')
        return found


@dataclass(frozen=True)
class Shape:
    district: boundaries.District
    shown: int | None  # None: hidden (a small count)
    shade: str  # css class

    @property
    def has_reports(self) -> bool:
        return self.shown != 0


@dataclass(frozen=True)
class DistrictMap:
    country_map: boundaries.CountryMap
    shapes: tuple[Shape, ...]
    table: Protected
    row_codes: tuple[str, ...]
    total: int | None


def _shade(value: int | None, top: int) -> str:
    if value is None:
        return "shade-hidden"
    if value == 0:
        return "shade-0"
    return f"shade-{min(SHADES, 1 + (SHADES * (value - 1)) // max(top, 1))}"


def district_map(reports: QuerySet[CommunityReport], filters: Filters) -> DistrictMap | None:
    country_map = boundaries.country_map(filters.country)
    if country_map is None:
        return None
    found = filters.apply(reports)
    pairs = Counter(
        {
            (row["district"], row["sector"]): row["n"]
            for row in found.values("district", "sector").annotate(n=Count("id"))
        }
    )
    # One protected table, district by sector: the map shades its row totals, so the map
    # and the table hide the same counts and neither can be used to work out the other.
    names = {d.code: d.name for d in country_map.districts}
    row_codes = tuple(sorted({c for c, _s in pairs if c in names}, key=lambda code: names[code]))
    sectors = [s for s in Industry.values if any(pairs.get((c, s)) for c in row_codes)]
    labels = dict(Industry.choices)
    table = protect(
        [names[c] for c in row_codes],
        [str(labels[s]) for s in sectors],
        [[pairs.get((c, s), 0) for s in sectors] for c in row_codes],
        rules(),
    )
    shown: dict[str, int | None] = dict.fromkeys(names, 0)
    shown.update(zip(row_codes, table.row_totals, strict=True))
    top = max((v for v in shown.values() if v), default=1)
    shapes = tuple(
        Shape(d, shown[d.code], _shade(shown[d.code], top)) for d in country_map.districts
    )
    return DistrictMap(country_map, shapes, table, row_codes, table.total)


HIDDEN_NOTE = _(
    "Small numbers are hidden (shown as ·) and other numbers are rounded, as in every "
    "statistic Haven shows, so that no one can be recognised from them."
)


def svg_shapes(found: DistrictMap, query: str) -> SafeString:
    """The map's districts as SVG markup, each named with its protected count; those with
    reports link to their list. Joined here, not in a template loop: a country has up to
    a thousand districts, and the loop cost 90% of the page's time at 20,000 reports."""
    link = reverse("community:district", args=["CODE"])
    parts = []
    for shape in found.shapes:
        district = shape.district
        count = "·" if shape.shown is None else str(shape.shown)
        title = f"<title>{escape(district.name)}: {count}</title>"
        path = f'<path class="{shape.shade}" d="{district.path}">{title}</path>'
        if shape.has_reports:
            href = link.replace("CODE", district.code) + (f"?{query}" if query else "")
            path = f'<a href="{escape(href)}">{path}</a>'
        parts.append(path)
    return mark_safe("\n".join(parts))  # noqa: S308 - names and links escaped above
