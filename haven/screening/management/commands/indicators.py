from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.screening_engine import CatalogueError, default_catalogue
from haven.screening_engine.model import Indicator


def indicator_json(indicator: Indicator) -> dict[str, Any]:
    return {
        "id": indicator.id,
        "kind": indicator.kind,
        "dimension": indicator.dimension,
        "topic": indicator.topic,
        "grades": dict(indicator.grades),
        "grade_source": indicator.grade_source or None,
        "statement": dict(indicator.statements),
        "questions": {
            language: {"adult": q.adult, "child": q.child}
            for language, q in indicator.questions.items()
        },
        "palermo": list(indicator.palermo),
        "ilo_forced_labour": list(indicator.ilo_forced_labour),
        "forced_labour_element": list(indicator.forced_labour_element),
        "htcds": {key: list(values) for key, values in indicator.htcds.items()},
        "checklists": list(indicator.checklists),
        "flags": list(indicator.flags),
        "sources": list(indicator.sources),
    }


class Command(BaseCommand):
    help = "List the screening indicators of the current ruleset."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            catalogue = default_catalogue()
        except CatalogueError as error:
            raise CommandError(str(error)) from None
        if options["format"] == "json":
            payload = {
                "ruleset": catalogue.ruleset.version,
                "indicators": [indicator_json(i) for i in catalogue.indicators],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1))
            return
        self.stdout.write(f"ruleset {catalogue.ruleset.version}")
        for indicator in catalogue.indicators:
            grades = " ".join(f"{s}={g}" for s, g in indicator.grades.items())
            self.stdout.write(
                f"{indicator.id}\t{indicator.kind}\t{indicator.dimension or '-'}\t{grades}"
            )
