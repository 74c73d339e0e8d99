"""What is due on a set of cases: decisions past their target date, reflection periods
ending, follow-ups due or missed, closures waiting for approval. References only.

Each kind of item is one database query (`KINDS`): the same queries feed the home and team
pages (counts plus the first few items), the paged list of everything due, and `haven due`
(everything), so they never disagree. Every list is ordered most overdue first: by due
date, then case reference, then kind, then the row the item comes from, which is also the
key of the keyset pages."""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.assistance.models import FollowUp
from haven.cases.models import CLOSED_STATUSES, Case
from haven.identification.status import IdentificationStatus

SOON = dt.timedelta(days=7)
SHOWN = 20  # items listed on the home and team pages; the rest are one link away

LABELS: dict[str, Promise] = {
    "first_decision_overdue": _("First decision past its target date"),
    "final_decision_overdue": _("Final decision past its target date"),
    "first_decision_due": _("First decision due"),
    "reflection_ending": _("Reflection period ends"),
    "follow_up_missed": _("Follow-up missed"),
    "follow_up_due": _("Follow-up due"),
    "closure_pending": _("Closure waiting for approval"),
}
OVERDUE = frozenset({"first_decision_overdue", "final_decision_overdue", "follow_up_missed"})


@dataclass(frozen=True)
class DueItem:
    kind: str
    case: Case
    due_on: dt.date
    row: int = 0  # primary key of the case or follow-up the item comes from

    @property
    def label(self) -> str:
        return str(LABELS[self.kind])

    @property
    def overdue(self) -> bool:
        return self.kind in OVERDUE

    @property
    def sort_key(self) -> tuple[dt.date, str, str, int]:
        return (self.due_on, self.case.reference, self.kind, self.row)

    @property
    def cursor(self) -> str:
        return ",".join((self.due_on.isoformat(), self.case.reference, self.kind, str(self.row)))


Cursor = tuple[dt.date, str, str, int]


def parse_cursor(text: str) -> Cursor | None:
    """The position after which a page of due items starts; None if `text` is not one."""
    parts = text.split(",")
    if len(parts) != 4 or parts[2] not in LABELS:
        return None
    try:
        return (dt.date.fromisoformat(parts[0]), parts[1], parts[2], int(parts[3]))
    except ValueError:
        return None


@dataclass(frozen=True)
class Kind:
    """One kind of due item: which rows (open cases, or their follow-ups not yet recorded)
    and the date it falls due on."""

    name: str
    condition: Callable[[dt.date], Q]
    due: str
    on_follow_up: bool = False

    @property
    def reference(self) -> str:
        return "case__reference" if self.on_follow_up else "reference"

    @property
    def worker(self) -> str:
        return "case__assigned_to" if self.on_follow_up else "assigned_to"

    def rows(self, open_cases: QuerySet[Case], today: dt.date) -> QuerySet[Any]:
        if self.on_follow_up:
            follow_ups = FollowUp.objects.filter(case__in=open_cases, done_on__isnull=True)
            return (
                follow_ups.filter(self.condition(today))
                .select_related("case__assigned_to")
                .only(*ITEM_FIELDS, *(f"case__{name}" for name in CASE_FIELDS))
            )
        rows = (
            open_cases.filter(self.condition(today))
            .select_related("assigned_to")
            .only(*CASE_FIELDS)
        )
        if self.due == CLOSURE_DATE:
            # The date in UTC, as `closure_requested_at.date()` reads it.
            rows = rows.annotate(**{CLOSURE_DATE: TruncDate("closure_requested_at", tzinfo=dt.UTC)})
        return rows

    def items(
        self, cases: QuerySet[Case], today: dt.date, after: Cursor | None, limit: int | None
    ) -> Iterator[DueItem]:
        rows = self.rows(cases.exclude(status__in=CLOSED_STATUSES), today)
        if after is not None:
            rows = rows.filter(self._after(after))
        rows = rows.order_by(self.due, self.reference, "pk")
        for row in rows[:limit] if limit is not None else rows.iterator(chunk_size=2000):
            case = row.case if self.on_follow_up else row
            yield DueItem(self.name, case, getattr(row, self.due), row.pk)

    def _after(self, cursor: Cursor) -> Q:
        day, reference, kind, row = cursor
        later = Q(**{f"{self.due}__gt": day}) | Q(
            **{self.due: day, f"{self.reference}__gt": reference}
        )
        same = Q(**{self.due: day, self.reference: reference})
        if self.name > kind:
            return later | same
        if self.name == kind:
            return later | (same & Q(pk__gt=row))
        return later


# What a due item shows (reference, case worker, date): the rest of a case stays unread,
# and its encrypted notes undecrypted.
CASE_FIELDS = (
    "reference",
    "status",
    "organisation_id",
    "first_decision_due",
    "final_decision_due",
    "reflection_ends",
    "closure_requested_at",
    "assigned_to__username",
)
ITEM_FIELDS = ("due_on", "done_on", "case")
PRESUMED, FIRST_POSITIVE = IdentificationStatus.PRESUMED, IdentificationStatus.FIRST_POSITIVE
CLOSURE_DATE = "closure_requested_on"

# Each condition restates, for the database, the model's own fact named beside it
# (`Case.first_decision_overdue`, `FollowUp.is_missed`...); tests hold them together.
KINDS: tuple[Kind, ...] = (
    Kind(
        "first_decision_overdue",  # Case.first_decision_overdue
        lambda today: Q(identification_status=PRESUMED, first_decision_due__lt=today),
        "first_decision_due",
    ),
    Kind(
        "first_decision_due",  # Case.awaits_first_decision, not yet overdue
        lambda today: Q(
            identification_status=PRESUMED, first_decision_due__range=(today, today + SOON)
        ),
        "first_decision_due",
    ),
    Kind(
        "final_decision_overdue",  # Case.final_decision_overdue
        lambda today: Q(identification_status=FIRST_POSITIVE, final_decision_due__lt=today),
        "final_decision_due",
    ),
    Kind(
        "reflection_ending",  # Case.reflection_ends_between(today, today + SOON)
        lambda today: Q(reflection_ends__range=(today, today + SOON)),
        "reflection_ends",
    ),
    Kind(
        "closure_pending",  # Case.closure_pending
        lambda today: ~Q(closure_requested_status="") & Q(closure_requested_at__isnull=False),
        CLOSURE_DATE,
    ),
    Kind(
        "follow_up_missed",  # FollowUp.is_missed
        lambda today: Q(due_on__lt=today),
        "due_on",
        on_follow_up=True,
    ),
    Kind(
        "follow_up_due",  # FollowUp.is_due_by(today, today + SOON)
        lambda today: Q(due_on__range=(today, today + SOON)),
        "due_on",
        on_follow_up=True,
    ),
)


def _kinds(overdue_only: bool) -> tuple[Kind, ...]:
    return tuple(k for k in KINDS if k.name in OVERDUE) if overdue_only else KINDS


def due_items(
    cases: QuerySet[Case],
    today: dt.date,
    *,
    overdue_only: bool = False,
    after: Cursor | None = None,
    limit: int | None = None,
) -> list[DueItem]:
    """Due items on the open cases among `cases`, most overdue first: everything, or the
    `limit` first after `after`. One query per kind, whatever the number of cases."""
    streams = [kind.items(cases, today, after, limit) for kind in _kinds(overdue_only)]
    merged = heapq.merge(*streams, key=lambda item: item.sort_key)
    items = list(merged)
    return items[:limit] if limit is not None else items


@dataclass(frozen=True)
class DueSummary:
    """What a page shows: how many items of each kind, and the first few."""

    counts: dict[str, int]
    items: list[DueItem]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def overdue(self) -> int:
        return sum(n for kind, n in self.counts.items() if kind in OVERDUE)

    @property
    def more(self) -> bool:
        return self.total > len(self.items)

    def by_kind(self) -> list[tuple[str, int]]:
        return [(str(LABELS[kind]), n) for kind, n in self.counts.items() if n]


def due_summary(
    cases: QuerySet[Case], today: dt.date, *, overdue_only: bool = False, shown: int = SHOWN
) -> DueSummary:
    """Counts per kind and the `shown` most overdue items."""
    kinds = _kinds(overdue_only)
    open_cases = cases.exclude(status__in=CLOSED_STATUSES)
    counts = open_cases.order_by().aggregate(
        **{k.name: Count("pk", filter=k.condition(today)) for k in kinds if not k.on_follow_up}
    )
    follow_ups = FollowUp.objects.filter(case__in=open_cases, done_on__isnull=True)
    counts |= follow_ups.order_by().aggregate(
        **{k.name: Count("pk", filter=k.condition(today)) for k in kinds if k.on_follow_up}
    )
    counts = {k.name: counts[k.name] for k in kinds}  # in the order of KINDS
    items = due_items(cases, today, overdue_only=overdue_only, limit=shown) if shown else []
    return DueSummary(counts, items)


def overdue_by_worker(cases: QuerySet[Case], today: dt.date) -> Counter[int | None]:
    """How many overdue items each case worker's cases carry (None: not assigned)."""
    counts: Counter[int | None] = Counter()
    open_cases = cases.exclude(status__in=CLOSED_STATUSES)
    for kind in _kinds(overdue_only=True):
        grouped = (
            kind.rows(open_cases, today)
            .select_related(None)
            .order_by()
            .values(worker=F(kind.worker))
            .annotate(n=Count("pk"))
        )
        for row in grouped:
            counts[row["worker"]] += row["n"]
    return counts


def has_overdue(today: dt.date) -> Q:
    """A case (open or not: combine with the status) carrying at least one overdue item."""
    condition = Q(pk__in=[])
    for kind in _kinds(overdue_only=True):
        if kind.on_follow_up:
            missed = FollowUp.objects.filter(case=OuterRef("pk"), done_on__isnull=True)
            condition |= Q(Exists(missed.filter(kind.condition(today))))
        else:
            condition |= kind.condition(today)
    return condition & ~Q(status__in=CLOSED_STATUSES)
