from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from haven.people.actions import reindex_all


class Command(BaseCommand):
    help = "People records: reindex (rebuild the blind search index of every person)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "reindex",
            help="Rebuild every person's blind index: after an upgrade or a new index key.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = reindex_all()
        self.stdout.write(f"Reindexed {count} people.")  # a count, never a name
