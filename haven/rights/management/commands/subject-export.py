"""`haven subject-export REFERENCE --actor USER --language LANG --output DIR`.

Everything the organisation holds about one person, for that person: a JSON file and a
PDF in their language, written into DIR (which the operator keeps safe: the files hold
the person's identity). The user named with --actor is who makes it: their role and
organisation decide whether they may, exactly as on the page, and the export is audited.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.accounts.models import User
from haven.core.errors import RefusedError
from haven.core.files import write_atomically
from haven.people.models import Person
from haven.rights import actions


class Command(BaseCommand):
    help = "Export everything held about one person, for that person (JSON and PDF)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("reference", help="the person's reference")
        parser.add_argument("--actor", required=True, help="the user who makes the export")
        parser.add_argument("--language", required=True, choices=actions.export_languages())
        parser.add_argument("--output", required=True, type=Path, help="a folder")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user is called {options['actor']!r}.")
        folder: Path = options["output"]
        if not folder.is_dir():
            raise CommandError(f"The folder {folder} does not exist.")
        # The same answer for a person who does not exist and one the actor may not see.
        person = Person.objects.filter(reference=options["reference"]).first()
        if person is None:
            raise CommandError(actions.not_allowed_message())
        try:
            export = actions.export_subject(actor, person, options["language"])
        except RefusedError as error:
            raise CommandError(error.message) from None
        files = [
            (folder / export.filename("json"), export.json),
            (folder / export.filename("pdf"), export.pdf),
        ]
        write_atomically(files)
        for path, _body in files:
            self.stdout.write(str(path))
