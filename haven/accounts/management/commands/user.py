from __future__ import annotations

import secrets
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.accounts import actions
from haven.accounts.models import Organisation, User
from haven.accounts.roles import Role
from haven.core.errors import RefusedError


class Command(BaseCommand):
    help = (
        "Staff accounts: add a user, unlock a locked one, reset their second factors, "
        "give a temporary password."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Create a user; prints a one-time initial password.")
        add.add_argument("username")
        add.add_argument("--organisation", required=True, help="Organisation name")
        add.add_argument("--role", action="append", required=True, choices=Role.values)
        add.add_argument(
            "--translates",
            action="append",
            default=[],
            metavar="LANGUAGE",
            help="For a translator: a language code they review (repeat for several).",
        )
        languages = sub.add_parser(
            "languages", help="Set the languages a translator reviews (e.g. my km)."
        )
        languages.add_argument("username")
        languages.add_argument("language", nargs="+")
        unlock = sub.add_parser("unlock", help="Clear a lockout after failed sign-ins.")
        unlock.add_argument("username")
        reset = sub.add_parser(
            "reset-totp",
            help="Remove the user's authenticator app, passkeys and recovery codes: they set "
            "up a new authenticator at their next sign-in.",
        )
        reset.add_argument("username")
        temporary = sub.add_parser(
            "temporary-password",
            help="Give the user a one-time password, changed at their next sign-in (the "
            "second factor is still asked).",
        )
        temporary.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            organisation = Organisation.objects.filter(name=options["organisation"]).first()
            if organisation is None:
                raise CommandError("No organisation with that name.")
            if User.objects.filter(username=options["username"]).exists():
                raise CommandError("That username is taken.")
            password = secrets.token_urlsafe(12)
            try:
                actions.create_user(
                    actor=None,
                    organisation_id=organisation.pk,
                    username=options["username"],
                    password=password,
                    roles=options["role"],
                    translation_languages=options["translates"],
                )
            except RefusedError as error:
                raise CommandError(error.message) from None
            self.stdout.write(f"Created {options['username']}. Initial password: {password}")
            self.stdout.write("They set up their authenticator at first sign-in.")
            return
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError("No user with that username.")
        if action == "languages":
            try:
                actions.set_translation_languages(None, user, options["language"])
            except RefusedError as error:
                raise CommandError(error.message) from None
            self.stdout.write(f"{user.username} reviews: {', '.join(user.translation_languages)}")
        elif action == "unlock":
            actions.unlock_user(None, user)
            self.stdout.write("Unlocked.")
        elif action == "temporary-password":
            password = actions.set_temporary_password(None, user)
            self.stdout.write(f"Temporary password (pass it on in person): {password}")
            self.stdout.write("They choose their own at the next sign-in.")
        else:
            actions.reset_totp(None, user)
            self.stdout.write("The user will set up a new authenticator at next sign-in.")
