"""`haven xlsform export --output screening.xlsx`: the screening as an XLSForm for ODK
Collect and KoboToolbox (see haven.interop.xlsform)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.core.files import write_atomically
from haven.interop import xlsform
from haven.screening_engine import default_catalogue


class Command(BaseCommand):
    help = (
        "Write the screening (readiness, profile, every question in six languages) as an XLSForm."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        out = commands.add_parser("export", help="write the XLSForm")
        out.add_argument("--output", required=True, type=Path, help="FILE.xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"]
        if output.suffix.lower() != ".xlsx":
            raise CommandError("The output must end in .xlsx.")
        if not output.parent.is_dir():
            raise CommandError(f"The folder {output.parent} does not exist.")
        catalogue = default_catalogue()
        write_atomically([(output, xlsform.workbook(catalogue))])
        self.stdout.write(
            f"XLSForm {xlsform.FORM_ID} version {xlsform.version(catalogue)} to {output}: "
            f"{len(catalogue.indicators)} questions in {len(xlsform.languages())} languages"
        )
