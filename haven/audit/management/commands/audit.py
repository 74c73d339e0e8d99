from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from haven.audit.chain import verify
from haven.audit.models import AuditHead


class Command(BaseCommand):
    help = "Check the audit trail: `verify` walks the hash chain; `head` prints its last link."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "verify", help="Exit 0 when the chain is intact, 1 naming the first bad entry."
        )
        sub.add_parser("head", help="Print the last sequence number and hash, to keep off-site.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "head":
            head = AuditHead.objects.filter(id=1).first()
            self.stdout.write(f"{head.seq if head else 0} {head.entry_hash if head else '0' * 64}")
            return
        verdict = verify()
        if verdict.ok:
            self.stdout.write(f"Audit chain intact: {verdict.checked} entries verified.")
            return
        self.stderr.write(
            f"Audit chain BROKEN at entry #{verdict.bad_seq}: {verdict.reason} "
            f"({verdict.checked} entries verified before it)."
        )
        sys.exit(1)
