from __future__ import annotations

import secrets
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.db import transaction

from haven.audit.chain import record
from haven.audit.models import Action
from haven.core import crypto
from haven.core.encrypted_columns import BATCH, key_usage, rotate, stale_count
from haven.core.testing_hooks import pausing


class Command(BaseCommand):
    help = "Manage the keys that encrypt personal data: status, add, rotate."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="Create a new key ring (never overwrites one).")
        init.add_argument(
            "--print", action="store_true", help="Print the JSON for a secret store instead."
        )
        sub.add_parser("status", help="Show the primary key and how many values each key seals.")
        sub.add_parser("add", help="Add a new data key to the key file and make it primary.")
        rotate_parser = sub.add_parser(
            "rotate",
            help="Re-encrypt every value under the primary key, in batches; safe to stop "
            "and run again.",
        )
        rotate_parser.add_argument(
            "--batch", type=int, default=BATCH, help="Values per transaction."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "init":
            self._init(print_only=options["print"])
            return
        if options["action"] == "rotate":
            self._rotate(batch=options["batch"])
            return
        getattr(self, f"_{options['action']}")()

    def _init(self, *, print_only: bool) -> None:
        ring = crypto.new_key_ring()
        if print_only:
            self.stdout.write(ring.to_json())
            return
        path = settings.HAVEN_KEY_FILE
        if path.exists():
            raise CommandError(f"{path} exists already; refusing to overwrite a key ring.")
        crypto.write_key_file(ring, path)
        self.stdout.write(f"Wrote a new key ring to {path} (mode 600). Back it up offline.")

    def _status(self) -> None:
        ring = crypto.key_ring()
        self.stdout.write(f"primary data key: {ring.primary}")
        self.stdout.write(f"keys in ring: {', '.join(sorted(ring.data_keys))}")
        usage = key_usage()
        for kid in sorted(set(ring.data_keys) | set(usage)):
            self.stdout.write(f"  {kid}: {usage.get(kid, 0)} values")

    def _add(self) -> None:
        if settings.HAVEN_KEYS_JSON:
            raise CommandError(
                "Keys come from HAVEN_KEYS: add the new key to that variable yourself "
                "(see README, Key management)."
            )
        ring = crypto.key_ring()
        number = len(ring.data_keys) + 1
        while f"k{number}" in ring.data_keys:
            number += 1
        kid = f"k{number}"
        new_ring = crypto.KeyRing(
            primary=kid,
            data_keys={**ring.data_keys, kid: secrets.token_bytes(crypto.KEY_BYTES)},
            index_key=ring.index_key,
            audit_key=ring.audit_key,
        )
        crypto.write_key_file(new_ring, settings.HAVEN_KEY_FILE)
        crypto.reset_key_ring_cache()
        self.stdout.write(f"Added data key {kid} and made it primary. Now run: haven keys rotate")

    def _rotate(self, *, batch: int) -> None:
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        bar = ProgressBar(self.stdout, stale_count()) if self.stdout.isatty() else None
        started = time.perf_counter()
        done = rotate(batch=batch, progress=pausing("keys-rotate", bar.advance if bar else None))
        if bar is not None:
            bar.finish()
        elapsed = time.perf_counter() - started
        with transaction.atomic():
            record(
                actor=None,
                action=Action.KEYS_ROTATE,
                object_type="keys",
                object_ref=crypto.key_ring().primary,
                changed_fields=sorted(done),
            )
        total = sum(done.values())
        for column, count in sorted(done.items()):
            self.stdout.write(f"  {column}: {count}")
        self.stdout.write(f"Re-encrypted {total} values under key {crypto.key_ring().primary}.")
        if total and elapsed > 0:
            self.stdout.write(f"{total / elapsed:,.0f} values per second.")


class ProgressBar:
    """A one-line bar redrawn in place; only ever shown on a terminal."""

    WIDTH = 40

    def __init__(self, out: OutputWrapper, total: int) -> None:
        self.out, self.total, self.done = out, total, 0

    def advance(self, n: int) -> None:
        self.done += n
        share = self.done / self.total if self.total else 1.0
        filled = int(self.WIDTH * min(share, 1.0))
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.out.write(f"\r[{bar}] {self.done}/{self.total}", ending="")
        self.out.flush()

    def finish(self) -> None:
        self.out.write("")
