from __future__ import annotations

import random
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from haven.screening_engine import assess, default_catalogue
from haven.screening_engine.model import ANSWERS, EXPLOITATION_FORMS, ScreeningInput


def random_inputs(ids: list[str], count: int, seed: int = 7) -> list[ScreeningInput]:
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
    inputs = []
    for _ in range(count):
        answers = {i: rng.choice(ANSWERS) for i in ids if rng.random() < 0.8}
        inputs.append(
            ScreeningInput(
                age_at_events=rng.choice([None, 12, 16, 17, 19, 25, 40]),
                possibly_child=rng.random() < 0.2,
                exploitation=tuple(rng.sample(EXPLOITATION_FORMS, rng.randint(0, 2))),
                answers=answers,
            )
        )
    return inputs


def per_second(work: Any, inputs: list[ScreeningInput], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for screening in inputs:
            work(screening)
        best = min(best, time.perf_counter() - start)
    return len(inputs) / best


class Command(BaseCommand):
    help = "Benchmarks. `haven bench screening` prints full-catalogue assessments per second."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("target", choices=["screening"])
        parser.add_argument("--count", type=int, default=2000)
        parser.add_argument("--rounds", type=int, default=5)

    def handle(self, *args: Any, **options: Any) -> None:
        catalogue = default_catalogue()
        ids = [i.id for i in catalogue.indicators]
        inputs = random_inputs(ids, options["count"])
        assess(catalogue, inputs[0])  # warm the per-catalogue index

        def baseline(screening: ScreeningInput) -> int:
            # The least any assessment must do: read every answer once.
            return sum(1 for answer in screening.answers.values() if answer == "yes")

        base = per_second(baseline, inputs, options["rounds"])
        full = per_second(lambda s: assess(catalogue, s), inputs, options["rounds"])
        self.stdout.write(f"catalogue: {len(ids)} indicators, ruleset {catalogue.ruleset.version}")
        self.stdout.write(f"assessments per second: {full:,.0f} ({1e6 / full:.1f} µs each)")
        self.stdout.write(f"baseline (one pass over the answers) per second: {base:,.0f}")
        self.stdout.write(f"assessment costs {base / full:.1f}x the baseline pass")
