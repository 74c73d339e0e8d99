"""Counts per organisation, month and country, so a statistics page adds up a few
thousand rows instead of grouping a country's facts on every view.

`haven stats refresh` rebuilds them in the database (one INSERT ... SELECT per table, no
row passes through Python) right after the facts, in the same transaction. Each row says:
in this organisation, in this month of the table's own date (first contact, the service's
date, the referral's sending, the follow-up's due date, the closure, the return) and this
country of exploitation, `n` people (or services, referrals, follow-ups) fall in this
`row` and `column` of this `table`. The day tables hold, instead of a column code, the
number of days between two steps, so a median can be read without the records.

A month is the finest period: the statistics filters are whole months.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Expression,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, TruncDate, TruncMonth
from django.utils import timezone

from haven.accounts.models import User
from haven.accounts.roles import Capability
from haven.assistance.models import FollowUp, Service, ServiceStatus
from haven.referrals.models import Referral, ReferralStatus
from haven.stats.models import FactTag, PersonFact, Summary
from haven.stats.scope import in_scope

# The identification funnel's steps, in order (the PersonFact date fields).
STEPS = (
    "screened_on",
    "indicators_on",
    "presumed_on",
    "first_decision_on",
    "final_decision_on",
    "confirmed_on",
)
YES, NO = "yes", "no"


class DaysBetween(Func):
    """Whole days from the second date to the first, as an integer on both databases."""

    output_field = IntegerField()
    arity = 2

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
        )


def _text(expression: Expression | F) -> Cast:
    return Cast(expression, CharField())


def _yes_no(condition: Q) -> Case:
    return Case(When(condition, then=Value(YES)), default=Value(NO), output_field=CharField())


@dataclass(frozen=True)
class Filters:
    """Whole months (the first day of the first, the last day of the last) and a country
    of exploitation; empty means no limit."""

    start: dt.date | None = None
    end: dt.date | None = None
    region: str = ""


def last_day(month: dt.date) -> dt.date:
    """The last day of `month`'s month."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The whole months that hold `start` to `end`: the summaries count by month."""
    return start.replace(day=1), last_day(end)


Code = Expression | F | str  # a text, or an expression giving it per record


@dataclass(frozen=True)
class Spec:
    """One summary table: from which rows, counted in which month, into which cells."""

    table: Code
    rows: QuerySet[Any]
    month: str  # the date (or datetime) field that places a row in a month
    row: Code
    column: Code = ""
    organisation: str = "organisation_id"
    region: str = "region"


def _specs(today: dt.date) -> Iterable[Spec]:
    facts = PersonFact.objects.all()
    yield Spec("met", facts, "first_contact", "")
    for step in STEPS:
        yield Spec("funnel", facts.filter(**{f"{step}__isnull": False}), "first_contact", step)
    for earlier, later in itertools.pairwise(STEPS):
        both = facts.filter(**{f"{earlier}__isnull": False, f"{later}__isnull": False})
        days = _text(DaysBetween(F(later), F(earlier)))
        yield Spec("funnel_days", both, "first_contact", later, days)
    for decision in ("first", "final"):
        timed = facts.filter(**{f"{decision}_on_target__isnull": False})
        on_time = _yes_no(Q(**{f"{decision}_on_target": True}))
        yield Spec("targets", timed, "first_contact", decision, on_time)

    # Each step counted in the month it was reached (the results indicators' measures).
    for step in STEPS:
        yield Spec("reached", facts.filter(**{f"{step}__isnull": False}), step, step)
    on_target = facts.filter(first_on_target=True, first_decision_on__isnull=False)
    yield Spec("reached", on_target, "first_decision_on", "first_on_target")

    assisted = facts.filter(assisted=True)
    yield Spec("sex_age", assisted, "first_contact", F("sex"), F("age_band"))
    yield Spec("child", assisted, "first_contact", _yes_no(Q(child=True)))
    yield Spec("smuggling", assisted, "first_contact", _yes_no(Q(smuggling=True)))
    for table, field in (
        ("citizenship", "citizenship"),
        ("region", "region"),
        ("sector", "industry"),
        ("relationship", "relationship"),
    ):
        yield Spec(table, assisted, "first_contact", F(field))
    tags = FactTag.objects.filter(fact__assisted=True)
    yield Spec(
        F("dimension"),
        tags,
        "fact__first_contact",
        F("value"),
        organisation="fact__organisation_id",
        region="fact__region",
    )
    closed = facts.filter(closed_on__isnull=False)
    yield Spec("closures", closed, "closed_on", F("closure_reason"))
    returned = facts.filter(returned_on__isnull=False)
    yield Spec("returns", returned, "returned_on", _yes_no(Q(child=True)))

    # The assistance records, placed by their person's facts.
    person = {"organisation": "case__person__fact__organisation_id"}
    person["region"] = "case__person__fact__region"
    services = Service.objects.filter(case__person__fact__isnull=False)
    yield Spec("services_stage", services, "on", F("stage"), F("status"), **person)
    delivered = services.filter(status=ServiceStatus.DELIVERED)
    yield Spec("services_kind", delivered, "on", F("kind"), **person)
    declined = services.filter(status=ServiceStatus.DECLINED)
    yield Spec("services_declined", declined, "on", F("decline_reason"), **person)
    referrals = Referral.objects.filter(direction="outgoing", case__person__fact__isnull=False)
    yield Spec(
        "referrals", referrals, "sent_at", F("service__provider__org_type"), F("status"), **person
    )
    accepted = referrals.filter(
        responded_at__isnull=False,
        status__in=(ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED),
    )
    took = _text(DaysBetween(TruncDate("responded_at"), TruncDate("sent_at")))
    yield Spec("accept_days", accepted, "sent_at", F("service__provider__org_type"), took, **person)
    follow_ups = FollowUp.objects.filter(case__person__fact__isnull=False)
    kept = Case(
        When(done_on__isnull=False, then=Value("kept")),
        When(due_on__lt=today, then=Value("missed")),
        default=Value("due"),
        output_field=CharField(),
    )
    yield Spec("follow_ups", follow_ups, "due_on", kept, **person)


def _expression(code: Code) -> Expression | F:
    return Value(code) if isinstance(code, str) else code


def _insert(spec: Spec) -> None:
    """INSERT ... SELECT the spec's grouped counts (the ORM writes the SELECT)."""
    grouped = (
        spec.rows.order_by()
        .values(
            s_org=F(spec.organisation),
            s_month=TruncMonth(spec.month, output_field=DateField()),
            s_region=F(spec.region),
            s_table=_expression(spec.table),
            s_row=_expression(spec.row),
            s_column=_expression(spec.column),
        )
        .annotate(s_n=Count("pk"))
    )
    sql, params = grouped.query.sql_with_params()
    table = connection.ops.quote_name(Summary._meta.db_table)
    names = ("organisation_id", "month", "region", "table", "row", "column", "n")
    columns = ", ".join(connection.ops.quote_name(name) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names from the model, values bound
            "SELECT g.s_org, g.s_month, COALESCE(g.s_region, ''), g.s_table, "
            "COALESCE(g.s_row, ''), COALESCE(g.s_column, ''), g.s_n "
            f"FROM ({sql}) g",
            params,
        )


def rebuild(today: dt.date | None = None) -> int:
    """Replace every summary row (call inside the facts' transaction). Returns the rows."""
    Summary.objects.all().delete()
    for spec in _specs(today or timezone.localdate()):
        _insert(spec)
    return Summary.objects.count()


# --- reading -------------------------------------------------------------------------

Cells = dict[tuple[str, str], int]


def read(user: User, filters: Filters, tables: Iterable[str]) -> dict[str, Cells]:
    """The summed cells of `tables` for what `user` may read, in the filters' months and
    country: {table: {(row, column): n}}. One query for any number of tables."""
    return cells(in_scope(user, Summary.objects.all(), Capability.STATISTICS_VIEW), filters, tables)


def cells(rows: QuerySet[Summary], filters: Filters, tables: Iterable[str]) -> dict[str, Cells]:
    """The summed cells of `tables` among `rows` (already limited to whose they are)."""
    rows = rows.filter(table__in=list(tables))
    if filters.start:
        rows = rows.filter(month__gte=filters.start.replace(day=1))
    if filters.end:
        rows = rows.filter(month__lte=filters.end)
    if filters.region:
        rows = rows.filter(region=filters.region)
    found: dict[str, Cells] = defaultdict(dict)
    for table, row, column, n in (
        rows.values_list("table", "row", "column").annotate(n=Sum("n")).order_by()
    ):
        found[table][row, column] = int(n)
    return found


def regions(user: User) -> list[str]:
    met = in_scope(user, Summary.objects.filter(table="met"), Capability.STATISTICS_VIEW)
    return sorted(set(met.exclude(region="").values_list("region", flat=True).distinct()))


def median(histogram: dict[int, int]) -> tuple[float | None, int]:
    """The median of values counted as {value: how many}, and how many there were."""
    total = sum(histogram.values())
    if not total:
        return None, 0
    ordered = sorted(histogram.items())

    def nth(index: int) -> int:  # the index-th value, from 0
        seen = 0
        for value, count in ordered:
            seen += count
            if index < seen:
                return value
        return ordered[-1][0]

    middle = total // 2
    if total % 2:
        return float(nth(middle)), total
    return (nth(middle - 1) + nth(middle)) / 2, total
