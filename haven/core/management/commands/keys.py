from __future__ import annotations

import secrets
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from haven.audit.chain import record
from haven.audit.models import Action
from haven.core import crypto
from haven.core.encrypted_columns import key_usage, rotate


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
        sub.add_parser("rotate", help="Re-encrypt every value under the primary key.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "init":
            self._init(print_only=options["print"])
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

    def _rotate(self) -> None:
        done = rotate()
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
