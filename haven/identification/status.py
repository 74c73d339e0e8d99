"""Identification status and the table of legal moves between statuses.

One table, one function (`actions.change_status`) applies it. Identification is a
process: a screened person is presumed a victim and helped at once; formal decisions
follow; a negative decision can be reconsidered; a court may confirm. Nothing here, or
anywhere, makes assistance wait for a decision or depend on cooperating with the police.
"""

from __future__ import annotations

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentificationStatus(models.TextChoices):
    SCREENED = "screened", _("Screened")
    PRESUMED = "presumed", _("Presumed victim")
    FIRST_POSITIVE = "first_positive", _("First decision: positive")
    FIRST_NEGATIVE = "first_negative", _("First decision: negative")
    FINAL_POSITIVE = "final_positive", _("Final decision: positive")
    FINAL_NEGATIVE = "final_negative", _("Final decision: negative")
    CONFIRMED = "confirmed", _("Confirmed by a court")
    NOT_A_VICTIM = "not_a_victim", _("Not a victim")
    WITHDREW = "withdrew", _("Person withdrew")


class TraffickingStatus(models.TextChoices):
    """HTCDS vic_TraffickingStatus."""

    POSSIBLE = "PossibleVictimOfTrafficking", _("Possible victim of trafficking")
    ACTUAL = "ActualVictimOfTrafficking", _("Actual victim of trafficking")
    NOT_A_VICTIM = "NotAVictimOfTrafficking", _("Not a victim of trafficking")


class DecisionOrganisation(models.TextChoices):
    """HTCDS vic_TraffickingStatusDecisionMakingOrg."""

    POLICE = "Police", _("Police")
    NGO = "NGO", _("Non-governmental organisation")
    COURT = "CourtOrProsecution", _("Court or prosecution")
    GOVERNMENT = "NonPoliceGovernmentalOrganization", _("Government body other than police")
    OTHER = "Other", _("Other")


class Move(enum.Enum):
    PRESUME = "presume"
    NOT_A_VICTIM = "not_a_victim"
    FIRST_DECISION = "first_decision"
    RECONSIDER_FIRST = "reconsider_first"
    FINAL_DECISION = "final_decision"
    RECONSIDER_FINAL = "reconsider_final"
    COURT = "court"
    WITHDRAW = "withdraw"
    RETURN = "return"  # the person came back after withdrawing


S = IdentificationStatus
# Statuses from which the person may withdraw, and to which they may come back.
_ACTIVE: tuple[S, ...] = (
    S.SCREENED,
    S.PRESUMED,
    S.FIRST_POSITIVE,
    S.FIRST_NEGATIVE,
    S.FINAL_POSITIVE,
    S.FINAL_NEGATIVE,
    S.NOT_A_VICTIM,
)

TRANSITIONS: dict[tuple[S, S], Move] = {
    (S.SCREENED, S.PRESUMED): Move.PRESUME,
    (S.SCREENED, S.NOT_A_VICTIM): Move.NOT_A_VICTIM,
    (S.NOT_A_VICTIM, S.PRESUMED): Move.PRESUME,  # new facts emerged
    (S.PRESUMED, S.FIRST_POSITIVE): Move.FIRST_DECISION,
    (S.PRESUMED, S.FIRST_NEGATIVE): Move.FIRST_DECISION,
    (S.FIRST_NEGATIVE, S.FIRST_POSITIVE): Move.RECONSIDER_FIRST,
    (S.FIRST_POSITIVE, S.FINAL_POSITIVE): Move.FINAL_DECISION,
    (S.FIRST_POSITIVE, S.FINAL_NEGATIVE): Move.FINAL_DECISION,
    (S.FINAL_NEGATIVE, S.FINAL_POSITIVE): Move.RECONSIDER_FINAL,
    (S.FINAL_POSITIVE, S.CONFIRMED): Move.COURT,
    **{(status, S.WITHDREW): Move.WITHDRAW for status in _ACTIVE},
    **{(S.WITHDREW, status): Move.RETURN for status in _ACTIVE},
}

# What each status means in HTCDS terms; withdrawing keeps the last known status.
HTCDS_STATUS: dict[S, TraffickingStatus | None] = {
    S.SCREENED: None,
    S.PRESUMED: TraffickingStatus.POSSIBLE,
    S.FIRST_POSITIVE: TraffickingStatus.POSSIBLE,
    S.FIRST_NEGATIVE: TraffickingStatus.NOT_A_VICTIM,
    S.FINAL_POSITIVE: TraffickingStatus.ACTUAL,
    S.FINAL_NEGATIVE: TraffickingStatus.NOT_A_VICTIM,
    S.CONFIRMED: TraffickingStatus.ACTUAL,
    S.NOT_A_VICTIM: TraffickingStatus.NOT_A_VICTIM,
    S.WITHDREW: None,
}

# Moves that are formal decisions: they need a basis and say which body took them.
DECISIONS = frozenset(
    {
        Move.NOT_A_VICTIM,
        Move.FIRST_DECISION,
        Move.RECONSIDER_FIRST,
        Move.FINAL_DECISION,
        Move.RECONSIDER_FINAL,
        Move.COURT,
    }
)

# Recording the person's own choice, or a court's judgment, is for the case team.
CASE_TEAM = frozenset({"case_worker", "supervisor", "determination_officer"})


def move_for(current: str, target: str) -> Move | None:
    try:
        return TRANSITIONS.get((S(current), S(target)))
    except ValueError:
        return None


def decision_organisation(org_type: str) -> DecisionOrganisation:
    """The HTCDS kind of body that took a decision, from the deciding organisation's type."""
    if org_type == "LawEnforcement":
        return DecisionOrganisation.POLICE
    if org_type in ("NGO", "Shelter", "Hotline"):
        return DecisionOrganisation.NGO
    if org_type in (
        "CentralGovernmentOrganisation",
        "LocalGovernmentOrganisation",
        "ImmigrationService",
        "LabourInspection",
        "EmbassyOrConsulate",
    ):
        return DecisionOrganisation.GOVERNMENT
    return DecisionOrganisation.OTHER
