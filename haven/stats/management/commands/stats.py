"""`haven stats refresh`: rebuild the statistics facts (run it from cron, e.g. nightly)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from haven.stats import facts


class Command(BaseCommand):
    help = "Statistics: `refresh` rebuilds the facts the statistics pages aggregate."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("refresh")

    def handle(self, *args: Any, **options: Any) -> None:
        done = facts.refresh()
        self.stdout.write(f"statistics refreshed: {done.people} people in {done.seconds:.1f} s")
