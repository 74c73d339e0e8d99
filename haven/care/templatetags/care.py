"""The care part of the case page, loaded by its own include (care/_case.html) in a fixed
number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from haven.assistance.models import Service, ServiceStatus
from haven.care.models import Feedback, Stay
from haven.cases.models import Case

register = template.Library()


@dataclass(frozen=True)
class CaseCare:
    stays: list[Stay]
    feedback: list[Feedback]
    delivered: list[Service]  # services the person may give feedback on


def _services(context: template.Context, case: Case) -> list[Service]:
    """The case's services, as the case page already read them (its `stages`)."""
    stages = context.get("stages")
    if stages is None:
        return list(case.services.all())
    return [service for stage in stages for service in stage["services"]]


@register.simple_tag(takes_context=True)
def case_care(context: template.Context, case: Case) -> CaseCare:
    """Two queries: the stays with their shelters, and the named feedback."""
    stays = Stay.objects.filter(case=case).select_related("shelter__provider")
    feedback = Feedback.objects.filter(case=case)
    delivered = [s for s in _services(context, case) if s.status == ServiceStatus.DELIVERED]
    return CaseCare(list(stays), list(feedback), delivered)
