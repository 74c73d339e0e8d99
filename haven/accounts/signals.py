"""Audit rows for sign-in events, whichever library raised them.

django-allauth and django-axes announce sign-ins, failures, lockouts and factor changes
with signals; each handler here calls the domain action that writes Haven's audit row.
"""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from axes.signals import user_locked_out
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from haven.accounts import actions, lockout
from haven.accounts.models import User
from haven.audit.models import Action


def hold_for_passkey(request: Any, user: User) -> None:
    """Ask once per session (at sign-in, and when a factor is added) whether the
    organisation's passkey rule holds this account; the middleware keeps the answer."""
    from haven.accounts.middleware import NEEDS_PASSKEY  # noqa: PLC0415 - import cycle

    if request is None or not hasattr(request, "session"):
        return
    if actions.needs_passkey(user):
        request.session[NEEDS_PASSKEY] = True
    else:
        request.session.pop(NEEDS_PASSKEY, None)


@receiver(auth_signals.user_logged_out, dispatch_uid="haven.audit.logout")
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if isinstance(user, User):
        actions.record_logout(user)


@receiver(auth_signals.user_login_failed, dispatch_uid="haven.audit.login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = lockout.username_of(request, credentials) if request is not None else None
    if username:
        actions.record_refusal(username, Action.LOGIN_FAILED)


@receiver(user_locked_out, dispatch_uid="haven.audit.locked")
def _locked(sender: Any, request: Any, username: str | None = None, **kwargs: Any) -> None:
    if username:
        actions.record_refusal(username, Action.LOCKED)


@receiver(mfa_signals.authenticator_added, dispatch_uid="haven.audit.factor_added")
@receiver(mfa_signals.authenticator_reset, dispatch_uid="haven.audit.factor_reset")
@receiver(mfa_signals.authenticator_removed, dispatch_uid="haven.audit.factor_removed")
def _factor_changed(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, signal: Any, **kwargs: Any
) -> None:
    if isinstance(user, User):
        removed = signal is mfa_signals.authenticator_removed
        actions.record_factor_change(user, authenticator, added=not removed)
        hold_for_passkey(request, user)


@receiver(mfa_signals.authenticator_used, dispatch_uid="haven.audit.factor_used")
def _factor_used(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    if authenticator.type == Authenticator.Type.RECOVERY_CODES and isinstance(user, User):
        actions.record_recovery_code_used(user)


@receiver(account_signals.password_changed, dispatch_uid="haven.audit.password_changed")
@receiver(account_signals.password_reset, dispatch_uid="haven.audit.password_reset")
def _password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if isinstance(user, User):
        actions.password_changed(user)
