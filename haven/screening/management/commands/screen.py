from __future__ import annotations

import json
from argparse import ArgumentParser
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from haven.core import safejson
from haven.screening_engine import (
    Catalogue,
    CatalogueError,
    InputError,
    assess,
    default_catalogue,
    parse_input,
    to_json,
)
from haven.screening_engine.model import ScreeningInput

USAGE_ERROR = 2
# An answer set for the whole catalogue is a few KiB; anything far larger is not one.
MAX_INPUT_BYTES = 1024 * 1024
# Answers are an object of lists of small objects: a few levels deep.
MAX_INPUT_DEPTH = 16


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
        batch = bool(options["answers_jsonl"])
        inputs: list[ScreeningInput] = []
        problems: list[str] = []
        try:
            with path.open("rb") as handle:
                for number, line in enumerate(_lines(handle, batch), start=1):
                    if batch and not line.strip():
                        continue
                    prefix = f"line {number}: " if batch else ""
                    problem = _parse(catalogue, line, inputs)
                    problems += [prefix + p for p in problem]
        except OSError as error:
            raise CommandError(
                f"{path}: cannot be read ({error.strerror})", returncode=USAGE_ERROR
            ) from None
        if problems:
            # Nothing reaches stdout when any input is bad: the caller gets all or nothing.
            raise CommandError("\n".join(problems), returncode=USAGE_ERROR)
        for screening in inputs:
            result = assess(catalogue, screening, options["lang"])
            if options["format"] == "json":
                # One compact line per result in batch use; indented for a person otherwise.
                payload = to_json(result)
                self.stdout.write(
                    json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
                    if batch
                    else json.dumps(payload, ensure_ascii=False, indent=1)
                )
            else:
                self.stdout.write(result.explanation)


def _lines(handle: BinaryIO, batch: bool) -> Iterator[bytes]:
    """One input per line in batch use, else the whole file; never more than the limit."""
    if not batch:
        yield handle.read(MAX_INPUT_BYTES + 1)
        return
    while line := handle.readline(MAX_INPUT_BYTES + 1):
        if len(line) > MAX_INPUT_BYTES and not line.endswith(b"\n"):
            # Skip the rest of an overlong line so the next one is read whole.
            while (rest := handle.readline(MAX_INPUT_BYTES)) and not rest.endswith(b"\n"):
                pass
        yield line


def _parse(catalogue: Catalogue, raw: bytes, inputs: list[ScreeningInput]) -> list[str]:
    """Decode and validate one answer set; return the problems, one line each."""
    if len(raw) > MAX_INPUT_BYTES:
        return [f"input larger than {MAX_INPUT_BYTES // 1024} KiB: not a screening"]
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return ["not valid UTF-8"]
    try:
        data = safejson.loads(raw, max_bytes=MAX_INPUT_BYTES, max_depth=MAX_INPUT_DEPTH)
    except safejson.TooDeepError:
        return [f"JSON nested deeper than {MAX_INPUT_DEPTH} levels: not a screening"]
    except safejson.UnsafeJSONError as error:
        return [str(error)]
    try:
        inputs.append(parse_input(catalogue, data))
    except InputError as error:
        return error.problems
    return []
