from __future__ import annotations

from django import template
from django.db.models import TextChoices

from haven.cases.choices import (
    App,
    ExploitationType,
    MethodOfControl,
    RecruitmentMethod,
    SexExploitationType,
)

register = template.Library()

LISTS: dict[str, type[TextChoices]] = {
    "exploitation": ExploitationType,
    "sex": SexExploitationType,
    "control": MethodOfControl,
    "recruitment": RecruitmentMethod,
    "app": App,
}


@register.filter
def labels(codes: list[str], kind: str) -> str:
    """The translated labels of stored HTCDS codes, or a dash when there are none."""
    names = dict(LISTS[kind].choices)
    return ", ".join(str(names.get(code, code)) for code in codes) or "—"
