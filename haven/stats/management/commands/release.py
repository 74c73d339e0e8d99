"""`haven release --k 11 --output r.csv` (k-anonymous records) or
`haven release --dp --epsilon 1 --output r.csv` (differentially private counts).

Writes the file and `r.meta.json` beside it (both or neither), records the release in the
register and the audit trail. The operator who runs this already holds the database, so
no second approval is asked here; releases asked for in the pages need one.
"""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from haven.accounts.models import Organisation
from haven.core.errors import RefusedError
from haven.stats import actions
from haven.stats.forms import MonthField
from haven.stats.models import ReleaseKind
from haven.stats.summary import last_day


def _month(text: str | None) -> dt.date | None:
    try:
        month: dt.date | None = MonthField().clean(text)
    except ValidationError:
        raise CommandError(f"{text!r} is not a month (give YYYY-MM).") from None
    return month


class Command(BaseCommand):
    help = "Write an anonymised data release and record it in the release register."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--k", type=int, default=11)
        parser.add_argument("--dp", action="store_true", help="differentially private counts")
        parser.add_argument("--epsilon", type=float, default=1.0)
        parser.add_argument("--organisation", help="one organisation's people (default: all)")
        parser.add_argument("--from", dest="start", help="first month, YYYY-MM")
        parser.add_argument("--to", dest="end", help="last month, YYYY-MM")

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"]
        if not output.parent.is_dir():
            raise CommandError(f"The folder {output.parent} does not exist.")
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(name=options["organisation"]).first()
            if organisation is None:
                raise CommandError("No organisation has that name.")
        try:
            release = actions.prepare(
                None,
                kind=ReleaseKind.DP_COUNTS if options["dp"] else ReleaseKind.K_ANONYMOUS,
                organisation=organisation,
                k=options["k"],
                epsilon=options["epsilon"],
                start=_month(options["start"]),
                end=last_day(end) if (end := _month(options["end"])) else None,
                approved=True,
            )
        except RefusedError as error:
            raise CommandError(error.message) from None
        meta = actions.write_files(release, output)
        self.stdout.write(
            f"release {release.pk}: {release.rows} rows to {output}, metadata in {meta}, "
            f"sha256 {release.sha256}"
        )
