"""Monitoring and evaluation by results: the rules for a results framework, and the
indicators Haven computes from its own records (the statistics summaries, counted over
whole months). What a report shows passes the same disclosure control as every
statistics table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.models import User
from haven.accounts.roles import Capability, Scope, scopes_for
from haven.core.errors import RefusedError
from haven.referrals.models import ReferralStatus
from haven.stats import summary
from haven.stats.disclosure import protect_counts
from haven.stats.models import (
    IndicatorSource,
    Result,
    ResultIndicator,
    ResultLevel,
    ResultsFramework,
    Summary,
)
from haven.stats.scope import in_scope
from haven.stats.tables import rules


@dataclass(frozen=True)
class Measure:
    """What Haven counts for an indicator: the cells of one summary table (any row or
    column where None), in the indicator's months."""

    label: Promise
    table: str
    row: str | None = None
    column: str | None = None

    def count(self, found: dict[str, summary.Cells]) -> int:
        return sum(
            n
            for (row, column), n in found.get(self.table, {}).items()
            if self.row in (None, row) and self.column in (None, column)
        )


MEASURES: dict[str, Measure] = {
    "screened": Measure(gettext_lazy("People screened"), "reached", "screened_on"),
    "indicators": Measure(
        gettext_lazy("People with indicators present"), "reached", "indicators_on"
    ),
    "presumed": Measure(gettext_lazy("People presumed to be victims"), "reached", "presumed_on"),
    "first_decisions": Measure(
        gettext_lazy("First decisions taken"), "reached", "first_decision_on"
    ),
    "first_on_target": Measure(
        gettext_lazy("First decisions within the target time"), "reached", "first_on_target"
    ),
    "final_decisions": Measure(
        gettext_lazy("Conclusive decisions taken"), "reached", "final_decision_on"
    ),
    "confirmed": Measure(gettext_lazy("People confirmed as victims"), "reached", "confirmed_on"),
    "assisted": Measure(gettext_lazy("People assisted"), "child"),
    "children_assisted": Measure(gettext_lazy("Children assisted"), "child", summary.YES),
    "services_delivered": Measure(gettext_lazy("Services delivered"), "services_kind"),
    "referrals_sent": Measure(gettext_lazy("Referrals sent"), "referrals"),
    "referrals_completed": Measure(
        gettext_lazy("Referrals where help was given"),
        "referrals",
        column=ReferralStatus.COMPLETED,
    ),
    "follow_ups_kept": Measure(gettext_lazy("Follow-ups kept"), "follow_ups", "kept"),
    "returns": Measure(gettext_lazy("Voluntary returns"), "returns"),
}


def measure_choices() -> list[tuple[str, str]]:
    return [(key, str(measure.label)) for key, measure in MEASURES.items()]


# --- who may see and change which framework -----------------------------------------


def visible(actor: User) -> QuerySet[ResultsFramework]:
    return in_scope(actor, ResultsFramework.objects.all(), Capability.STATISTICS_VIEW)


def _editable(actor: User, framework: ResultsFramework) -> ResultsFramework:
    scopes = scopes_for(actor, Capability.RESULTS_EDIT)
    if Scope.DEPLOYMENT in scopes:
        return framework
    if Scope.ORGANISATION in scopes and framework.organisation_id == actor.organisation_id:
        return framework
    raise PermissionDenied


def _locked(actor: User, framework: ResultsFramework, expected_version: int) -> ResultsFramework:
    current = ResultsFramework.objects.select_for_update().get(pk=framework.pk)
    _editable(actor, current)
    if current.version != expected_version:
        raise RefusedError(_("Someone changed this framework meanwhile. Nothing was saved."))
    current.version += 1
    current.save(update_fields=["version"])
    return current


def create_framework(actor: User, *, title: str, goal: str) -> ResultsFramework:
    """An analyst's framework is their organisation's; a coordinator's the mechanism's."""
    scopes = scopes_for(actor, Capability.RESULTS_EDIT)
    if not scopes:
        raise PermissionDenied
    if not title.strip() or not goal.strip():
        raise RefusedError(_("A framework needs a title and a goal."))
    organisation = None if Scope.DEPLOYMENT in scopes else actor.organisation
    return ResultsFramework.objects.create(
        organisation=organisation, title=title.strip(), goal=goal.strip(), created_by=actor
    )


def add_result(
    actor: User, framework: ResultsFramework, *, level: str, statement: str, expected_version: int
) -> Result:
    if level not in ResultLevel.values or not statement.strip():
        raise RefusedError(_("Say whether it is an outcome or an output, and what it is."))
    with transaction.atomic():
        current = _locked(actor, framework, expected_version)
        return Result.objects.create(framework=current, level=level, statement=statement.strip())


@dataclass(frozen=True)
class IndicatorSpec:
    name: str
    source: str
    measure: str
    baseline: int
    target: int
    period_start: dt.date
    period_end: dt.date
    manual_value: int | None = None
    manual_source: str = ""


def _check(spec: IndicatorSpec) -> None:
    if not spec.name.strip():
        raise RefusedError(_("Name the indicator."))
    if spec.period_end < spec.period_start:
        raise RefusedError(_("The period ends before it starts."))
    if (spec.period_start, spec.period_end) != summary.months(spec.period_start, spec.period_end):
        raise RefusedError(_("A period is whole months, from the first day to the last."))
    if min(spec.baseline, spec.target, spec.manual_value or 0) < 0:
        raise RefusedError(_("Baseline, target and value cannot be negative."))
    if spec.source == IndicatorSource.COMPUTED and spec.measure not in MEASURES:
        raise RefusedError(_("Choose what Haven should count."))
    entered = spec.source == IndicatorSource.MANUAL and spec.manual_value is not None
    if entered and not spec.manual_source.strip():
        raise RefusedError(_("Say where a figure entered by hand comes from."))
    if spec.source not in IndicatorSource.values:
        raise RefusedError(_("Choose where the figure comes from."))


def add_indicator(
    actor: User, result: Result, spec: IndicatorSpec, *, expected_version: int
) -> ResultIndicator:
    _check(spec)
    with transaction.atomic():
        _locked(actor, result.framework, expected_version)
        computed = spec.source == IndicatorSource.COMPUTED
        return ResultIndicator.objects.create(
            result=result,
            name=spec.name.strip(),
            source=spec.source,
            measure=spec.measure if computed else "",
            baseline=spec.baseline,
            target=spec.target,
            period_start=spec.period_start,
            period_end=spec.period_end,
            manual_value=None if computed else spec.manual_value,
            manual_source="" if computed else spec.manual_source.strip(),
        )


def record_value(
    actor: User,
    indicator: ResultIndicator,
    *,
    value: int,
    source: str,
    expected_version: int,
) -> ResultIndicator:
    """The achieved figure of an indicator entered by hand, e.g. at the end of its period;
    a computed indicator takes none."""
    if indicator.source != IndicatorSource.MANUAL:
        raise RefusedError(_("Haven computes this indicator: it takes no figure by hand."))
    if value < 0:
        raise RefusedError(_("Baseline, target and value cannot be negative."))
    if not source.strip():
        raise RefusedError(_("Say where a figure entered by hand comes from."))
    with transaction.atomic():
        _locked(actor, indicator.result.framework, expected_version)
        indicator.manual_value, indicator.manual_source = value, source.strip()
        indicator.save(update_fields=["manual_value", "manual_source"])
    return indicator


# --- the progress report -------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    indicator: ResultIndicator
    label: str  # what is counted, or where the figure came from
    achieved: int | None  # None: hidden by disclosure control, or not yet entered
    baseline: int | None
    target: int | None
    percent: int | None  # of the way from the baseline to the target


def _shown(count: int) -> int | None:
    """One count as published: hidden when small, rounded to the base."""
    return protect_counts({"n": count}, rules()).cells[0][0]


Period = tuple[dt.date, dt.date]


def _counted(
    framework: ResultsFramework, indicators: list[ResultIndicator]
) -> dict[Period, dict[str, summary.Cells]]:
    """The summary cells each computed indicator needs, read once per period."""
    rows = Summary.objects.all()
    if framework.organisation_id is not None:
        rows = rows.filter(organisation_id=framework.organisation_id)
    wanted: dict[Period, set[str]] = {}
    for indicator in indicators:
        if indicator.source == IndicatorSource.COMPUTED:
            period = (indicator.period_start, indicator.period_end)
            wanted.setdefault(period, set()).add(MEASURES[indicator.measure].table)
    return {
        (start, end): summary.cells(rows, summary.Filters(start, end), tables)
        for (start, end), tables in wanted.items()
    }


def progress(framework: ResultsFramework) -> list[tuple[Result, list[Progress]]]:
    results = list(framework.results.prefetch_related("indicators"))
    counted = _counted(framework, [i for r in results for i in r.indicators.all()])
    found = []
    for result in sorted(results, key=lambda r: (r.level != ResultLevel.OUTCOME, r.pk)):
        rows = []
        for indicator in result.indicators.all():
            true: int | None
            if indicator.source == IndicatorSource.COMPUTED:
                measure = MEASURES[indicator.measure]
                period = (indicator.period_start, indicator.period_end)
                true, what = measure.count(counted[period]), str(measure.label)
            else:
                true, what = indicator.manual_value, indicator.manual_source
            achieved = None if true is None else _shown(true)
            baseline, target = _shown(indicator.baseline), _shown(indicator.target)
            percent = None
            if achieved is not None and baseline is not None and target is not None:
                span = target - baseline
                percent = round(100 * (achieved - baseline) / span) if span else None
            rows.append(Progress(indicator, what, achieved, baseline, target, percent))
        found.append((result, rows))
    return found
