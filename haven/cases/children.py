"""Children's safeguards: the one place that says who counts as a child and what must be
recorded before a child's screening is completed, a return approved or a case closed.

A child, or a person whose age is uncertain, is treated as a child (benefit of the doubt).
Before each gate there must be on record: a guardian, or the reason none could be
appointed yet; a best-interests assessment; and the child's own assent. The gates are
enforced in the domain actions (`refuse_without_safeguards`), so no page, command or
script can pass one by.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from django.utils.translation import gettext as _

from haven.core.errors import RefusedError

if TYPE_CHECKING:
    from haven.cases.models import AgeAssessment, Case
    from haven.screening.models import Screening


class Safeguarded(Protocol):
    """What carries a child's safeguards: a case, or a screening not tied to one."""

    guardian: str
    guardian_none_reason: str
    best_interests_assessed_on: dt.date | None
    child_assent: bool


# Safeguarded's fields, by name: what a child's screening with no case records itself.
SAFEGUARD_FIELDS = (
    "guardian",
    "guardian_none_reason",
    "best_interests_assessed_on",
    "child_assent",
)


def latest_assessment(
    case: Case, assessments: Iterable[AgeAssessment] | None = None
) -> AgeAssessment | None:
    """The age assessment that counts: the latest one. `assessments` (newest first, as the
    model orders them) saves the query when the caller already holds them."""
    if assessments is not None:
        return next(iter(assessments), None)
    return case.age_assessments.order_by("-assessed_on", "-created_at", "-pk").first()


def is_child(case: Case, assessments: Iterable[AgeAssessment] | None = None) -> bool:
    """A child or of uncertain age. The latest age assessment decides where there is one
    (an uncertain age counts as a child); otherwise the case's own age facts do
    (`Case.is_child_case`: the person's age band, or age when trafficked)."""
    latest = latest_assessment(case, assessments)
    if latest is not None:
        return latest.counts_as_child
    return case.is_child_case


def child_by(screening: Screening) -> bool:
    """A screening is of a child when its own age facts say so (the engine's rule), or
    when the case it belongs to is a child's."""
    if screening.child_wording:
        return True
    return screening.case is not None and is_child(screening.case)


def missing_safeguards(record: Safeguarded) -> list[str]:
    """What is still to be recorded for a child, in the user's language; empty when all is."""
    missing = []
    if not record.guardian.strip() and not record.guardian_none_reason.strip():
        missing.append(_("a guardian, or the reason none could be appointed yet"))
    if record.best_interests_assessed_on is None:
        missing.append(_("a best-interests assessment"))
    if not record.child_assent:
        missing.append(_("the child's assent"))
    return missing


class Gate(enum.Enum):
    """The steps a child's safeguards must be recorded before."""

    SCREENING_COMPLETE = "screening_complete"
    RETURN_PLAN = "return_plan"
    CLOSURE = "closure"


def refusal(gate: Gate, missing: list[str]) -> str:
    """The gate's sentence with what is missing, in the user's language."""
    what = "; ".join(missing)
    if gate is Gate.SCREENING_COMPLETE:
        return _(
            "This screening is of a child: it can be completed only once it records %(missing)s."
        ) % {"missing": what}
    if gate is Gate.RETURN_PLAN:
        return _(
            "This is a child's case: a return can be approved only once it records %(missing)s."
        ) % {"missing": what}
    return _("This is a child's case: it can be closed only once it records %(missing)s.") % {
        "missing": what
    }


def refuse_missing(record: Safeguarded, gate: Gate) -> None:
    """Refuse the gate unless `record` (known to be a child's) has every safeguard."""
    if missing := missing_safeguards(record):
        raise RefusedError(refusal(gate, missing))


def refuse_without_safeguards(case: Case, gate: Gate) -> None:
    """Refuse the gate on a child's case until its safeguards are recorded; an adult's
    case passes. Call it inside the action's transaction, on the locked case."""
    if is_child(case):
        refuse_missing(case, gate)
