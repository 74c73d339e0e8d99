from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.identification import jurisdictions


class Command(BaseCommand):
    help = "List the jurisdiction profiles: decisions, who takes them, deadlines, reflection."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            profiles = jurisdictions.available()
        except jurisdictions.JurisdictionError as error:
            raise CommandError(str(error), returncode=2) from None
        if options["format"] == "json":
            data = {"jurisdictions": [p.to_json() for p in profiles.values()]}
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for profile in profiles.values():
            first, final = profile.first_decision, profile.final_decision
            self.stdout.write(f"{profile.id}: {profile.name}")
            self.stdout.write(
                f"  1. {first.name} by {', '.join(sorted(first.roles))},"
                f" target {first.target_working_days} working days"
            )
            self.stdout.write(
                f"  2. {final.name} by {', '.join(sorted(final.roles))},"
                f" not before {final.not_before_days} days, target"
                f" {final.target_working_days} working days"
            )
            removal = "allowed" if profile.removal_allowed_during_reflection else "not allowed"
            self.stdout.write(
                f"  reflection: {profile.reflection_days} days from {profile.reflection_starts_at},"
                f" removal {removal}"
            )
