"""Monitoring and evaluation by results: the rules for a results framework, and the
indicators Haven computes from its own records. What a report shows passes the same
disclosure control as every statistics table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.models import User
from haven.accounts.roles import Capability, Scope, scopes_for
from haven.assistance.models import FollowUp, Service, ServiceStatus
from haven.core.errors import RefusedError
from haven.referrals.models import Referral, ReferralStatus
from haven.stats.disclosure import protect_counts
from haven.stats.models import (
    IndicatorSource,
    PersonFact,
    Result,
    ResultIndicator,
    ResultLevel,
    ResultsFramework,
)
from haven.stats.scope import in_scope
from haven.stats.tables import rules

Counter_ = Callable[[QuerySet[PersonFact], dt.date, dt.date], int]


def _people(step: str) -> Counter_:
    def count(facts: QuerySet[PersonFact], start: dt.date, end: dt.date) -> int:
        return facts.filter(**{f"{step}__gte": start, f"{step}__lte": end}).count()

    return count


def _assisted(child: bool | None) -> Counter_:
    def count(facts: QuerySet[PersonFact], start: dt.date, end: dt.date) -> int:
        found = facts.filter(assisted=True, first_contact__gte=start, first_contact__lte=end)
        return (found if child is None else found.filter(child=child)).count()

    return count


def _services(facts: QuerySet[PersonFact], start: dt.date, end: dt.date) -> int:
    return Service.objects.filter(
        case__person_id__in=facts.values("person_id"),
        status=ServiceStatus.DELIVERED,
        on__gte=start,
        on__lte=end,
    ).count()


def _referrals(*statuses: str) -> Counter_:
    def count(facts: QuerySet[PersonFact], start: dt.date, end: dt.date) -> int:
        found = Referral.objects.filter(
            direction="outgoing",
            case__person_id__in=facts.values("person_id"),
            sent_at__date__gte=start,
            sent_at__date__lte=end,
        )
        return (found.filter(status__in=statuses) if statuses else found).count()

    return count


def _follow_ups_kept(facts: QuerySet[PersonFact], start: dt.date, end: dt.date) -> int:
    return FollowUp.objects.filter(
        case__person_id__in=facts.values("person_id"),
        done_on__isnull=False,
        due_on__gte=start,
        due_on__lte=end,
    ).count()


def _on_target(facts: QuerySet[PersonFact], start: dt.date, end: dt.date) -> int:
    window = Q(first_decision_on__gte=start, first_decision_on__lte=end)
    return facts.filter(window, first_on_target=True).count()


MEASURES: dict[str, tuple[Promise, Counter_]] = {
    "screened": (gettext_lazy("People screened"), _people("screened_on")),
    "indicators": (gettext_lazy("People with indicators present"), _people("indicators_on")),
    "presumed": (gettext_lazy("People presumed to be victims"), _people("presumed_on")),
    "first_decisions": (gettext_lazy("First decisions taken"), _people("first_decision_on")),
    "first_on_target": (
        gettext_lazy("First decisions within the target time"),
        _on_target,
    ),
    "final_decisions": (gettext_lazy("Conclusive decisions taken"), _people("final_decision_on")),
    "confirmed": (gettext_lazy("People confirmed as victims"), _people("confirmed_on")),
    "assisted": (gettext_lazy("People assisted"), _assisted(None)),
    "children_assisted": (gettext_lazy("Children assisted"), _assisted(True)),
    "services_delivered": (gettext_lazy("Services delivered"), _services),
    "referrals_sent": (gettext_lazy("Referrals sent"), _referrals()),
    "referrals_completed": (
        gettext_lazy("Referrals where help was given"),
        _referrals(ReferralStatus.COMPLETED),
    ),
    "follow_ups_kept": (gettext_lazy("Follow-ups kept"), _follow_ups_kept),
    "returns": (gettext_lazy("Voluntary returns"), _people("returned_on")),
}


def measure_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, (label, _count) in MEASURES.items()]


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


def _facts(framework: ResultsFramework) -> QuerySet[PersonFact]:
    if framework.organisation_id is None:
        return PersonFact.objects.all()
    return PersonFact.objects.filter(organisation_id=framework.organisation_id)


def progress(framework: ResultsFramework) -> list[tuple[Result, list[Progress]]]:
    facts = _facts(framework)
    found = []
    results = framework.results.prefetch_related("indicators")
    for result in sorted(results, key=lambda r: (r.level != ResultLevel.OUTCOME, r.pk)):
        rows = []
        for indicator in result.indicators.all():
            true: int | None
            if indicator.source == IndicatorSource.COMPUTED:
                label, count = MEASURES[indicator.measure]
                true = count(facts, indicator.period_start, indicator.period_end)
                what = str(label)
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
