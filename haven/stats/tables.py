"""The published tables: each adds up the summary counts (haven.stats.summary) of the
organisations the reader may see, in the months and country asked for, then passes
through disclosure control. Nothing here returns a record; every number leaves through
`disclosure.protect`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts.models import OrganisationType, User
from haven.assistance.models import DeclineReason, ServiceKind, ServiceStatus, Stage
from haven.cases.choices import (
    ClosureReason,
    ExploitationType,
    Industry,
    MethodOfControl,
    Relationship,
)
from haven.core.reference import AgeBand, Gender, country_name
from haven.justice.models import AfterPresumption
from haven.referrals.models import ReferralStatus
from haven.screening.labels import FLAG_LABELS
from haven.stats import summary
from haven.stats.disclosure import Protected, Rules, protect, protect_counts
from haven.stats.summary import Filters

NOT_RECORDED = gettext_lazy("Not recorded")


def rules() -> Rules:
    return Rules(threshold=settings.HAVEN_STATS_THRESHOLD, base=settings.HAVEN_STATS_ROUNDING)


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
    cells: summary.Cells,
    rows: Choices,
    columns: Choices,
) -> Table:
    """A table of two coded fields from its summary cells {(row, column): n}."""
    grid = [[cells.get((str(r), str(c)), 0) for c, _l in columns] for r, _l in rows]
    protected = protect(
        [str(label) for _c, label in rows], [str(label) for _c, label in columns], grid, rules()
    )
    return Table(slug, title, header, protected)


def _rows(cells: summary.Cells) -> list[tuple[object, int]]:
    """A one-way table's counts from its summary cells (the column is empty)."""
    return [(row, n) for (row, _column), n in cells.items()]


def _yes_no_code(code: str) -> str:
    return _yes_no(code == summary.YES)


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


def _histogram(cells: summary.Cells, row: str) -> dict[int, int]:
    return {int(days): n for (step, days), n in cells.items() if step == row}


def funnel(user: User, filters: Filters) -> Funnel:
    found = summary.read(user, filters, ("funnel", "funnel_days", "targets"))
    counts, days, targets = found["funnel"], found["funnel_days"], found["targets"]
    labels = [str(label) for _f, label in STEPS]
    table = Table(
        "funnel",
        _("Identification funnel"),
        _("Step"),
        protect(labels, [_("People")], [[counts.get((f, ""), 0)] for f, _l in STEPS], rules()),
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
            middle, pairs = summary.median(_histogram(days, field))
            median = middle if pairs >= threshold else None
        steps.append((str(label), conversion, median, n))
    on_target = _two_way(
        "targets",
        _("Decisions against the jurisdiction's target time"),
        _("Decision"),
        targets,
        [("first", _("First decision")), ("final", _("Conclusive decision"))],
        [(summary.YES, _("Within the target")), (summary.NO, _("Later"))],
    )
    return Funnel(table, steps, on_target)


# --- people assisted ----------------------------------------------------------------

PEOPLE = frozenset(
    {"sex_age", "child", "citizenship", "region", "sector", "relationship", "smuggling"}
    | {"exploitation", "control", "flag", "penalised"}
)


def people(user: User, filters: Filters) -> list[Table]:
    found = summary.read(user, filters, PEOPLE)
    who = _("People assisted")
    tables = [
        _two_way(
            "sex_age",
            _("People assisted by sex and age band"),
            _("Sex"),
            found["sex_age"],
            Gender.choices,
            AgeBand.choices,
        )
    ]
    one_way: list[tuple[str, str, str, Callable[[str], str]]] = [
        ("child", _("Children and adults"), _("Child"), _yes_no_code),
        ("citizenship", _("By citizenship"), _("Citizenship"), _country),
        ("region", _("By country of exploitation"), _("Country"), _country),
        ("sector", _("By sector (ISIC)"), _("Sector"), _label(dict(Industry.choices))),
        (
            "relationship",
            _("By relationship to the recruiter"),
            _("Relationship"),
            _label(dict(Relationship.choices)),
        ),
        ("smuggling", _("Smuggling as well"), _("Smuggled"), _yes_no_code),
        (
            "exploitation",
            _("By form of exploitation"),
            _("Form"),
            _label(dict(ExploitationType.choices)),
        ),
        ("control", _("By means of control"), _("Means"), _label(dict(MethodOfControl.choices))),
        (
            "flag",
            _("By screening flag"),
            _("Flag"),
            _label({k: str(v) for k, v in FLAG_LABELS.items()}),
        ),
        (
            "penalised",
            _("Presumed victims then arrested, detained, charged or ordered removed"),
            _("What happened"),
            _label(dict(AfterPresumption.choices)),
        ),
    ]
    for slug, title, header, label in one_way:
        tables.append(_one_way(slug, f"{who}: {title}", header, _rows(found[slug]), label))
    return tables


# --- assistance, referrals, follow-ups, closures, returns ----------------------------

ASSISTANCE = frozenset(
    {"services_stage", "services_kind", "services_declined", "referrals", "follow_ups"}
    | {"closures", "returns"}
)


def assistance(user: User, filters: Filters) -> list[Table]:
    found = summary.read(user, filters, ASSISTANCE)
    tables = [
        _two_way(
            "services_stage",
            _("Services by stage of protection"),
            _("Stage"),
            found["services_stage"],
            Stage.choices,
            ServiceStatus.choices,
        ),
        _one_way(
            "services_kind",
            _("Services delivered, by kind"),
            _("Service"),
            _rows(found["services_kind"]),
            _label(dict(ServiceKind.choices)),
            column=_("Services"),
        ),
        _one_way(
            "services_declined",
            _("Services declined, by the person's reason"),
            _("Reason"),
            _rows(found["services_declined"]),
            _label(dict(DeclineReason.choices)),
            column=_("Services"),
        ),
    ]
    types = dict(OrganisationType.choices)
    by_type = found["referrals"]
    kinds = sorted({kind for kind, _status in by_type})
    tables.append(
        _two_way(
            "referrals",
            _("Referrals by type of receiving organisation and status"),
            _("Receiving organisation"),
            by_type,
            [(kind, _label(types)(kind)) for kind in kinds],
            ReferralStatus.choices,
        )
    )
    follow_ups = found["follow_ups"]
    tables.append(
        _one_way(
            "follow_ups",
            _("Follow-ups"),
            _("Follow-up"),
            [
                (_("Kept"), follow_ups.get(("kept", ""), 0)),
                (_("Missed"), follow_ups.get(("missed", ""), 0)),
                (_("Due"), follow_ups.get(("due", ""), 0)),
            ],
            str,
            column=_("Follow-ups"),
        )
    )
    tables.append(
        _one_way(
            "closures",
            _("Cases closed, by reason"),
            _("Reason"),
            _rows(found["closures"]),
            _label(dict(ClosureReason.choices)),
            column=_("Cases"),
        )
    )
    tables.append(
        _one_way(
            "returns",
            _("Voluntary returns"),
            _("Child"),
            _rows(found["returns"]),
            _yes_no_code,
        )
    )
    return tables


def median_days_to_accept(user: User, filters: Filters) -> list[tuple[str, int | None]]:
    """Median days from sending to an answer of acceptance, for every receiving
    organisation together and then by their type; each hidden below the threshold."""
    took = summary.read(user, filters, ("accept_days",))["accept_days"]
    every: dict[int, int] = {}
    by_type: dict[str, dict[int, int]] = {}
    for (kind, days), count in took.items():
        every[int(days)] = every.get(int(days), 0) + count
        by_type.setdefault(kind, {})[int(days)] = count

    def shown(histogram: dict[int, int]) -> int | None:
        middle, n = summary.median(histogram)
        return None if middle is None or n < rules().threshold else round(middle)

    types = _label(dict(OrganisationType.choices))
    return [(_("All receiving organisations"), shown(every))] + [
        (types(kind), shown(histogram)) for kind, histogram in sorted(by_type.items())
    ]


def _funnel_tables(user: User, filters: Filters) -> list[Table]:
    found = funnel(user, filters)
    return [found.table, found.on_target]


# Which builder makes each table: a chart asks for one table, and only its group is built.
GROUPS: tuple[tuple[frozenset[str], Callable[[User, Filters], list[Table]]], ...] = (
    (frozenset({"funnel", "targets"}), _funnel_tables),
    (PEOPLE, people),
    (ASSISTANCE, assistance),
)


def all_tables(user: User, filters: Filters) -> dict[str, Table]:
    return {t.slug: t for _slugs, build in GROUPS for t in build(user, filters)}


def one_table(user: User, filters: Filters, slug: str) -> Table | None:
    for slugs, build in GROUPS:
        if slug in slugs:
            return next(t for t in build(user, filters) if t.slug == slug)
    return None


def regions(user: User) -> list[tuple[str, str]]:
    return sorted(((c, country_name(c)) for c in summary.regions(user)), key=lambda kv: kv[1])
