"""When the non-punishment principle is at stake on a case, and why.

People made to commit crimes (scams, drugs, theft), people in irregular migration status
and people in the sex industry meet police and immigration officers first as offenders.
The case page reminds the team of the principle as soon as the case record, a completed
screening of the case, or an arrest, detention or charge recorded on it shows one of these.
The signs come from codes and answers only; the panel never shows an answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.cases.choices import ExploitationType
from haven.justice.models import Penalisation
from haven.screening.models import Screening, ScreeningStatus

if TYPE_CHECKING:
    from haven.cases.models import Case


class Sign(models.TextChoices):
    FORCED_CRIMINALITY = "forced_criminality", _("Forced criminality")
    IRREGULAR_STATUS = "irregular_status", _("Irregular migration status")
    SEX_INDUSTRY = "sex_industry", _("Sex industry")
    PENALISED = "penalised", _("Arrest, detention or charge recorded")


# The screening engine's flags (haven.screening_engine: indicator `flags`) and answers
# (indicator ids, "yes") that show each sign.
SCREENING_FLAGS = {
    "forced_criminality": Sign.FORCED_CRIMINALITY,
    "sexual_exploitation": Sign.SEX_INDUSTRY,
}
SCREENING_ANSWERS = {
    "context_irregular_status": Sign.IRREGULAR_STATUS,
    "context_works_in_sex_industry": Sign.SEX_INDUSTRY,
    "forced_illicit_activities": Sign.FORCED_CRIMINALITY,
    "forced_online_scams": Sign.FORCED_CRIMINALITY,
}


def signs(case: Case) -> list[Sign]:
    """The signs on this case, in the order of `Sign`; empty when none."""
    found: set[Sign] = set()
    types = set(case.exploitation_types or [])
    if ExploitationType.FORCED_CRIMINALITY in types:
        found.add(Sign.FORCED_CRIMINALITY)
    if ExploitationType.SEXUAL in types or case.sex_exploitation_types:
        found.add(Sign.SEX_INDUSTRY)
    screenings = Screening.objects.filter(case=case, status=ScreeningStatus.COMPLETED)
    for screening in screenings.only("result", "answers"):
        for flag in screening.result.get("flags", []):
            if flag in SCREENING_FLAGS:
                found.add(SCREENING_FLAGS[flag])
        for indicator, sign in SCREENING_ANSWERS.items():
            if screening.answers.get(indicator) == "yes":
                found.add(sign)
    if Penalisation.objects.filter(case=case).exists():
        found.add(Sign.PENALISED)
    return [sign for sign in Sign if sign in found]
