"""Haven's adapters for django-allauth: closed sign-up, Haven's words, encrypted secrets.

allauth runs the sign-in, second-factor, recovery-code, passkey and password flows;
these adapters bend it to Haven's rules:
- nobody signs up (accounts are made by an organisation admin or `haven user create`);
- every new account must set up a second factor before it is signed in
  (`haven.accounts.stages.EnrolStage`, added after allauth's second-factor stage);
- failures read the same whether or not the account exists;
- authenticator secrets are encrypted with Haven's key ring, like all personal data;
- the last second factor, or the last passkey where the organisation requires one,
  cannot be removed (`haven.accounts.actions.why_not_remove_factor`).
"""

from __future__ import annotations

from typing import Any

import segno
from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from haven.accounts.actions import record_login
from haven.accounts.models import User
from haven.core import crypto

SECRET_CONTEXT = "mfa.authenticator"  # noqa: S105 - the encryption context, not a secret


FAILED_SIGN_IN = _(
    "Sign-in failed. Check your username and password. After repeated failures "
    "the account is locked for a while."
)
CODE_REFUSED = _("That code was not accepted. Wait for a new code and try again.")
TOO_MANY = _("Too many attempts. Wait a few minutes and try again.")
RESET_LINK_INVALID = _(
    "This reset link is not valid any more. Ask for a new one, or ask your organisation admin."
)


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": FAILED_SIGN_IN,
        "invalid_login": FAILED_SIGN_IN,
        "account_inactive": FAILED_SIGN_IN,
        "too_many_login_attempts": TOO_MANY,
        "rate_limited": TOO_MANY,
        "incorrect_code": CODE_REFUSED,
        "enter_current_password": _("Type your current password."),
        "incorrect_password": _("That is not your current password."),
        "invalid_password_reset": RESET_LINK_INVALID,
        "invalid_or_expired_key": RESET_LINK_INVALID,
        "same_as_current": _("The new password must differ from the current one."),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> Any:
        """The password was right: a new session key before the second step is asked
        (Django's login() gives another when both steps are done)."""
        response = super().pre_login(request, user, **kwargs)
        if response is None:
            request.session.cycle_key()
        return response

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        """Both steps done: sign in, audit, and ask whether a passkey is owed."""
        from haven.accounts.signals import hold_for_passkey  # noqa: PLC0415 - import cycle

        super().login(request, user)
        if isinstance(user, User):
            record_login(user)
            hold_for_passkey(request, user)

    def get_login_stages(self) -> list[str]:
        stages = super().get_login_stages()
        position = stages.index("allauth.mfa.stages.AuthenticateStage") + 1
        return [*stages[:position], "haven.accounts.stages.EnrolStage", *stages[position:]]

    def add_message(self, *args: Any, **kwargs: Any) -> None:
        """allauth's own notices are not in Haven's languages; Haven's views say what happened."""

    def send_notification_mail(self, *args: Any, **kwargs: Any) -> None:
        """No mail on security changes: they are in the audit log, and staff may not have mail."""


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": CODE_REFUSED,
        "cannot_delete_authenticator": _(
            "This is your last way to confirm it is you. Add another one before removing it."
        ),
        "cannot_generate_recovery_codes": _(
            "Set up an authenticator app or a passkey before making recovery codes."
        ),
    }

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text, SECRET_CONTEXT)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text, SECRET_CONTEXT)

    def get_totp_label(self, user: AbstractBaseUser) -> str:
        return user.get_username()

    def get_totp_issuer(self) -> str:
        return "Haven"

    def _get_site_name(self) -> str:
        return "Haven"

    def build_totp_svg(self, url: str) -> str:
        # segno draws the code from the otpauth URI alone; nothing typed by a user.
        return str(segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff"))

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        from haven.accounts.actions import why_not_remove_factor  # noqa: PLC0415 - import cycle

        return why_not_remove_factor(authenticator) is None
