from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from haven.accounts.models import User
from haven.accounts.roles import Capability, can

V = TypeVar("V", bound=Callable[..., HttpResponse])


def requires(*capabilities: Capability) -> Callable[[V], V]:
    """403 unless one of the user's roles grants one of `capabilities` (in any scope)."""

    def decorate(view: V) -> V:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not isinstance(user, User) or not any(can(user, c) for c in capabilities):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def staff_user(request: HttpRequest) -> User:
    """The signed-in user; views behind `requires` can rely on it."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
