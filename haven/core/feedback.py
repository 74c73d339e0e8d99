"""How a page reports the outcome of one domain action to the person who asked for it."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest

from haven.core.errors import ConcurrentEditError, RefusedError, stale_edit_message


def run_action(request: HttpRequest, save: Callable[[], object], done: str) -> bool:
    """Run `save` and say how it went: done, refused and why, or someone saved first.
    Nothing is saved unless it returns True."""
    try:
        save()
    except ConcurrentEditError:
        messages.error(request, stale_edit_message())
    except RefusedError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
        return True
    return False
