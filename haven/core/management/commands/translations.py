"""Compile the gettext catalogues with polib (no system gettext needed) and report status."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DRAFT_FLAG = "X-Haven-Draft"


def catalogues() -> list[Path]:
    return sorted(Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/django.po"))


class Command(BaseCommand):
    help = "Translations: `compile` builds .mo files; `status` shows coverage and draft state."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("compile")
        sub.add_parser("status")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = catalogues()
        if not paths:
            raise CommandError("No catalogues found under haven/locale.")
        for path in paths:
            po = polib.pofile(str(path))
            language = path.parent.parent.name
            if options["action"] == "compile":
                po.save_as_mofile(str(path.with_suffix(".mo")))
            if language == settings.LANGUAGE_CODE:
                self.stdout.write(f"{language}: source language")
                continue
            draft = po.metadata.get(DRAFT_FLAG, "no")
            self.stdout.write(
                f"{language}: {po.percent_translated()}% translated, "
                f"{len(po.fuzzy_entries())} fuzzy, machine draft: {draft}"
            )
