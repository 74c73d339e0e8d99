"""`haven directory export`: the public directory as a PDF, in one language."""

from __future__ import annotations

import os
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from haven.directory.pdf import render_directory_pdf
from haven.directory.search import Criteria

USAGE_ERROR = 2


class Command(BaseCommand):
    help = "The service directory: export the public directory as a PDF."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write the public directory to a PDF file.")
        codes = ", ".join(code for code, _name in settings.LANGUAGES)
        export.add_argument("--lang", default="en", help=f"Language of the PDF: one of {codes}.")
        export.add_argument("--output", required=True, help="The PDF file to write.")
        export.add_argument("--country", default="", help="Only this country (ISO 3166-1).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self._export(options["lang"], Path(options["output"]), options["country"].upper())

    def _export(self, language: str, output: Path, country: str) -> None:
        codes = [code for code, _name in settings.LANGUAGES]
        if language not in codes:
            raise CommandError(
                f"Unknown language {language!r}: use one of {', '.join(codes)}.",
                returncode=USAGE_ERROR,
            )
        folder = output.parent
        if output.is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK):
            raise CommandError(f"Cannot write {output}.", returncode=USAGE_ERROR)
        pdf = render_directory_pdf(Criteria(country=country), language)
        try:
            output.write_bytes(pdf)
        except OSError as error:
            raise CommandError(
                f"Cannot write {output}: {error.strerror}.", returncode=USAGE_ERROR
            ) from None
        self.stdout.write(f"Wrote the directory in {language} to {output} ({len(pdf)} bytes).")
