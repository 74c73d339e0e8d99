"""The pages of community reports. Thin: each parses the form, finds the records through
the scoped lookup and calls one action.

A community reporter reaches the new-report form and their own reports, nothing else;
coordinators and supervisors of the organisation see the map, the table and the reports
of a district, and those who manage leads turn a report into one.
"""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haven.accounts.roles import Capability, can
from haven.community import actions, boundaries, indicators, mapping
from haven.community.access import get_report_for, reports_for
from haven.community.forms import MapFilterForm, ReportForm, place_choices
from haven.core.decorators import requires, staff_user
from haven.core.feedback import form_page, run_action
from haven.hotline.models import Lead

PAGE_SIZE = 25
# The map's default period: the last three months.
DEFAULT_DAYS = 90


@requires(Capability.COMMUNITY_REPORT)
@require_http_methods(["GET", "POST"])
def new_report(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = ReportForm(request.POST or None, default_country=user.organisation.country)

    def save() -> object:
        data = form.cleaned_data
        return actions.record_report(
            user,
            observed_on=data["observed_on"],
            country=data["country"],
            region=data["region"],
            district=data["district"],
            sector=data["sector"],
            indicators=data["indicators"],
            seen=data["seen"],
            people_seen=data["people_seen"],
        )

    return form_page(
        request,
        form,
        save,
        done=_("Thank you. Your report was recorded."),
        back=reverse("community:mine"),
        template="community/report_form.html",
        context={"groups": indicators.grouped()},
    )


@requires(Capability.COMMUNITY_REPORT)
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    reports = reports_for(user, Capability.COMMUNITY_REPORT)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "community/mine.html", {"page": page, "rows": _rows(page)})


@requires(Capability.COMMUNITY_REPORT)
@require_GET
def places(request: HttpRequest) -> HttpResponse:
    """The province and district lists for the chosen country and province (htmx)."""
    country = request.GET.get("country", "")
    region = request.GET.get("region", "")
    form = ReportForm(initial={"country": country, "region": region})
    region_choices, _districts = place_choices(country, region)
    if region not in dict(region_choices):
        region = ""
    form.set_places(country, region)
    form.initial["region"] = region
    return render(request, "community/_places.html", {"form": form})


def _filters(request: HttpRequest, form: MapFilterForm, default_country: str) -> mapping.Filters:
    today = timezone.localdate()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    country = data.get("country") or (
        default_country if default_country in boundaries.COUNTRIES else "TH"
    )
    end = data.get("end") or today
    start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS)
    return mapping.Filters(
        country=country,
        start=min(start, end),
        end=end,
        sector=data.get("sector", ""),
        indicator=data.get("indicator", ""),
    )


TABLE_ROWS = 30


@requires(Capability.COMMUNITY_MAP)
@require_GET
def community_map(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = MapFilterForm(request.GET or None)
    filters = _filters(request, form, user.organisation.country)
    if not form.is_bound:  # show the period and country the map is drawn for
        form = MapFilterForm(
            initial={"country": filters.country, "start": filters.start, "end": filters.end}
        )
    found = mapping.district_map(reports_for(user, Capability.COMMUNITY_MAP), filters)
    if found is None:
        raise Http404
    rows = zip(
        found.row_codes, found.table.rows, found.table.cells, found.table.row_totals, strict=True
    )
    # The busiest districts first; the rest are on the map, one tap away. A country's
    # thousand districts by twenty kinds of work would make a page no phone can carry.
    ranked = sorted(rows, key=lambda row: (-(row[3] or 0), row[1]))
    table_rows, more = ranked[:TABLE_ROWS], max(len(ranked) - TABLE_ROWS, 0)
    return render(
        request,
        "community/map.html",
        {
            "form": form,
            "filters": filters,
            "map": found,
            "shapes": mapping.svg_shapes(found, request.GET.urlencode()) if found else "",
            "table_rows": table_rows,
            "more_rows": more,
            "query": request.GET.urlencode(),
            "attribution": boundaries.ATTRIBUTION,
            "hidden_note": mapping.HIDDEN_NOTE,
        },
    )


@requires(Capability.COMMUNITY_MAP)
@require_GET
def district_reports(request: HttpRequest, code: str) -> HttpResponse:
    user = staff_user(request)
    district = boundaries.district(code)
    if district is None:
        raise Http404
    form = MapFilterForm(request.GET or None)
    filters = _filters(request, form, district.country)
    filters = mapping.Filters(
        district.country, filters.start, filters.end, filters.sector, filters.indicator
    )
    reports = filters.apply(reports_for(user, Capability.COMMUNITY_MAP)).filter(
        district=district.code
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "community/district.html",
        {
            "district": district,
            "filters": filters,
            "page": page,
            "rows": _rows(page),
            "can_lead": can(user, Capability.LEAD_MANAGE),
            "query": request.GET.urlencode(),
        },
    )


def _rows(page: object) -> list[tuple[object, str, list[str]]]:
    """Each report with its place in words and its signs in the user's language."""
    rows = []
    for report in page:  # type: ignore[attr-defined]
        place = boundaries.district(report.district)
        rows.append(
            (
                report,
                place.name if place else report.district,
                [indicators.words(i) for i in report.indicators],
            )
        )
    return rows


@requires(Capability.LEAD_MANAGE)
@require_POST
def report_lead(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    report = get_report_for(user, pk, Capability.COMMUNITY_MAP)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    opened: list[Lead] = []

    def save() -> object:
        lead = actions.turn_into_lead(user, report, expected_version=version)
        opened.append(lead)
        return lead

    if run_action(request, save, _("The report is now a lead.")):
        return redirect("hotline:lead_detail", pk=opened[0].pk)
    return redirect("community:district", code=report.district)
