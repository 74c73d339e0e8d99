"""Derived facts for pages, from the same model functions `haven due` uses, so a page
never judges "overdue" or "missed" by a rule of its own."""

from __future__ import annotations

import datetime as dt

from django import template

from haven.assistance.models import FollowUp
from haven.cases.models import Case

register = template.Library()


@register.filter
def first_decision_overdue_on(case: Case, today: dt.date) -> bool:
    return case.first_decision_overdue(today)


@register.filter
def final_decision_overdue_on(case: Case, today: dt.date) -> bool:
    return case.final_decision_overdue(today)


@register.filter
def missed_on(follow_up: FollowUp, today: dt.date) -> bool:
    return follow_up.is_missed(today)
