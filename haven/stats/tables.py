"""The published tables: each is aggregated in SQL over the facts (or the assistance
records) of the organisations the reader may see, then passed through disclosure control.
Nothing here returns a record; every number leaves through `disclosure.protect`."""

from __future__ import annotations

import datetime as dt
import statistics as pystats
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Model, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.models import OrganisationType, User
from haven.accounts.roles import Capability, Scope, scopes_for
from haven.assistance.models import FollowUp, Service, ServiceKind, ServiceStatus, Stage
from haven.cases.choices import (
    ClosureReason,
    ExploitationType,
    Industry,
    MethodOfControl,
    Relationship,
)
from haven.core.reference import AgeBand, Gender, country_name
from haven.referrals.models import Referral, ReferralStatus
from haven.screening.labels import FLAG_LABELS
from haven.stats.disclosure import Protected, Rules, protect, protect_counts
from haven.stats.models import FactTag, PersonFact

NOT_RECORDED = gettext_lazy("Not recorded")
M = TypeVar("M", bound=Model)


def rules() -> Rules:
    return Rules(threshold=settings.HAVEN_STATS_THRESHOLD, base=settings.HAVEN_STATS_ROUNDING)


@dataclass(frozen=True)
class Filters:
    start: dt.date | None = None
    end: dt.date | None = None
    region: str = ""

    def within(self, field: str) -> Q:
        q = Q()
        if self.start:
            q &= Q(**{f"{field}__gte": self.start})
        if self.end:
            q &= Q(**{f"{field}__lte": self.end})
        return q


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    row_header: str
    protected: Protected

    @property
    def bars(self) -> list[tuple[str, int | None, int]]:
        """Each row's shown total and its bar length in twentieths of the longest (the
        PDF draws bars with classes w0 to w20: no inline style anywhere)."""
        top = max([t for t in self.protected.row_totals if t] or [1])
        return [
            (label, total, round(20 * total / top) if total else 0)
            for label, total in zip(self.protected.rows, self.protected.row_totals, strict=True)
        ]

    @property
    def rows(self) -> list[tuple[str, list[int | None], int | None]]:
        p = self.protected
        return list(zip(p.rows, [list(r) for r in p.cells], p.row_totals, strict=True))


def in_scope(user: User, rows: QuerySet[M], *capabilities: Capability) -> QuerySet[M]:
    """The rows (with an `organisation`) that `user`'s capabilities reach: their own
    organisation's, or the whole deployment's; nothing by default."""
    scopes = frozenset[Scope]().union(*(scopes_for(user, c) for c in capabilities))
    if Scope.DEPLOYMENT in scopes:
        return rows
    if Scope.ORGANISATION in scopes:
        return rows.filter(organisation_id=user.organisation_id)
    return rows.none()


def facts_for(user: User) -> QuerySet[PersonFact]:
    """The facts of the organisations whose statistics `user` may read."""
    return in_scope(user, PersonFact.objects.all(), Capability.STATISTICS_VIEW)


def _label(choices: Mapping[str, str | Promise]) -> Callable[[str], str]:
    def label(code: str) -> str:
        if not code:
            return str(NOT_RECORDED)
        return str(choices.get(code, code))

    return label


def _country(code: str) -> str:
    return country_name(code) if code else str(NOT_RECORDED)


def _yes_no(value: object) -> str:
    return _("Yes") if value else _("No")


def _one_way(
    slug: str,
    title: str,
    header: str,
    counts: Iterable[tuple[object, int]],
    label: Callable[[str], str],
    *,
    column: str = "",
) -> Table:
    merged: dict[str, int] = {}
    for code, n in counts:
        name = label(str(code) if code is not None else "")
        merged[name] = merged.get(name, 0) + n
    ordered = dict(sorted(merged.items(), key=lambda kv: (-kv[1], kv[0])))
    protected = replace(protect_counts(ordered, rules()), columns=(column or _("People"),))
    return Table(slug, title, header, protected)


Choices = Sequence[tuple[Any, object]]


def _two_way(  # noqa: PLR0917 - a table's parts, read in order at every call
    slug: str,
    title: str,
    header: str,
    counted: QuerySet[Any, dict[str, Any]],
    rows: Choices,
    columns: Choices,
) -> Table:
    """A table of two coded fields; `counted` gives each pair's count as `n`."""
    row_codes = [code for code, _label in rows]
    column_codes = [code for code, _label in columns]
    grid = [[0] * len(column_codes) for _row in row_codes]
    first, second = (name for name in counted.query.values_select)
    for found in counted.order_by():
        if found[first] in row_codes and found[second] in column_codes:
            grid[row_codes.index(found[first])][column_codes.index(found[second])] += found["n"]
    protected = protect(
        [str(label) for _c, label in rows], [str(label) for _c, label in columns], grid, rules()
    )
    return Table(slug, title, header, protected)


def _grouped(rows: QuerySet[Any], field: str) -> list[tuple[object, int]]:
    counted = rows.values(field).annotate(n=Count("pk")).order_by()
    return [(r[field], r["n"]) for r in counted]


def _tagged(facts: QuerySet[PersonFact], dimension: str) -> list[tuple[object, int]]:
    rows = (
        FactTag.objects.filter(dimension=dimension, fact__in=facts)
        .values("value")
        .annotate(n=Count("pk"))  # a person holds each value once (facts.refresh)
        .order_by()
    )
    return [(r["value"], r["n"]) for r in rows]


def _in_region(facts: QuerySet[PersonFact], filters: Filters) -> QuerySet[PersonFact]:
    return facts.filter(region=filters.region) if filters.region else facts


# --- the identification funnel ------------------------------------------------------

STEPS: tuple[tuple[str, Promise], ...] = (
    ("screened_on", gettext_lazy("Screened")),
    ("indicators_on", gettext_lazy("Indicators present")),
    ("presumed_on", gettext_lazy("Presumed victim")),
    ("first_decision_on", gettext_lazy("First decision")),
    ("final_decision_on", gettext_lazy("Conclusive decision")),
    ("confirmed_on", gettext_lazy("Confirmed")),
)


@dataclass(frozen=True)
class Funnel:
    table: Table
    # (step, conversion from the step before in %, median days from it) — None when hidden
    steps: list[tuple[str, int | None, float | None, int | None]]
    on_target: Table


def _median_days(facts: QuerySet[PersonFact], earlier: str, later: str) -> tuple[float | None, int]:
    both = facts.filter(**{f"{earlier}__isnull": False, f"{later}__isnull": False})
    if connection.vendor == "postgresql":
        sql, params = both.values("pk").query.sql_with_params()
        # The columns are the model's own field names (the steps above), never input.
        table = PersonFact._meta.db_table
        query = (
            "SELECT percentile_cont(0.5) WITHIN GROUP "  # noqa: S608
            f'(ORDER BY f."{later}" - f."{earlier}"), count(*) '
            f'FROM "{table}" f WHERE f.id IN ({sql})'
        )
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            median, n = cursor.fetchone()
        return (float(median) if median is not None else None), int(n)
    days = [(b - a).days for a, b in both.values_list(earlier, later)]
    return (float(pystats.median(days)) if days else None), len(days)


def funnel(user: User, filters: Filters) -> Funnel:
    facts = _in_region(facts_for(user), filters).filter(filters.within("first_contact"))
    counts = facts.aggregate(
        **{field: Count("pk", filter=Q(**{f"{field}__isnull": False})) for field, _l in STEPS}
    )
    labels = [str(label) for _f, label in STEPS]
    table = Table(
        "funnel",
        _("Identification funnel"),
        _("Step"),
        protect(labels, [_("People")], [[counts[f]] for f, _l in STEPS], rules()),
    )
    threshold = rules().threshold
    steps: list[tuple[str, int | None, float | None, int | None]] = []
    shown = [row[0] for row in table.protected.cells]
    for index, (field, label) in enumerate(STEPS):
        conversion = median = None
        n = shown[index]
        if index:
            before = shown[index - 1]
            if n is not None and before:
                conversion = round(100 * n / before)
            days, pairs = _median_days(facts, STEPS[index - 1][0], field)
            median = days if pairs >= threshold else None
        steps.append((str(label), conversion, median, n))
    targets = facts.aggregate(
        first_on=Count("pk", filter=Q(first_on_target=True)),
        first_late=Count("pk", filter=Q(first_on_target=False)),
        final_on=Count("pk", filter=Q(final_on_target=True)),
        final_late=Count("pk", filter=Q(final_on_target=False)),
    )
    on_target = Table(
        "targets",
        _("Decisions against the jurisdiction's target time"),
        _("Decision"),
        protect(
            [_("First decision"), _("Conclusive decision")],
            [_("Within the target"), _("Later")],
            [
                [targets["first_on"], targets["first_late"]],
                [targets["final_on"], targets["final_late"]],
            ],
            rules(),
        ),
    )
    return Funnel(table, steps, on_target)


# --- people assisted ----------------------------------------------------------------


def people(user: User, filters: Filters) -> list[Table]:
    facts = (
        _in_region(facts_for(user), filters)
        .filter(filters.within("first_contact"))
        .filter(assisted=True)
    )
    who = _("People assisted")
    tables = [
        _two_way(
            "sex_age",
            _("People assisted by sex and age band"),
            _("Sex"),
            facts.values("sex", "age_band").annotate(n=Count("pk")),
            Gender.choices,
            AgeBand.choices,
        )
    ]
    one_way = [
        ("child", _("Children and adults"), _("Child"), "child", _yes_no),
        ("citizenship", _("By citizenship"), _("Citizenship"), "citizenship", _country),
        ("region", _("By country of exploitation"), _("Country"), "region", _country),
        ("sector", _("By sector (ISIC)"), _("Sector"), "industry", _label(dict(Industry.choices))),
        (
            "relationship",
            _("By relationship to the recruiter"),
            _("Relationship"),
            "relationship",
            _label(dict(Relationship.choices)),
        ),
        ("smuggling", _("Smuggling as well"), _("Smuggled"), "smuggling", _yes_no),
    ]
    for slug, title, header, field, label in one_way:
        tables.append(_one_way(slug, f"{who}: {title}", header, _grouped(facts, field), label))
    tagged: list[tuple[str, str, str, Mapping[str, str | Promise]]] = [
        ("exploitation", _("By form of exploitation"), _("Form"), dict(ExploitationType.choices)),
        ("control", _("By means of control"), _("Means"), dict(MethodOfControl.choices)),
        ("flag", _("By screening flag"), _("Flag"), {k: str(v) for k, v in FLAG_LABELS.items()}),
    ]
    for dimension, title, header, choices in tagged:
        tables.append(
            _one_way(
                dimension,
                f"{who}: {title}",
                header,
                _tagged(facts, dimension),
                _label(choices),
            )
        )
    return tables


# --- assistance, referrals, follow-ups, closures, returns ----------------------------


def _people_ids(user: User, filters: Filters) -> QuerySet[PersonFact, Any]:
    return _in_region(facts_for(user), filters).values("person_id")


def assistance(user: User, filters: Filters) -> list[Table]:
    persons = _people_ids(user, filters)
    services = Service.objects.filter(case__person_id__in=persons).filter(filters.within("on"))
    tables = [
        _two_way(
            "services_stage",
            _("Services by stage of protection"),
            _("Stage"),
            services.values("stage", "status").annotate(n=Count("pk")),
            Stage.choices,
            ServiceStatus.choices,
        ),
        _one_way(
            "services_kind",
            _("Services delivered, by kind"),
            _("Service"),
            _grouped(services.filter(status=ServiceStatus.DELIVERED), "kind"),
            _label(dict(ServiceKind.choices)),
            column=_("Services"),
        ),
    ]
    referrals = Referral.objects.filter(direction="outgoing", case__person_id__in=persons).filter(
        filters.within("sent_at__date")
    )
    types = dict(OrganisationType.choices)
    by_type = referrals.values("service__provider__org_type", "status").annotate(n=Count("pk"))
    kinds = sorted({r["service__provider__org_type"] for r in by_type}, key=lambda k: k or "")
    tables.append(
        _two_way(
            "referrals",
            _("Referrals by type of receiving organisation and status"),
            _("Receiving organisation"),
            by_type,
            [(kind, _label(types)(kind or "")) for kind in kinds],
            ReferralStatus.choices,
        )
    )
    today = timezone.localdate()
    follow_ups = FollowUp.objects.filter(case__person_id__in=persons).filter(
        filters.within("due_on")
    )
    kept = follow_ups.aggregate(
        kept=Count("pk", filter=Q(done_on__isnull=False)),
        missed=Count("pk", filter=Q(done_on__isnull=True, due_on__lt=today)),
        coming=Count("pk", filter=Q(done_on__isnull=True, due_on__gte=today)),
    )
    tables.append(
        _one_way(
            "follow_ups",
            _("Follow-ups"),
            _("Follow-up"),
            [(_("Kept"), kept["kept"]), (_("Missed"), kept["missed"]), (_("Due"), kept["coming"])],
            str,
            column=_("Follow-ups"),
        )
    )
    facts = _in_region(facts_for(user), filters)
    closures = facts.filter(closed_on__isnull=False).filter(filters.within("closed_on"))
    tables.append(
        _one_way(
            "closures",
            _("Cases closed, by reason"),
            _("Reason"),
            _grouped(closures, "closure_reason"),
            _label(dict(ClosureReason.choices)),
            column=_("Cases"),
        )
    )
    returns = facts.filter(returned_on__isnull=False).filter(filters.within("returned_on"))
    tables.append(
        _one_way(
            "returns",
            _("Voluntary returns"),
            _("Child"),
            _grouped(returns, "child"),
            _yes_no,
        )
    )
    return tables


def median_days_to_accept(user: User, filters: Filters) -> int | None:
    """Median days from sending to an answer of acceptance, hidden below the threshold."""
    answered = (
        Referral.objects.filter(
            direction="outgoing",
            case__person_id__in=_people_ids(user, filters),
            responded_at__isnull=False,
            status__in=(ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED),
        )
        .filter(filters.within("sent_at__date"))
        .annotate(took=F("responded_at") - F("sent_at"))
        .values_list("took", flat=True)
    )
    days = [t.total_seconds() / 86400 for t in answered[:100_000]]
    if len(days) < rules().threshold:
        return None
    return round(float(pystats.median(days)))


def _funnel_tables(user: User, filters: Filters) -> list[Table]:
    found = funnel(user, filters)
    return [found.table, found.on_target]


# Which builder makes each table: a chart asks for one table, and only its group is built.
GROUPS: tuple[tuple[frozenset[str], Callable[[User, Filters], list[Table]]], ...] = (
    (frozenset({"funnel", "targets"}), _funnel_tables),
    (
        frozenset(
            {"sex_age", "child", "citizenship", "region", "sector", "relationship"}
            | {"smuggling", "exploitation", "control", "flag"}
        ),
        people,
    ),
    (
        frozenset({"services_stage", "services_kind", "referrals", "follow_ups"})
        | frozenset({"closures", "returns"}),
        assistance,
    ),
)


def all_tables(user: User, filters: Filters) -> dict[str, Table]:
    return {t.slug: t for _slugs, build in GROUPS for t in build(user, filters)}


def one_table(user: User, filters: Filters, slug: str) -> Table | None:
    for slugs, build in GROUPS:
        if slug in slugs:
            return next(t for t in build(user, filters) if t.slug == slug)
    return None


def regions(user: User) -> list[tuple[str, str]]:
    codes = facts_for(user).exclude(region="").values_list("region", flat=True).distinct()
    return sorted(((c, country_name(c)) for c in codes), key=lambda kv: kv[1])
