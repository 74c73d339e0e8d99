"""How a page reports the outcome of one domain action to the person who asked for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from haven.core.errors import ConcurrentEditError, RefusedError, stale_edit_message

T = TypeVar("T")


def form_page(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[], T],
    *,
    done: str,
    back: str,
    template: str,
    context: dict[str, Any],
    then: Callable[[T], str] | None = None,
) -> HttpResponse:
    """The one flow of a form page. GET shows the form; a valid POST runs `save` (one
    domain action) and goes to `then(result)` or `back`. A refused change or bad input
    shows the form again with status 400 and nothing saved; a stale version reloads the
    page with the latest data."""
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            result = save()
        except ConcurrentEditError:
            messages.error(request, stale_edit_message())
            return redirect(request.path)
        except RefusedError as error:
            refused = error.message
        else:
            messages.success(request, done)
            return redirect(then(result) if then else back)
    page = {"form": form, "refused": refused, "back": back, **context}
    return render(request, template, page, status=400 if request.method == "POST" else 200)


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
