from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from haven.screening_engine import (
    CatalogueError,
    InputError,
    assess,
    default_catalogue,
    parse_input,
    to_json,
)
from haven.screening_engine.model import ScreeningInput

USAGE_ERROR = 2


class Command(BaseCommand):
    help = "Assess screening answers from a JSON file (or JSON lines) and print the result."

    def add_arguments(self, parser: ArgumentParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--answers", type=Path, help="one JSON object")
        source.add_argument("--answers-jsonl", type=Path, help="one JSON object per line")
        parser.add_argument("--format", choices=["json", "text"], default="json")
        parser.add_argument(
            "--lang", default="en", choices=[code for code, _name in settings.LANGUAGES]
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            catalogue = default_catalogue()
        except CatalogueError as error:
            raise CommandError(str(error)) from None
        path: Path = options["answers"] or options["answers_jsonl"]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                f"{path}: cannot be read ({error})", returncode=USAGE_ERROR
            ) from None
        lines = text.splitlines() if options["answers_jsonl"] else [text]
        inputs: list[ScreeningInput] = []
        problems: list[str] = []
        for number, line in enumerate(lines, start=1):
            if options["answers_jsonl"] and not line.strip():
                continue
            prefix = f"line {number}: " if options["answers_jsonl"] else ""
            try:
                inputs.append(parse_input(catalogue, json.loads(line)))
            except json.JSONDecodeError as error:
                problems.append(f"{prefix}not valid JSON ({error.msg})")
            except InputError as error:
                problems += [prefix + problem for problem in error.problems]
        if problems:
            # Nothing reaches stdout when any input is bad: the caller gets all or nothing.
            raise CommandError("\n".join(problems), returncode=USAGE_ERROR)
        for screening in inputs:
            result = assess(catalogue, screening, options["lang"])
            if options["format"] == "json":
                indent = None if options["answers_jsonl"] else 1
                self.stdout.write(json.dumps(to_json(result), ensure_ascii=False, indent=indent))
            else:
                self.stdout.write(result.explanation)
