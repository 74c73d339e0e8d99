"""Per-catalogue lookups the assessment needs, built once and cached on the catalogue."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from haven.screening_engine.adaptive import opens as adaptive_opens
from haven.screening_engine.catalogue import Catalogue
from haven.screening_engine.model import ACT, GRADED_DIMENSIONS, PROFILES, SETS, TOPICS, Indicator

GRADE_WEIGHT = {"strong": 3, "medium": 2, "weak": 1}


@dataclass(frozen=True, eq=False)  # hashed by identity: caches key on it
class CatalogueIndex:
    graded: Mapping[str, Mapping[str, tuple[tuple[Indicator, str], ...]]]  # set -> dim -> rows
    placement: Mapping[str, Mapping[str, tuple[str, str]]]  # set -> id -> (dimension, grade)
    act_ids: frozenset[str]  # every indicator whose palermo list has "act"
    gateways: tuple[Indicator, ...]  # the quick screening, in interview order
    purpose_alone: Mapping[str, tuple[Indicator, ...]]  # profile -> indicators
    concern_ids: frozenset[str]  # real signs of deception, coercion or exploitation
    order: Mapping[str, int]  # id -> position in the catalogue
    weight: Mapping[str, Mapping[str, int]]  # set -> id -> grade weight
    opens: Mapping[str, tuple[str, ...]]  # id -> what a "yes" to it opens
    behind: Mapping[str, tuple[str, ...]]  # door (group, flag, id, route) -> ids behind it

    def best_weights(self, sets: tuple[str, ...]) -> Mapping[str, int]:
        """Each indicator's highest grade weight across the given sets (cached per set list)."""
        return _best_weights(self, sets)


def _behind(indicators: tuple[Indicator, ...]) -> dict[str, tuple[str, ...]]:
    """The questions each door of the adaptive interview leads to."""
    doors: dict[str, list[str]] = {}
    for i in indicators:
        keys = {i.group, i.id, *i.flags}
        if i.forced_labour_element:
            keys.add("forced_labour")
        for key in keys:
            doors.setdefault(key, []).append(i.id)
    return {door: tuple(ids) for door, ids in doors.items()}


@functools.cache
def _best_weights(index: CatalogueIndex, sets: tuple[str, ...]) -> Mapping[str, int]:
    best: dict[str, int] = {}
    for set_name in sets:
        for ident, weight in index.weight[set_name].items():
            best[ident] = max(weight, best.get(ident, 0))
    return best


@functools.cache
def build_index(catalogue: Catalogue) -> CatalogueIndex:
    """Group the catalogue by set, dimension, route and interview role."""
    indicators = catalogue.indicators
    ruleset = catalogue.ruleset
    graded = {
        set_name: {
            dim: tuple(
                (i, i.grades[set_name])
                for i in indicators
                if i.dimension == dim and set_name in i.grades
            )
            for dim in GRADED_DIMENSIONS
        }
        for set_name in SETS
    }
    trafficking = tuple(i for i in indicators if i.kind == "trafficking")
    concern = tuple(
        i
        for i in trafficking
        if i.dimension in ruleset.concern_dimensions
        or (ruleset.concern_forced_labour_elements and i.forced_labour_element)
    )
    # Interview order: by topic (safety first), then catalogue order within a topic.
    gateways = sorted((i for i in indicators if i.gateway), key=lambda i: TOPICS.index(i.topic))
    return CatalogueIndex(
        graded=graded,
        placement={
            set_name: {i.id: (dim, grade) for dim, rows in dims.items() for i, grade in rows}
            for set_name, dims in graded.items()
        },
        act_ids=frozenset(i.id for i in trafficking if ACT in i.palermo),
        gateways=tuple(gateways),
        purpose_alone={p: tuple(i for i in trafficking if p in i.purpose_alone) for p in PROFILES},
        concern_ids=frozenset(i.id for i in concern),
        order={i.id: n for n, i in enumerate(indicators)},
        opens={i.id: adaptive_opens(i) for i in indicators},
        behind=_behind(indicators),
        weight={
            set_name: {
                i.id: GRADE_WEIGHT[i.grades[set_name]] for i in indicators if set_name in i.grades
            }
            for set_name in SETS
        },
    )
