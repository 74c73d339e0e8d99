"""Results frameworks: list and create, the progress report (screen and PDF), and adding
outcomes, outputs and indicators. The rules live in haven.stats.results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts.roles import Capability, can
from haven.core.decorators import requires, staff_user
from haven.core.errors import RefusedError
from haven.core.pdf import render_pdf
from haven.stats import results
from haven.stats.forms import MonthField
from haven.stats.models import (
    IndicatorSource,
    Result,
    ResultIndicator,
    ResultLevel,
    ResultsFramework,
)
from haven.stats.summary import last_day


class FrameworkForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    goal = forms.CharField(label=gettext_lazy("Goal"), max_length=2000, widget=forms.Textarea)


class ResultForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=ResultLevel.choices)
    statement = forms.CharField(label=gettext_lazy("Result"), max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)


class IndicatorForm(forms.Form):
    result = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=gettext_lazy("Indicator"), max_length=300)
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=IndicatorSource.choices)
    measure = forms.ChoiceField(label=gettext_lazy("What Haven counts"), required=False)
    baseline = forms.IntegerField(label=gettext_lazy("Baseline"), min_value=0, max_value=10**9)
    target = forms.IntegerField(label=gettext_lazy("Target"), min_value=0, max_value=10**9)
    period_start = MonthField(label=gettext_lazy("From (month)"), required=True)
    period_end = MonthField(label=gettext_lazy("To (month)"), required=True)
    manual_value = forms.IntegerField(
        label=gettext_lazy("Achieved, if entered by hand"),
        min_value=0,
        max_value=10**9,
        required=False,
    )
    manual_source = forms.CharField(
        label=gettext_lazy("Where that figure comes from"), max_length=300, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        measure = self.fields["measure"]
        assert isinstance(measure, forms.ChoiceField)  # noqa: S101 - declared above
        measure.choices = [("", "—"), *results.measure_choices()]


class ValueForm(forms.Form):
    prefix = "value"  # beside the indicator form on one page: its own field names
    indicator = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    manual_value = forms.IntegerField(label=gettext_lazy("Achieved"), min_value=0, max_value=10**9)
    manual_source = forms.CharField(
        label=gettext_lazy("Where that figure comes from"), max_length=300
    )


def _framework(request: HttpRequest, pk: int) -> ResultsFramework:
    found: ResultsFramework | None = results.visible(staff_user(request)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@requires(Capability.STATISTICS_VIEW, Capability.RESULTS_EDIT)
@require_http_methods(["GET", "POST"])
def framework_list(request: HttpRequest) -> HttpResponse:
    actor = staff_user(request)
    form = FrameworkForm(request.POST or None)
    if request.method == "POST":
        if not can(actor, Capability.RESULTS_EDIT):
            raise PermissionDenied
        if form.is_valid():
            try:
                made = results.create_framework(actor, **form.cleaned_data)
            except RefusedError as error:
                form.add_error(None, error.message)
            else:
                return redirect("statistics:framework", made.pk)
    return render(
        request,
        "statistics/frameworks.html",
        {
            "frameworks": results.visible(actor).select_related("organisation"),
            "form": form,
            "may_edit": can(actor, Capability.RESULTS_EDIT),
        },
        status=400 if request.method == "POST" else 200,
    )


def _page(
    request: HttpRequest,
    framework: ResultsFramework,
    *,
    result_form: ResultForm | None = None,
    indicator_form: IndicatorForm | None = None,
    value_form: ValueForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = staff_user(request)
    version = {"version": framework.version}
    progress = results.progress(framework)
    manual = [
        row.indicator
        for _result, rows in progress
        for row in rows
        if row.indicator.source == IndicatorSource.MANUAL
    ]
    return render(
        request,
        "statistics/framework.html",
        {
            "framework": framework,
            "progress": progress,
            "manual": manual,
            "may_edit": can(actor, Capability.RESULTS_EDIT),
            "result_form": result_form or ResultForm(initial=version),
            "indicator_form": indicator_form or IndicatorForm(initial=version),
            "value_form": value_form or ValueForm(initial=version, prefix=ValueForm.prefix),
        },
        status=status,
    )


@requires(Capability.STATISTICS_VIEW, Capability.RESULTS_EDIT)
@require_http_methods(["GET"])
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _framework(request, pk))


@requires(Capability.STATISTICS_VIEW, Capability.RESULTS_EDIT)
@require_http_methods(["GET"])
def framework_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    language = translation.get_language() or "en"
    pdf = render_pdf(
        "statistics/framework_pdf.html",
        {"framework": framework, "progress": results.progress(framework)},
        language,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="haven-progress-report.pdf"'
    return response


def _submitted(
    request: HttpRequest,
    framework: ResultsFramework,
    form: forms.Form,
    act: Callable[[], object],
    done: str,
) -> HttpResponse | None:
    """Run the action: back to the framework with `done` said, or the refusal on the
    form (None: show the page again). Another organisation's framework is not there."""
    try:
        act()
    except PermissionDenied:
        raise Http404 from None
    except RefusedError as error:
        form.add_error(None, error.message)
        return None
    messages.success(request, done)
    return redirect("statistics:framework", framework.pk)


@requires(Capability.RESULTS_EDIT)
@require_POST
def add_result(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    form = ResultForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = _submitted(
            request,
            framework,
            form,
            lambda: results.add_result(
                staff_user(request),
                framework,
                level=data["level"],
                statement=data["statement"],
                expected_version=data["version"],
            ),
            _("The result is added."),
        )
        if done:
            return done
    return _page(request, framework, result_form=form, status=400)


@requires(Capability.RESULTS_EDIT)
@require_POST
def add_indicator(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    form = IndicatorForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        result = Result.objects.filter(framework=framework, pk=data["result"]).first()
        if result is None:
            raise Http404
        spec = results.IndicatorSpec(
            name=data["name"],
            source=data["source"],
            measure=data["measure"] or "",
            baseline=data["baseline"],
            target=data["target"],
            period_start=data["period_start"],
            period_end=last_day(data["period_end"]),
            manual_value=data["manual_value"],
            manual_source=data["manual_source"],
        )
        done = _submitted(
            request,
            framework,
            form,
            lambda: results.add_indicator(
                staff_user(request), result, spec, expected_version=data["version"]
            ),
            _("The indicator is added."),
        )
        if done:
            return done
    return _page(request, framework, indicator_form=form, status=400)


@requires(Capability.RESULTS_EDIT)
@require_POST
def record_value(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    form = ValueForm(request.POST, prefix=ValueForm.prefix)
    if form.is_valid():
        data = form.cleaned_data
        indicator = ResultIndicator.objects.filter(
            result__framework=framework, pk=data["indicator"]
        ).first()
        if indicator is None:
            raise Http404
        done = _submitted(
            request,
            framework,
            form,
            lambda: results.record_value(
                staff_user(request),
                indicator,
                value=data["manual_value"],
                source=data["manual_source"],
                expected_version=data["version"],
            ),
            _("The figure is saved."),
        )
        if done:
            return done
    return _page(request, framework, value_form=form, status=400)
