from __future__ import annotations

import json
import os
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.audit import checkpoint
from haven.audit.chain import verify
from haven.audit.models import AuditHead


class Command(BaseCommand):
    help = (
        "Check the audit trail: `verify` walks the hash chain (and checks it against signed "
        "checkpoints); `head` prints its last link; `checkpoint` signs the head, to keep "
        "off the machine."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser(
            "verify", help="Exit 0 when the chain is intact, 1 naming the first bad entry."
        )
        check.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="FILE",
            help="A checkpoint from `haven audit checkpoint`; the chain must still reach it. "
            "May be repeated.",
        )
        sub.add_parser("head", help="Print the last sequence number and hash, to keep off-site.")
        sign = sub.add_parser(
            "checkpoint",
            help="Sign the head (sequence, hash, time) with this deployment's key and write it "
            "to FILE (stdout without --output). Send it off the machine every day.",
        )
        sign.add_argument("--output", metavar="FILE")
        sign.add_argument(
            "--public-key", action="store_true", help="Print only the public key, to check with."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "head":
            head = AuditHead.objects.filter(id=1).first()
            self.stdout.write(f"{head.seq if head else 0} {head.entry_hash if head else '0' * 64}")
        elif action == "checkpoint":
            self._checkpoint(options)
        else:
            self._verify(options["checkpoint"])

    def _checkpoint(self, options: dict[str, Any]) -> None:
        if options["public_key"]:
            self.stdout.write(checkpoint.public_key())
            return
        text = json.dumps(checkpoint.make(), indent=2) + "\n"
        if not options["output"]:
            self.stdout.write(text, ending="")
            return
        path = Path(options["output"])
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
        self.stdout.write(f"Checkpoint written to {path}. Keep a copy off this machine.")

    def _verify(self, files: list[str]) -> None:
        checkpoints = []
        for name in files:
            try:
                text = Path(name).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                self.stderr.write(f"Cannot read the checkpoint {name}: {error}.")
                sys.exit(2)
            try:
                checkpoints.append((name, checkpoint.read(text)))
            except checkpoint.CheckpointError as error:
                self.stderr.write(f"Checkpoint {name} refused: {error}.")
                sys.exit(1)
        verdict = verify()
        if not verdict.ok:
            self.stderr.write(
                f"Audit chain BROKEN at entry #{verdict.bad_seq}: {verdict.reason} "
                f"({verdict.checked} entries verified before it)."
            )
            sys.exit(1)
        for name, point in checkpoints:
            problem = checkpoint.holds(point)
            if problem:
                self.stderr.write(f"Audit chain BROKEN against checkpoint {name}: {problem}.")
                sys.exit(1)
        against = f", and it reaches all {len(checkpoints)} checkpoints" if checkpoints else ""
        self.stdout.write(f"Audit chain intact: {verdict.checked} entries verified{against}.")
