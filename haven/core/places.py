"""Places at the coarsest useful level: a country's first-level regions (provinces,
states, regions), keyed by their ISO 3166-2 codes from pycountry, which works offline.

Prevention records (hotline calls, community reports, campaigns) say where at this level
or coarser, never an address: a region code joins them without locating a person. The
districts under a region, with their boundaries for the map, are haven.community's.
"""

from __future__ import annotations

from functools import cache

import pycountry

# ISO 3166-2 groups some countries' provinces under units that are not administrations
# (Indonesia's "geographical units"): there the provinces are the useful level.
_GROUPINGS = frozenset({"Geographical unit"})


@cache
def regions(country: str) -> tuple[tuple[str, str], ...]:
    """The country's regions as (code, name), sorted by name; empty if none is known."""
    found = pycountry.subdivisions.get(country_code=country.upper())  # type: ignore[no-untyped-call]
    subdivisions = list(found or ())
    top = [s for s in subdivisions if not s.parent_code]
    grouping = {s.code for s in top if s.type in _GROUPINGS}
    chosen = [s for s in top if s.code not in grouping] + [
        s for s in subdivisions if s.parent_code in grouping
    ]
    return tuple(sorted(((s.code, s.name) for s in chosen), key=lambda item: item[1]))


def region_name(code: str) -> str:
    """The region's name, or the code itself when it is not known (never an error)."""
    if not code:
        return ""
    subdivision = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    return subdivision.name if subdivision else code


def is_region(country: str, code: str) -> bool:
    return any(known == code for known, _name in regions(country))
