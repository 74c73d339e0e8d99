"""Lockout rules for django-axes: Haven's thresholds, and what a locked account sees.

django-axes counts failures per account name (wrong passwords and, through
`count_failure`, wrong second-factor codes) and refuses a locked account before its
password is checked. The limits come from HAVEN_LOCKOUT_THRESHOLD and
HAVEN_LOCKOUT_MINUTES on every request, so a deployment (or a test) can change them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from haven.accounts.models import User


def failure_limit(request: HttpRequest | None = None, credentials: Any = None) -> int:
    return int(settings.HAVEN_LOCKOUT_THRESHOLD)


def cool_off(request: HttpRequest | None = None) -> dt.timedelta:
    return dt.timedelta(minutes=settings.HAVEN_LOCKOUT_MINUTES)


def username_of(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The account name a failure counts against: from the credentials, else the form."""
    for source in (credentials or {}, getattr(request, "POST", {})):
        for key in ("username", "login"):
            value = source.get(key)
            if value:
                return str(value)[:150]
    return None


def count_failure(request: HttpRequest, user: User) -> None:
    """Count a wrong second-factor code against the account, as a wrong password is.

    Sent as Django's `user_login_failed`, so django-axes counts it (and locks at the
    threshold) and Haven's audit records it, exactly as for a password.
    """
    user_login_failed.send(sender=User, credentials={"username": user.username}, request=request)


def is_locked(request: HttpRequest, user: User) -> bool:
    return bool(AxesProxyHandler.is_locked(request, credentials={"username": user.username}))


def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of these accounts are locked now (for the users page)."""
    since = timezone.now() - cool_off()
    attempts = AccessAttempt.objects.filter(
        Q(username__in=usernames),
        failures_since_start__gte=failure_limit(),
        attempt_time__gte=since,
    )
    return set(attempts.values_list("username", flat=True))


def clear(username: str) -> None:
    reset(username=username)


def locked_out(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """A locked account reads exactly like a wrong password: no hint that it exists."""
    from haven.accounts.views import failed_sign_in  # noqa: PLC0415 - views import this module

    return failed_sign_in(request)
