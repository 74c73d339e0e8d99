"""The case list: filters, sort orders and keyset pages.

Every page is one indexed range read (`Case.Meta.indexes` has an index per filter and
order): the next page starts after the last row shown (`after`), never at an OFFSET, and
no page counts the whole table; it only says whether there is more."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import User
from haven.assistance.models import Service, Stage, SupportObjective
from haven.cases.due import has_overdue
from haven.cases.models import Case, CaseStatus
from haven.core.reference import AgeBand
from haven.identification.status import IdentificationStatus

PAGE_SIZE = 25
NOT_ASSIGNED = "none"
YES = "yes"
CHILD_AGE_BANDS = (AgeBand.UNDER_12, AgeBand.TEEN)  # as Person.is_possibly_child


@dataclass(frozen=True)
class Sort:
    label: Promise
    order: tuple[str, ...]  # the last field is unique, so the order is total


SORTS: dict[str, Sort] = {
    "opened": Sort(_("Newest opened first"), ("-opened_on", "-pk")),
    "changed": Sort(_("Last changed first"), ("-updated_at", "-pk")),
    "reference": Sort(_("Reference"), ("reference",)),
}
DEFAULT_SORT = "opened"


def _any(choices: Sequence[tuple[str, object]]) -> list[tuple[str, str]]:
    return [("", str(_("Any"))), *((value, str(label)) for value, label in choices)]


class CaseListForm(forms.Form):
    """The list's query string. A field with an unknown value is dropped, never an error."""

    reference = forms.CharField(label=_("Case reference"), max_length=16, required=False)
    status = forms.ChoiceField(label=_("Case status"), required=False)
    identification = forms.ChoiceField(label=_("Identification status"), required=False)
    worker = forms.ChoiceField(label=_("Case worker"), required=False)
    stage = forms.ChoiceField(label=_("Stage of protection"), required=False)
    overdue = forms.ChoiceField(label=_("Overdue"), required=False)
    child = forms.ChoiceField(label=_("Child"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False)
    after = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: object, *, workers: list[User]) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        fields = self.fields
        fields["status"].choices = _any(CaseStatus.choices)  # type: ignore[attr-defined]
        fields["identification"].choices = _any(IdentificationStatus.choices)  # type: ignore[attr-defined]
        fields["worker"].choices = _any(  # type: ignore[attr-defined]
            [(str(w.pk), w.username) for w in workers]
            + [(NOT_ASSIGNED, str(_("Not assigned to a case worker")))]
        )
        fields["stage"].choices = _any(Stage.choices)  # type: ignore[attr-defined]
        yes = [(YES, str(_("Yes")))]
        fields["overdue"].choices = _any(yes)  # type: ignore[attr-defined]
        fields["child"].choices = _any(yes)  # type: ignore[attr-defined]
        fields["sort"].choices = [(k, str(s.label)) for k, s in SORTS.items()]  # type: ignore[attr-defined]

    def ignored(self) -> list[str]:
        """Labels of the filters given with a value this list does not know."""
        self.is_valid()
        return [str(self.fields[name].label or name) for name in self.errors]

    def value(self, name: str) -> str:
        self.is_valid()
        return str(self.cleaned_data.get(name) or "")


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    next_after: str  # "" on the last page
    sort: str


def filtered(cases: QuerySet[Case], form: CaseListForm, today: dt.date) -> QuerySet[Case]:
    if reference := form.value("reference").strip().upper():
        cases = cases.filter(reference=reference)
    if status := form.value("status"):
        cases = cases.filter(status=status)
    if identification := form.value("identification"):
        cases = cases.filter(identification_status=identification)
    if worker := form.value("worker"):
        if worker == NOT_ASSIGNED:
            cases = cases.filter(assigned_to__isnull=True)
        else:
            cases = cases.filter(assigned_to_id=int(worker))
    if stage := form.value("stage"):
        cases = cases.filter(
            Exists(SupportObjective.objects.filter(case=OuterRef("pk"), stage=stage))
            | Exists(Service.objects.filter(case=OuterRef("pk"), stage=stage))
        )
    if form.value("overdue") == YES:
        cases = cases.filter(has_overdue(today))
    if form.value("child") == YES:
        cases = cases.filter(
            Q(person__age_band__in=CHILD_AGE_BANDS) | Q(age_when_trafficked__lt=18)
        )
    return cases


def _after(sort: str, cursor: str) -> Q | None:
    """Rows after `cursor` in `sort` order; None if the cursor is not one of ours."""
    if sort == "reference":
        return Q(reference__gt=cursor) if cursor else None
    value, _sep, pk_text = cursor.rpartition(",")
    if not pk_text.isdigit():
        return None
    pk = int(pk_text)
    if sort == "opened":
        try:
            opened = dt.date.fromisoformat(value)
        except ValueError:
            return None
        return Q(opened_on__lt=opened) | Q(opened_on=opened, pk__lt=pk)
    changed = parse_datetime(value)
    if changed is None:
        return None
    return Q(updated_at__lt=changed) | Q(updated_at=changed, pk__lt=pk)


def _cursor(sort: str, case: Case) -> str:
    if sort == "reference":
        return case.reference
    value = case.opened_on if sort == "opened" else case.updated_at
    return f"{value.isoformat()},{case.pk}"


def case_page(
    cases: QuerySet[Case], form: CaseListForm, today: dt.date
) -> tuple[CasePage, list[str]]:
    """One page of the filtered list, and the labels of the filters that were ignored."""
    ignored = form.ignored()
    sort = form.value("sort") or DEFAULT_SORT
    rows = filtered(cases, form, today).order_by(*SORTS[sort].order)
    if after := form.value("after"):
        condition = _after(sort, after)
        if condition is None:
            ignored.append(str(_("Page")))
        else:
            rows = rows.filter(condition)
    found = list(rows.select_related("person", "assigned_to")[: PAGE_SIZE + 1])
    next_after = _cursor(sort, found[PAGE_SIZE - 1]) if len(found) > PAGE_SIZE else ""
    return CasePage(found[:PAGE_SIZE], next_after, sort), ignored
