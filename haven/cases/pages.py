"""Pages that edit part of a case, and buttons on the case page: the flows of
haven.core.feedback, going back to the case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from haven.cases.models import Case
from haven.core.errors import stale_edit_message
from haven.core.feedback import form_page, run_action

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
    """`core.feedback.form_page` for a part of a case: back to the case when done."""
    page = {"case": case, "title": title, "submit": submit, "intro": intro, **(context or {})}
    return form_page(
        request,
        form,
        save,
        done=done,
        back=case_url(case, anchor),
        template=template,
        context=page,
    )


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
