"""k-anonymity for record-level releases, by generalisation then suppression (Datafly).

A researcher given one row per person must not be able to pick out anyone by what they
could know from elsewhere (age, sex, nationality, year, region: the quasi-identifiers).
`k_anonymise` coarsens those columns, the one with the most distinct values first, until at
most a small share of records sits in a group of fewer than k look-alikes, then drops those
records. Every kept record then shares its quasi-identifiers with at least k-1 others.

Each ladder step is a function of the value as recorded (not of the previous step), and is
applied once per distinct value, so a million records cost a few passes over integer codes.
"""

from __future__ import annotations

import operator
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

Generaliser = Callable[[str], str]

AS_RECORDED = "as recorded"
SUPPRESSED = "*"


@dataclass(frozen=True)
class Ladder:
    """How one quasi-identifier coarsens: (name, function) from finest to coarsest. The last
    step must map every value to "*"."""

    column: str
    steps: tuple[tuple[str, Generaliser], ...]


@dataclass(frozen=True)
class Release:
    records: list[dict[str, str]]  # the kept records, quasi-identifiers generalised
    quasi_identifiers: tuple[str, ...]
    k: int
    generalisation: dict[str, str]  # column -> name of the step applied, or "as recorded"
    suppressed: int  # records dropped because their group stayed smaller than k
    total: int  # records before suppression


class _Column:
    """One quasi-identifier: its distinct recorded values, each record's code for its value,
    and the code of each recorded value at the current step."""

    def __init__(self, ladder: Ladder, records: Sequence[Mapping[str, str]]) -> None:
        self.ladder = ladder
        # map() with itemgetter and bound methods keeps the per-record work in C.
        try:
            values = list(map(operator.itemgetter(ladder.column), records))
        except KeyError:
            raise ValueError(f"a record has no {ladder.column!r} column") from None
        self.recorded = list(dict.fromkeys(values))
        index = {value: code for code, value in enumerate(self.recorded)}
        self.codes = list(map(index.__getitem__, values))
        self.level = -1  # -1: as recorded; else the index of the step applied
        self.labels = self.recorded
        self.mapping = list(range(len(self.recorded)))

    @property
    def can_move(self) -> bool:
        return self.level < len(self.ladder.steps) - 1

    @property
    def distinct(self) -> int:
        return len(self.labels)

    @property
    def step_name(self) -> str:
        return AS_RECORDED if self.level < 0 else self.ladder.steps[self.level][0]

    def move(self) -> None:
        self.level += 1
        name, generalise = self.ladder.steps[self.level]
        generalised = [generalise(value) for value in self.recorded]
        if not self.can_move and any(value != SUPPRESSED for value in generalised):
            raise ValueError(
                f"the last step of the {self.ladder.column!r} ladder ({name!r}) must map every "
                f'value to "{SUPPRESSED}"'
            )
        index: dict[str, int] = {}
        self.mapping = [index.setdefault(value, len(index)) for value in generalised]
        self.labels = list(index)


def k_anonymise(
    records: Sequence[Mapping[str, str]],
    ladders: Sequence[Ladder],
    k: int,
    max_suppressed: float = 0.05,
) -> Release:
    """Generalise the ladders' columns until at most `max_suppressed` of the records are in
    groups smaller than k (or nothing can be generalised further), then drop those records."""
    if k < 2:
        raise ValueError("k must be at least 2")
    if not 0 <= max_suppressed <= 1:
        raise ValueError("max_suppressed must be between 0 and 1")
    if not ladders:
        raise ValueError("at least one quasi-identifier (ladder) is needed")
    names = [ladder.column for ladder in ladders]
    if len(set(names)) != len(names):
        raise ValueError("one ladder per column")
    for ladder in ladders:
        if not ladder.steps:
            raise ValueError(f"the {ladder.column!r} ladder has no steps")

    total = len(records)
    columns = [_Column(ladder, records) for ladder in ladders]
    # Records with the same recorded quasi-identifiers stay together whatever the steps, so
    # the loop works on the distinct recorded combinations, weighted by their number.
    combinations = Counter(zip(*(column.codes for column in columns), strict=True))
    recorded = list(zip(*combinations, strict=True)) or [() for _ in columns]
    weights = list(combinations.values())
    current = [list(codes) for codes in recorded]  # each combination's codes at the step

    while True:
        keys = list(zip(*current, strict=True))
        sizes: defaultdict[tuple[int, ...], int] = defaultdict(int)
        for key, weight in zip(keys, weights, strict=True):
            sizes[key] += weight
        at_risk = sum(size for size in sizes.values() if size < k)
        if at_risk <= max_suppressed * total:
            break
        movable = [position for position, column in enumerate(columns) if column.can_move]
        if not movable:
            break
        # max() keeps the first of equal counts: the ladders' order breaks ties.
        position = max(movable, key=lambda p: columns[p].distinct)
        column = columns[position]
        column.move()
        current[position] = list(map(column.mapping.__getitem__, recorded[position]))

    # Generalised values of each group big enough to keep, then of each recorded combination.
    values_of: dict[tuple[int, ...], dict[str, str]] = {
        key: {
            column.ladder.column: column.labels[code]
            for column, code in zip(columns, key, strict=True)
        }
        for key, size in sizes.items()
        if size >= k
    }
    released = {
        combination: values_of.get(key) for combination, key in zip(combinations, keys, strict=True)
    }
    per_record = map(released.__getitem__, zip(*(column.codes for column in columns), strict=True))
    kept_records = [
        {**record, **values}
        for record, values in zip(records, per_record, strict=True)
        if values is not None
    ]
    return Release(
        records=kept_records,
        quasi_identifiers=tuple(names),
        k=k,
        generalisation={column.ladder.column: column.step_name for column in columns},
        suppressed=total - len(kept_records),
        total=total,
    )


def _suppress(value: str) -> str:
    return SUPPRESSED


def _identity(value: str) -> str:
    return value


_AGE_BAND = re.compile(r"(\d+)(?:-(\d+)|\+)")


def _child_or_adult(band: str) -> str:
    """ "0-11" or "12-17" -> "0-17"; "18-24" or "60+" -> "18+"; "unknown" stays. A band that
    holds both children and adults (such as "15-19") cannot be placed and is an error."""
    if band == "unknown":
        return band
    match = _AGE_BAND.fullmatch(band)
    if match is None:
        raise ValueError(f"not an age band: {band!r}")
    lower = int(match.group(1))
    upper = int(match.group(2)) if match.group(2) is not None else None
    if upper is not None and upper < 18:
        return "0-17"
    if lower >= 18:
        return "18+"
    raise ValueError(f"age band {band!r} holds both children and adults")


def age_band_ladder(column: str) -> Ladder:
    """Age bands as recorded ("0-11", "12-17", "18-24", ..., "60+", "unknown"), then child or
    adult ("0-17", "18+", "unknown"), then suppressed."""
    return Ladder(
        column,
        (("age bands", _identity), ("child/adult", _child_or_adult), ("suppressed", _suppress)),
    )


def _three_year_period(year: str) -> str:
    """Fixed periods starting 1 year after a multiple of 3: 2020-2022, 2023-2025, 2026-2028.
    Anything not a year (such as "unknown" or "") stays as it is."""
    if not (year.isascii() and year.isdigit()):
        return year
    start = (int(year) - 1) // 3 * 3 + 1
    return f"{start}-{start + 2}"


def year_ladder(column: str) -> Ladder:
    """The year, then a fixed 3-year period (2023-2025), then suppressed."""
    return Ladder(
        column,
        (("year", _identity), ("3-year period", _three_year_period), ("suppressed", _suppress)),
    )


def region_ladder(column: str, region_of: Mapping[str, str]) -> Ladder:
    """The ISO country code, then its region (a country not in `region_of` is "other"), then
    suppressed."""
    regions = dict(region_of)

    def region(country: str) -> str:
        return regions.get(country, "other")

    return Ladder(column, (("country", _identity), ("region", region), ("suppressed", _suppress)))


def category_ladder(column: str, name: str = "category") -> Ladder:
    """A category with no coarser grouping: as it is, then suppressed."""
    return Ladder(column, ((name, _identity), ("suppressed", _suppress)))
