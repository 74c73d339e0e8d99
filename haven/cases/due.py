"""What is due on a set of cases: decisions past their target date, reflection periods
ending, follow-ups due or missed, closures waiting for approval. References only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.assistance.models import FollowUp
from haven.cases.models import CLOSED_STATUSES, Case
from haven.identification.status import IdentificationStatus

SOON = dt.timedelta(days=7)

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

    @property
    def label(self) -> str:
        return str(LABELS[self.kind])

    @property
    def overdue(self) -> bool:
        return self.kind in OVERDUE


def due_items(
    cases: QuerySet[Case], today: dt.date, *, overdue_only: bool = False
) -> list[DueItem]:
    """Every due item on open cases, oldest first. Two queries whatever the number of cases.

    The database narrows the rows; the model's own facts (`Case.first_decision_overdue`,
    `FollowUp.is_missed`...) decide, so the case page and `haven due` never disagree."""
    open_cases = cases.exclude(status__in=CLOSED_STATUSES)
    soon = today + SOON
    flagged = open_cases.filter(
        Q(identification_status=IdentificationStatus.PRESUMED, first_decision_due__lte=soon)
        | Q(identification_status=IdentificationStatus.FIRST_POSITIVE, final_decision_due__lt=today)
        | Q(reflection_ends__range=(today, soon))
        | ~Q(closure_requested_status="")
    )
    items: list[DueItem] = []
    for case in flagged:
        first_due, final_due = case.first_decision_due, case.final_decision_due
        if case.awaits_first_decision and first_due and first_due <= soon:
            overdue = case.first_decision_overdue(today)
            kind = "first_decision_overdue" if overdue else "first_decision_due"
            items.append(DueItem(kind, case, first_due))
        if case.final_decision_overdue(today) and final_due:
            items.append(DueItem("final_decision_overdue", case, final_due))
        if case.reflection_ends_between(today, soon) and case.reflection_ends:
            items.append(DueItem("reflection_ending", case, case.reflection_ends))
        if case.closure_pending and case.closure_requested_at:
            items.append(DueItem("closure_pending", case, case.closure_requested_at.date()))
    follow_ups = FollowUp.objects.filter(
        case__in=open_cases, done_on__isnull=True, due_on__lte=soon
    ).select_related("case__assigned_to")
    for follow_up in follow_ups:
        if follow_up.is_missed(today):
            items.append(DueItem("follow_up_missed", follow_up.case, follow_up.due_on))
        elif follow_up.is_due_by(today, soon):
            items.append(DueItem("follow_up_due", follow_up.case, follow_up.due_on))
    if overdue_only:
        items = [item for item in items if item.overdue]
    return sorted(items, key=lambda item: (item.due_on, item.case.reference, item.kind))
