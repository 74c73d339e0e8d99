"""`haven xlsform export --output screening.xlsx`: the screening as an XLSForm for ODK
Collect and KoboToolbox (see haven.interop.xlsform)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from haven.accounts.models import User
from haven.core.errors import RefusedError
from haven.core.files import write_atomically
from haven.interop import submissions, xlsform
from haven.screening_engine import default_catalogue


class Command(BaseCommand):
    help = (
        "Write the screening (readiness, profile, every question in six languages) as an XLSForm."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        out = commands.add_parser("export", help="write the XLSForm")
        out.add_argument("--output", required=True, type=Path, help="FILE.xlsx")
        into = commands.add_parser("import", help="screenings from exported submissions")
        into.add_argument("--as", dest="username", required=True)
        into.add_argument("file", type=Path, help="a KoboToolbox or ODK Central export (CSV/JSON)")
        into.add_argument(
            "--reassess",
            action="store_true",
            help="take submissions made with another ruleset, assessed with this one",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "import":
            self._import(options)
            return
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

    def _import(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user is called {options['username']!r}.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        try:
            report = submissions.import_submissions(
                user, path.read_bytes(), path.name, reassess=options["reassess"]
            )
        except PermissionDenied:
            raise CommandError(f"{user.username}'s role may not screen.") from None
        except RefusedError as error:
            raise CommandError(error.message) from None
        for problem in report.problems:
            where = f"submission {problem.submission}" + (
                f", {problem.field}" if problem.field else ""
            )
            self.stderr.write(f"{where}: {problem.message}")
        if report.problems:
            raise CommandError(f"{len(report.problems)} problems: nothing was imported.")
        for reference, outcome in report.created:
            self.stdout.write(f"{reference}: suggested {outcome}; the screener completes it")
        self.stdout.write(f"{len(report.created)} screenings imported")
