"""Statistics pages: aggregates under disclosure control, never a record, never a name.

Analysts and supervisors see their organisation; a coordinator sees the referral mechanism
(every organisation of this deployment). Every download is audited (what, never values).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.accounts.models import User
from haven.accounts.roles import Capability, Scope, scopes_for
from haven.audit import chain
from haven.audit.models import Action
from haven.core.decorators import requires, staff_user
from haven.core.pdf import render_pdf
from haven.stats import charts, exports, facts, tables
from haven.stats.forms import FilterForm
from haven.stats.models import Refresh
from haven.stats.summary import Filters

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _form(request: HttpRequest) -> FilterForm:
    return FilterForm(request.GET or None, regions=tables.regions(staff_user(request)))


def _filters(form: FilterForm) -> Filters | None:
    if not form.is_bound:
        return Filters()
    return form.filters() if form.is_valid() else None


def _bad_filters(request: HttpRequest, form: FilterForm) -> HttpResponse:
    return render(request, "statistics/index.html", _context(request, form), status=400)


FilteredView = Callable[..., HttpResponse]


def filtered(view: FilteredView) -> FilteredView:
    """Read the period and country first: bad ones get the form back with a message
    (400) and no numbers; good ones reach `view(request, form, filters, ...)`."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = _form(request)
        filters = _filters(form)
        if filters is None:
            return _bad_filters(request, form)
        return view(request, form, filters, *args, **kwargs)

    return wrapped


def _reach(user: User) -> str:
    if Scope.DEPLOYMENT in scopes_for(user, Capability.STATISTICS_VIEW):
        return _("All organisations of the referral mechanism")
    return user.organisation.name


def notes(user: User, filters: Filters, refreshed: Refresh | None) -> list[str]:
    """What a reader must know before using the numbers, written on every page, file and
    API answer."""
    rules = tables.rules()
    period = _("all time")
    if filters.start or filters.end:
        period = _("%(start)s to %(end)s") % {
            "start": filters.start or "…",
            "end": filters.end or "…",
        }
    lines = [
        _("Who: %(reach)s. Period: %(period)s. Country of exploitation: %(region)s.")
        % {"reach": _reach(user), "period": period, "region": filters.region or _("all")},
        _(
            "These are people identified and assisted by the organisations, not the number of "
            "people trafficked: most victims are never identified."
        ),
        _(
            "Identification practice differs between organisations and years, so a change "
            "may reflect practice rather than trafficking."
        ),
        _(
            "Small numbers are unstable. Counts from 1 to %(hidden)s are hidden, with other "
            "cells where a hidden one could be worked out from the totals, and every count "
            "is rounded to a multiple of %(base)s, so totals may not add up."
        )
        % {"hidden": rules.threshold - 1, "base": rules.base},
    ]
    if refreshed:
        lines.append(
            _("Figures as of %(when)s.")
            % {"when": timezone.localtime(refreshed.finished_at).strftime("%Y-%m-%d %H:%M")}
        )
    return lines


def _context(
    request: HttpRequest, form: FilterForm, filters: Filters | None = None
) -> dict[str, Any]:
    context: dict[str, Any] = {"form": form, "refreshed": facts.latest()}
    if filters is None:
        return context
    user = staff_user(request)
    funnel = tables.funnel(user, filters)
    context.update(
        funnel=funnel,
        people=tables.people(user, filters),
        assistance=tables.assistance(user, filters),
        median_accept=tables.median_days_to_accept(user, filters),
        notes=notes(user, filters, context["refreshed"]),
        query=request.GET.urlencode(),
        threshold=tables.rules().threshold,
    )
    return context


@requires(Capability.STATISTICS_VIEW)
@require_http_methods(["GET"])
@filtered
def index(request: HttpRequest, form: FilterForm, filters: Filters) -> HttpResponse:
    return render(request, "statistics/index.html", _context(request, form, filters))


def _table(request: HttpRequest, slug: str, filters: Filters) -> tables.Table:
    found = tables.one_table(staff_user(request), filters, slug)
    if found is None:
        raise Http404
    return found


def _audit(request: HttpRequest, what: str) -> None:
    chain.record(
        actor=staff_user(request),
        action=Action.STATISTICS_EXPORT,
        object_type="statistics",
        object_ref=what,
    )


@requires(Capability.STATISTICS_VIEW)
@require_http_methods(["GET"])
@filtered
def download(request: HttpRequest, form: FilterForm, filters: Filters, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    user = staff_user(request)
    everything = list(tables.all_tables(user, filters).values())
    writer = exports.csv_bytes if fmt == "csv" else exports.xlsx_bytes
    body = writer(everything, notes(user, filters, facts.latest()), _("Total"))
    _audit(request, f"tables.{fmt}")
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="haven-statistics.{fmt}"'
    return response


@requires(Capability.STATISTICS_VIEW)
@require_http_methods(["GET"])
@filtered
def chart(request: HttpRequest, form: FilterForm, filters: Filters, slug: str) -> HttpResponse:
    svg = charts.bar_chart(_table(request, slug, filters), hidden_label=_("hidden"))
    return HttpResponse(svg, content_type="image/svg+xml")


@requires(Capability.STATISTICS_VIEW)
@require_http_methods(["GET"])
@filtered
def report(request: HttpRequest, form: FilterForm, filters: Filters) -> HttpResponse:
    """The whole page as a PDF in the reader's language, bars beside their tables."""
    language = translation.get_language() or "en"
    context = _context(request, form, filters)
    pdf = render_pdf("statistics/report.html", context, language)
    _audit(request, "report.pdf")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="haven-statistics.pdf"'
    return response
