"""The case page's justice part, included with one line: the non-punishment panel when
the case shows its signs, and a way to the Justice pages for the case team."""

from __future__ import annotations

from typing import Any

from django import template

from haven.accounts.roles import Capability
from haven.cases.access import cases_for
from haven.cases.models import Case
from haven.justice.nonpunishment import signs

register = template.Library()


@register.inclusion_tag("justice/_section.html", takes_context=True)
def justice_section(context: template.Context, case: Case) -> dict[str, Any]:
    user = context["request"].user
    can_justice = cases_for(user, Capability.JUSTICE_EDIT).filter(pk=case.pk).exists()
    return {"case": case, "signs": signs(case), "can_justice": can_justice}
