from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

import pycountry
from django.core.management.base import BaseCommand, CommandError

from haven.accounts.actions import ensure_organisation
from haven.accounts.models import Organisation, OrganisationType


class Command(BaseCommand):
    help = "Organisations: add one, or list them."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add")
        add.add_argument("name")
        add.add_argument("--type", required=True, choices=OrganisationType.values)
        add.add_argument("--country", required=True, help="ISO 3166-1 alpha-2 code")
        add.add_argument(
            "--training",
            action="store_true",
            help="a training space: practice records that never leave it (fixed once created)",
        )
        sub.add_parser("list")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for org in Organisation.objects.all():
                training = "\ttraining" if org.is_training else ""
                self.stdout.write(f"{org.name}\t{org.org_type}\t{org.country}{training}")
            return
        country = options["country"].upper()
        if pycountry.countries.get(alpha_2=country) is None:
            raise CommandError("Not an ISO 3166-1 alpha-2 country code.")
        _org, created = ensure_organisation(
            actor=None,
            name=options["name"],
            org_type=options["type"],
            country=country,
            training=options["training"],
        )
        self.stdout.write("Created." if created else "Already exists; left unchanged.")
