from __future__ import annotations

import json
import random
import statistics
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.screening_engine import Catalogue, assess, default_catalogue, to_json
from haven.screening_engine.model import ANSWERS, EXPLOITATION_FORMS, ScreeningInput
from haven.screening_engine.replay import load_worked_cases, replay


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
    help = (
        "Benchmarks. `haven bench screening` prints full-catalogue assessments per second; "
        "`haven bench interview` replays the worked cases through the adaptive interview."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("target", choices=["screening", "interview"])
        parser.add_argument("--count", type=int, default=2000)
        parser.add_argument("--rounds", type=int, default=5)

    def handle(self, *args: Any, **options: Any) -> None:
        catalogue = default_catalogue()
        if options["target"] == "interview":
            self.interview(catalogue)
        else:
            self.screening(catalogue, options["count"], options["rounds"])

    def screening(self, catalogue: Catalogue, count: int, rounds: int) -> None:
        ids = [i.id for i in catalogue.indicators]
        inputs = random_inputs(ids, count)
        assess(catalogue, inputs[0])  # warm the per-catalogue index

        def baseline(screening: ScreeningInput) -> int:
            # The least any assessment must do: read every answer once.
            return sum(1 for answer in screening.answers.values() if answer == "yes")

        base = per_second(baseline, inputs, rounds)
        full = per_second(lambda s: assess(catalogue, s), inputs, rounds)
        sizes = sorted(
            len(
                json.dumps(to_json(assess(catalogue, s)), ensure_ascii=False, separators=(",", ":"))
            )
            for s in inputs[:200]
        )
        self.stdout.write(f"catalogue: {len(ids)} indicators, ruleset {catalogue.ruleset.version}")
        self.stdout.write(f"assessments per second: {full:,.0f} ({1e6 / full:.1f} µs each)")
        self.stdout.write(f"baseline (one pass over the answers) per second: {base:,.0f}")
        self.stdout.write(f"assessment costs {base / full:.1f}x the baseline pass")
        self.stdout.write(
            f"--answers-jsonl result size: median {sizes[len(sizes) // 2] / 1024:.1f} KiB, "
            f"max {sizes[-1] / 1024:.1f} KiB"
        )

    def interview(self, catalogue: Catalogue) -> None:
        runs = [replay(catalogue, case) for case in load_worked_cases(catalogue)]
        asked = sorted(run.asked for run in runs)
        for run in runs:
            verdict = "same verdict" if run.agrees else "DIFFERENT VERDICT"
            self.stdout.write(
                f"{run.case.id:42} {run.asked:3} questions  {run.full.outcome:18}  {verdict}"
            )
        agree = sum(run.agrees for run in runs)
        self.stdout.write(
            f"worked cases: {len(runs)}; questions asked: median {statistics.median(asked):g}, "
            f"max {asked[-1]}, against {len(catalogue.indicators)} in the full catalogue"
        )
        self.stdout.write(
            f"ended with the full-interview outcome and flags: {agree} of {len(runs)}"
        )
        if agree != len(runs):
            raise CommandError("the adaptive interview changed a verdict", returncode=1)
