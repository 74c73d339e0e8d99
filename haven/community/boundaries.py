"""The vendored district boundaries (boundaries/*.json, built by
scripts/community_boundaries.py from geoBoundaries) and the map drawn from them.

A district is known by its code (the geoBoundaries shapeID; for Cambodia, where only
provinces are vendored, the province's ISO 3166-2 code), its name and its province's ISO
3166-2 code, which joins it to haven.core.places. The map is an inline SVG drawn on the
server: no tile server, no script, nothing fetched.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

DIRECTORY = Path(__file__).resolve().parent / "boundaries"

# The countries whose boundaries are vendored, in the order the forms offer them.
COUNTRIES = {
    "TH": _("Thailand"),
    "KH": _("Cambodia"),
    "VN": _("Viet Nam"),
    "ID": _("Indonesia"),
}

ATTRIBUTION = (
    "Boundaries: geoBoundaries (www.geoboundaries.org), CC BY 4.0; Runfola et al. 2020, "
    "geoBoundaries: a global database of political administrative boundaries, PLoS ONE "
    "15(4): e0231866. Simplified for Haven."
)


@dataclass(frozen=True)
class District:
    code: str
    name: str
    region: str  # ISO 3166-2 code of the province
    country: str
    path: str  # SVG path data in the country's map coordinates


@dataclass(frozen=True)
class CountryMap:
    country: str
    level: str  # "district", or "province" where only provinces could be vendored
    districts: tuple[District, ...]
    view_box: str


def _path(rings: list[list[int]], scale: float) -> str:
    """Rings of (longitude, latitude) in thousandths of a degree as SVG path data,
    relative moves after the first point to keep the page small."""
    parts = []
    for ring in rings:
        xs = [round(ring[i] * scale) for i in range(0, len(ring), 2)]
        ys = [-ring[i] for i in range(1, len(ring), 2)]
        steps = [f"M{xs[0]} {ys[0]}l"]
        steps += [f"{xs[i] - xs[i - 1]} {ys[i] - ys[i - 1]}" for i in range(1, len(xs))]
        parts.append(" ".join(steps) + "z")
    return "".join(parts)


@cache
def country_map(country: str) -> CountryMap | None:
    path = DIRECTORY / f"{country}.json"
    if country not in COUNTRIES or not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    latitudes = [
        ring[i]
        for unit in data["districts"]
        for ring in unit["rings"]
        for i in range(1, len(ring), 2)
    ]
    longitudes = [
        ring[i]
        for unit in data["districts"]
        for ring in unit["rings"]
        for i in range(0, len(ring), 2)
    ]
    # Equirectangular, true to scale at the country's middle latitude.
    scale = math.cos(math.radians((min(latitudes) + max(latitudes)) / 2000))
    districts = tuple(
        sorted(
            (
                District(
                    code=unit["code"],
                    name=unit["name"],
                    region=unit["region"],
                    country=country,
                    path=_path(unit["rings"], scale),
                )
                for unit in data["districts"]
            ),
            key=lambda district: district.name,
        )
    )
    left, right = round(min(longitudes) * scale), round(max(longitudes) * scale)
    top, bottom = -max(latitudes), -min(latitudes)
    margin = 50
    view_box = (
        f"{left - margin} {top - margin} {right - left + 2 * margin} {bottom - top + 2 * margin}"
    )
    return CountryMap(country, data["level"], districts, view_box)


@cache
def _by_code() -> dict[str, District]:
    return {
        district.code: district
        for country in COUNTRIES
        for district in (country_map(country) or _EMPTY).districts
    }


def district(code: str) -> District | None:
    return _by_code().get(code)


def districts_of(country: str, region: str) -> list[District]:
    found = country_map(country)
    if found is None:
        return []
    return [d for d in found.districts if d.region == region]


_EMPTY = CountryMap("", "", (), "0 0 0 0")


def district_name(code: str) -> str:
    """The district's name for pages that hold only its code (a lead's), else the code."""
    found = district(code)
    return found.name if found else code
