"""`haven due`: what is overdue, per organisation, for a daily cron. References only."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from haven.accounts.models import Organisation
from haven.cases.due import due_items
from haven.cases.models import Case
from haven.referrals import due as referral_due


class Command(BaseCommand):
    help = (
        "List overdue items per organisation: decisions past their target date, missed "
        "follow-ups, referrals without an answer (and, with --all, what falls due within a "
        "week). Exit 0 either way."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--all", action="store_true", help="Also list items due soon.")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        report: list[dict[str, Any]] = []
        for org in Organisation.objects.order_by("name"):
            cases = Case.objects.filter(organisation=org).select_related("assigned_to")
            items = due_items(cases, today, overdue_only=not options["all"])
            report.append(
                {
                    "organisation": org.name,
                    "items": [
                        {
                            "case": item.case.reference,
                            "kind": item.kind,
                            "due_on": item.due_on.isoformat(),
                            "overdue": item.overdue,
                            "case_worker": item.case.assigned_to.username
                            if item.case.assigned_to
                            else None,
                        }
                        for item in items
                    ]
                    + [
                        {
                            "case": None,
                            "referral": referral.reference,
                            "kind": "referral_unanswered",
                            "due_on": referral.sent_at.date().isoformat(),
                            "overdue": True,
                            "case_worker": None,
                        }
                        for referral in referral_due.for_organisation(org)
                    ],
                }
            )
        if options["format"] == "json":
            self.stdout.write(json.dumps({"date": today.isoformat(), "organisations": report}))
            return
        for entry in report:
            self.stdout.write(f"{entry['organisation']}: {len(entry['items'])} item(s)")
            for item in entry["items"]:
                worker = item["case_worker"] or "-"
                record = item["case"] or item["referral"]
                self.stdout.write(f"  {item['due_on']}  {record}  {item['kind']}  {worker}")
