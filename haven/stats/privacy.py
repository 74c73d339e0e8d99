"""Counts released with differential privacy (OpenDP), for tables that leave Haven as data.

Suppression and rounding protect a table read on its own; a differentially private release
also bounds what anyone learns about one person from the release together with anything
else they know, by a privacy loss epsilon. Each person is counted in exactly one cell (the
cells partition the people), so adding or removing a person changes the vector of counts by
1 in L1 distance: one measurement of discrete Laplace noise with scale 1/epsilon releases
every cell at once for a total loss of epsilon. OpenDP builds the mechanism and states its
privacy loss, which is checked against epsilon before any count is released.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import opendp.prelude as dp

MAX_EPSILON = 10.0
SENSITIVITY = 1  # each person counts in exactly one cell


@dataclass(frozen=True)
class NoisyCounts:
    labels: tuple[tuple[str, ...], ...]
    counts: tuple[int, ...]  # noisy, negative values clamped to 0
    epsilon: float
    scale: float  # Laplace scale = sensitivity / epsilon (nudged up, never down, for rounding)
    sensitivity: int


def _mechanism(epsilon: float) -> tuple[Any, float]:
    """Discrete Laplace noise over integer vectors whose privacy loss for one person (L1
    distance 1) is at most epsilon, and its scale.

    OpenDP rounds the loss it states conservatively, so 1/epsilon in floating point can state
    a loss a hair above epsilon (1/3 states 3.0000000000000004); the scale is then raised by
    the smallest steps until the stated loss is within epsilon.
    """
    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    scale = SENSITIVITY / epsilon
    for _ in range(16):
        measurement = dp.m.make_laplace(*space, scale=scale)
        loss = float(measurement.map(d_in=SENSITIVITY))  # type: ignore[no-untyped-call]
        if loss <= epsilon:
            return measurement, scale
        scale = math.nextafter(scale, math.inf)
    raise ValueError(f"no noise scale gives a privacy loss within epsilon={epsilon}")


def noisy_counts(counts: Mapping[tuple[str, ...], int], epsilon: float) -> NoisyCounts:
    """Every cell's count plus discrete Laplace noise, in one release of loss epsilon.

    `counts` must partition the people (each person in exactly one cell). Negative results are
    shown as 0: post-processing, which costs no privacy.
    """
    if isinstance(epsilon, bool) or not isinstance(epsilon, int | float):
        raise ValueError("epsilon must be a number")
    if not 0 < epsilon <= MAX_EPSILON:  # also refuses NaN
        raise ValueError(f"epsilon must be more than 0 and at most {MAX_EPSILON:g}")
    labels = tuple(counts)
    values = [counts[label] for label in labels]
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"counts must be non-negative integers, not {value!r}")
    measurement, scale = _mechanism(float(epsilon))
    noisy = measurement(values) if values else []
    return NoisyCounts(
        labels=labels,
        counts=tuple(max(0, int(value)) for value in noisy),
        epsilon=float(epsilon),
        scale=scale,
        sensitivity=SENSITIVITY,
    )
