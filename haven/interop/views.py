"""The HTCDS upload page for organisation admins and supervisors. The rules live in
haven.interop.importing; larger files than a page takes go through `haven htcds import`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from haven.accounts.roles import Capability
from haven.core.decorators import requires, staff_user
from haven.core.errors import RefusedError
from haven.interop import htcds, importing, submissions, xlsform
from haven.screening.models import Outcome


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("HTCDS file (CSV or Excel)"))
    check_only = forms.BooleanField(
        label=gettext_lazy("Only check the file: change nothing"), required=False
    )
    allow_possible_duplicates = forms.BooleanField(
        label=gettext_lazy(
            "I have looked at the possible duplicates the check found: import them anyway"
        ),
        required=False,
    )


def _uploaded(
    request: HttpRequest, form: forms.Form, read: Callable[[bytes, str], Any]
) -> tuple[Any, int]:
    """Hand a posted file to the domain action `read(content, name)`: its report, and the
    status the page answers with (400 when the form, the file or any row is refused)."""
    report = None
    if request.method != "POST":
        return report, 200
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = read(upload.read(), upload.name)
        except RefusedError as error:
            form.add_error("file", error.message)
    refused = not form.is_valid() or bool(report and report.problems)
    return report, 400 if refused else 200


@requires(Capability.DATA_IMPORT)
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report, status = _uploaded(
        request,
        form,
        lambda content, name: importing.import_file(
            staff_user(request),
            content,
            name,
            allow_possible_duplicates=form.cleaned_data["allow_possible_duplicates"],
            check_only=form.cleaned_data["check_only"],
        ),
    )
    return render(
        request,
        "interop/import.html",
        {
            "form": form,
            "report": report,
            "columns": htcds.COLUMNS,
            "limit_mb": settings.HAVEN_MAX_REQUEST_BYTES // (1024 * 1024),
        },
        status=status,
    )


class SubmissionsForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Exported submissions (CSV or JSON)"))
    reassess = forms.BooleanField(
        label=gettext_lazy("Re-assess submissions made with another ruleset with the current one"),
        required=False,
    )


@requires(Capability.SCREENING_CREATE)
@require_http_methods(["GET"])
def xlsform_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        xlsform.workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="haven-screening-xlsform.xlsx"'
    return response


@requires(Capability.SCREENING_CREATE)
@require_http_methods(["GET", "POST"])
def submissions_page(request: HttpRequest) -> HttpResponse:
    form = SubmissionsForm(request.POST or None, request.FILES or None)
    report, status = _uploaded(
        request,
        form,
        lambda content, name: submissions.import_submissions(
            staff_user(request), content, name, reassess=form.cleaned_data["reassess"]
        ),
    )
    labels = dict(Outcome.choices)
    created = (
        [(ref, labels.get(outcome, outcome)) for ref, outcome in report.created] if report else []
    )
    return render(
        request,
        "interop/submissions.html",
        {"form": form, "report": report, "created": created},
        status=status,
    )
