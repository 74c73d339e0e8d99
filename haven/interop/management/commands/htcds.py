"""`haven htcds export --as USER --output cases.csv` and `haven htcds import --as USER FILE`.

The user named with --as is who does it: their organisation, role and scope decide what
is exported or where people are recorded, exactly as in the pages. Identity leaves only
with --identity and a --reason, both registered and audited.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from haven.accounts.models import User
from haven.core.errors import RefusedError
from haven.core.files import write_atomically
from haven.interop import exporting, importing, reading


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user is called {username!r}.")
    return user


class Command(BaseCommand):
    help = "Export cases to, or import them from, HTCDS v2 files (CSV or Excel)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        out = commands.add_parser("export", help="write cases as HTCDS rows")
        out.add_argument("--as", dest="username", required=True)
        out.add_argument("--output", required=True, type=Path, help="FILE.csv or FILE.xlsx")
        out.add_argument("--case", default="", help="one case, by its reference")
        out.add_argument("--identity", action="store_true", help="include identity columns")
        out.add_argument("--reason", default="", help="why identity leaves Haven")
        into = commands.add_parser("import", help="read HTCDS rows into people and cases")
        into.add_argument("--as", dest="username", required=True)
        into.add_argument("file", type=Path)
        into.add_argument("--check", action="store_true", help="check only, change nothing")
        into.add_argument(
            "--allow-possible-duplicates",
            action="store_true",
            help="import people who may already be recorded (after looking at them)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = _user(options["username"])
        try:
            if options["command"] == "export":
                self._export(user, options)
            else:
                self._import(user, options)
        except PermissionDenied:
            raise CommandError(f"{user.username}'s role may not do this.") from None
        except RefusedError as error:
            raise CommandError(error.message) from None

    def _export(self, user: User, options: dict[str, Any]) -> None:
        output: Path = options["output"]
        fmt = output.suffix.lower().lstrip(".")
        if fmt not in exporting.FORMATS:
            raise CommandError("The output must end in .csv or .xlsx.")
        if not output.parent.is_dir():
            raise CommandError(f"The folder {output.parent} does not exist.")
        exported = exporting.export(
            user,
            fmt=fmt,
            case_reference=options["case"],
            identity=options["identity"],
            reason=options["reason"],
        )
        write_atomically([(output, exported.content)])
        what = "with identity" if exported.record.identity else "without identity"
        self.stdout.write(
            f"{exported.record.cases} cases to {output} ({what}), sha256 {exported.record.sha256}"
        )

    def _import(self, user: User, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        if path.stat().st_size > reading.MAX_BYTES:
            raise CommandError("The file is too large. Split it into smaller files.")
        report = importing.import_file(
            user,
            path.read_bytes(),
            path.name,
            allow_possible_duplicates=options["allow_possible_duplicates"],
            check_only=options["check"],
        )
        for note in report.notes:
            self.stdout.write(note)
        for problem in report.problems:
            where = f"row {problem.row}" + (f", {problem.column}" if problem.column else "")
            self.stderr.write(f"{where}: {problem.message}")
        summary = (
            f"{report.rows} rows read, {report.skipped} already in Haven, "
            f"{report.created} cases created"
        )
        if report.problems:
            raise CommandError(f"{summary}; {len(report.problems)} problems: nothing was imported.")
        self.stdout.write(summary + (" (checked only)" if options["check"] else ""))
