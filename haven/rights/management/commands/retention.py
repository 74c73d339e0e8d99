"""`haven retention apply [--dry-run]`: anonymise or delete what each organisation's
retention policy says is due (haven.rights.retention), from cron.

Reports, per organisation with a policy, how many cases were due, how many a legal hold
kept, and the references of the cases and people anonymised or deleted. References are
pseudonyms: no name or other identity is ever printed.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from haven.rights.retention import Report, apply_retention


class Command(BaseCommand):
    help = "Apply the organisations' retention policies."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        run = commands.add_parser("apply", help="anonymise or delete what is due")
        run.add_argument(
            "--dry-run", action="store_true", help="say what would be done, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        reports = apply_retention(dry_run=dry_run)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed. A real run would do this:")
        if not reports:
            self.stdout.write("No organisation has a retention policy: nothing to do.")
        for report in reports:
            self._write(report)

    def _write(self, report: Report) -> None:
        self.stdout.write(
            f"{report.organisation}: {report.outcome}, {report.due} cases due, "
            f"{report.held} kept by a legal hold"
        )
        for label, references in (
            ("cases anonymised", report.anonymised_cases),
            ("cases deleted", report.deleted_cases),
            ("people anonymised", report.anonymised_people),
            ("people deleted", report.deleted_people),
            ("people left unchanged after an error", report.failed_people),
        ):
            if references:
                self.stdout.write(f"  {len(references)} {label}: {', '.join(references)}")
