"""The one flow every case sub-form follows: validate, call one action, and either go
back to the case with a message or show the form again with what went wrong."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from haven.cases.models import Case
from haven.core.errors import ConcurrentEditError, RefusedError, stale_edit_message
from haven.core.feedback import run_action

FORM_PAGE = "cases/form_page.html"


def case_url(case: Case, anchor: str = "") -> str:
    return reverse("cases:detail", kwargs={"reference": case.reference}) + (
        f"#{anchor}" if anchor else ""
    )


def case_form_page(
    request: HttpRequest,
    case: Case,
    form: forms.Form,
    save: Callable[[], object],
    *,
    done: str,
    title: str,
    anchor: str = "",
    submit: str = "",
    intro: str = "",
    template: str = FORM_PAGE,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET shows the form; a valid POST runs `save` (one domain action) and goes back to
    the case. A refused change or bad input shows the form again with status 400 and
    nothing saved; a stale version reloads the form with the latest data."""
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except ConcurrentEditError:
            messages.error(request, stale_edit_message())
            return redirect(request.path)
        except RefusedError as error:
            refused = error.message
        else:
            messages.success(request, done)
            return redirect(case_url(case, anchor))
    page = {
        "case": case,
        "form": form,
        "title": title,
        "submit": submit,
        "intro": intro,
        "refused": refused,
        "back": case_url(case, anchor),
        **(context or {}),
    }
    return render(request, template, page, status=400 if request.method == "POST" else 200)


def case_action(
    request: HttpRequest,
    case: Case,
    form: forms.Form,
    save: Callable[[], object],
    *,
    done: str,
    anchor: str = "",
) -> HttpResponse:
    """A button's POST (no page of its own): do it, or say why not, and go back to the case."""
    if form.is_valid():
        run_action(request, save, done)
    else:
        messages.error(request, stale_edit_message())
    return redirect(case_url(case, anchor))
