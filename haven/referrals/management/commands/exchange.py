"""`haven exchange`: this deployment's keys for cross-border referral files, and the
deployments it trusts."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from haven.accounts.models import Organisation
from haven.referrals.crossborder import remember
from haven.referrals.exchange import ExchangeError, Identity, KeyPair, read_json_file
from haven.referrals.models import Deployment

USAGE_ERROR = 2  # bad input: a file that is not what it claims, or beyond the limits


def _own_keys(path: Path) -> KeyPair:
    try:
        return KeyPair.load(path)
    except (OSError, KeyError, ExchangeError) as error:
        raise CommandError(
            f"{path}: not a Haven key file ({error})", returncode=USAGE_ERROR
        ) from None


class Command(BaseCommand):
    help = "Exchange keys: init, identity, trust FILE, peers."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="Create this deployment's key pair.")
        init.add_argument("--id", required=True, help="a short name, e.g. kh-moswvy")
        init.add_argument("--name", required=True)
        init.add_argument("--country", default="")
        identity = sub.add_parser(
            "identity", help="Print the public identity to give to other deployments."
        )
        identity.add_argument(
            "--organisations",
            action="store_true",
            help="Also publish this deployment's organisations (id and name), so that a "
            "sender's consent can name the one that receives.",
        )
        trust = sub.add_parser("trust", help="Trust another deployment's identity file.")
        trust.add_argument("file")
        sub.add_parser("peers", help="List the trusted deployments.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = settings.HAVEN_EXCHANGE_KEY_FILE
        action = options["action"]
        if action == "init":
            if path.exists():
                raise CommandError(f"{path} exists already; keys are never overwritten.")
            keys = KeyPair.generate(options["id"], options["name"], options["country"])
            keys.save(path)
            remember(keys.identity, is_self=True)
            self.stdout.write(f"Created {path}. Back it up apart from the database.")
            return
        if action == "identity":
            if not path.exists():
                raise CommandError("No keys yet: run `haven exchange init` first.")
            keys = _own_keys(path)
            remember(keys.identity, is_self=True)
            data = keys.identity.to_json()
            if options["organisations"]:
                data["organisations"] = [
                    {"id": str(pk), "name": name}
                    for pk, name in Organisation.objects.order_by("name").values_list("pk", "name")
                ]
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        if action == "trust":
            try:
                identity = Identity.from_json(read_json_file(Path(options["file"])))
            except (OSError, ExchangeError) as error:
                raise CommandError(
                    f"Not a Haven identity file: {error}", returncode=USAGE_ERROR
                ) from None
            if path.exists() and _own_keys(path).identity.ident == identity.ident:
                raise CommandError("That is this deployment's own identity.")
            remember(identity, is_self=False)
            self.stdout.write(f"Trusting {identity.ident} ({identity.name}).")
            return
        for peer in Deployment.objects.order_by("ident"):
            marker = " (this deployment)" if peer.is_self else ""
            self.stdout.write(f"{peer.ident}\t{peer.country}\t{peer.name}{marker}")
