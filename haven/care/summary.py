"""Survivors' feedback in aggregate: per kind of service, how many answered each way.

Counts pass through the statistics' disclosure control (haven.stats.disclosure): small
counts are hidden, no hidden count can be worked out from the totals, and what is shown is
rounded. Feedback is a count of people, so it gets the same protection as any table of
people. Why not in the statistics pipeline: its fact table is built from cases, and
anonymous feedback is deliberately linked to no case.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.utils.functional import Promise

from haven.assistance.models import ServiceKind
from haven.care.models import QUESTIONS, Feedback, Rating
from haven.stats.disclosure import DEFAULT_RULES, Protected, Rules, protect


@dataclass(frozen=True)
class QuestionTable:
    key: str
    question: str | Promise
    kinds: list[str]  # the labels of the table's rows
    table: Protected

    @property
    def lines(self) -> list[tuple[str, tuple[int | None, ...], int | None]]:
        """Each kind of service with its shown counts (None: hidden) and its total."""
        table = self.table
        return list(zip(self.kinds, table.cells, table.row_totals, strict=True))


@dataclass(frozen=True)
class Said:
    kind: str
    comments: list[str]


@dataclass(frozen=True)
class Summary:
    tables: list[QuestionTable]
    said: list[Said]  # comments, only for kinds with enough feedback not to single anyone out
    empty: bool


def summarise(organisation_id: int, rules: Rules = DEFAULT_RULES) -> Summary:
    """The organisation's feedback, every count under disclosure control."""
    rows = list(
        Feedback.objects.filter(organisation_id=organisation_id).only(
            "service_kind", "comment", *(key for key, _question in QUESTIONS)
        )
    )
    kinds = sorted({row.service_kind for row in rows})
    labels = [str(ServiceKind(kind).label) for kind in kinds]
    columns = [str(label) for label in Rating.labels]
    tables = []
    for key, question in QUESTIONS:
        counted = Counter((row.service_kind, getattr(row, key)) for row in rows)
        counts = [[counted[(kind, answer)] for answer in Rating.values] for kind in kinds]
        tables.append(QuestionTable(key, question, labels, protect(labels, columns, counts, rules)))
    per_kind = Counter(row.service_kind for row in rows)
    said = []
    for kind, label in zip(kinds, labels, strict=True):
        if per_kind[kind] < rules.threshold:
            continue
        # Sorted, not in the order given: the order would tell who said what, and when.
        comments = sorted(row.comment for row in rows if row.service_kind == kind and row.comment)
        if comments:
            said.append(Said(label, comments))
    return Summary(tables=tables, said=said, empty=not rows)
