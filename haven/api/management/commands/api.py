"""`haven api schema [--output FILE]`: the API's OpenAPI 3 document (haven.api.v1)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.api.v1 import api
from haven.core.files import write_atomically


class Command(BaseCommand):
    help = "Print (or write) the OpenAPI 3 document of Haven's REST API, version 1."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        schema = commands.add_parser("schema", help="the OpenAPI document as JSON")
        schema.add_argument("--output", type=Path, help="write to FILE.json instead")

    def handle(self, *args: Any, **options: Any) -> None:
        document = json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False) + "\n"
        output: Path | None = options.get("output")
        if output is None:
            self.stdout.write(document, ending="")
            return
        if not output.parent.is_dir():
            raise CommandError(f"The folder {output.parent} does not exist.")
        write_atomically([(output, document.encode())])
        self.stdout.write(f"OpenAPI {api.get_openapi_schema()['openapi']} document to {output}")
