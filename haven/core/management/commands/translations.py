"""Compile the gettext catalogues with polib (no system gettext needed) and report the
review state of every translated text, per language and per part."""

from __future__ import annotations

from argparse import ArgumentParser
from collections import Counter
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from haven.translations import live, sources
from haven.translations.models import Part, ReviewState

DRAFT_FLAG = "X-Haven-Draft"


def catalogues() -> list[Path]:
    return sorted(Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/django.po"))


class Command(BaseCommand):
    help = (
        "Translations: `compile` builds .mo files; `status` shows, per language and part, "
        "how many texts are reviewed, machine drafts, needing change or missing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("compile")
        sub.add_parser("status")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = catalogues()
        if not paths:
            raise CommandError("No catalogues found under haven/locale.")
        if options["action"] == "status":
            self._status()
            return
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

    def _status(self) -> None:
        live.refresh(force=True)
        states = [s for s, _label in ReviewState.choices]
        self.stdout.write(f"{'language':<9}{'part':<11}" + "".join(f"{s:>14}" for s in states))
        for language, _name in sources.languages():
            for part in Part.values:
                counts = Counter(live.state(language, e) for e in sources.entries(language, part))
                row = "".join(f"{counts.get(s, 0):>14}" for s in states)
                self.stdout.write(f"{language:<9}{part:<11}{row}")
