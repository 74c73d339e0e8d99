"""Who takes a formal decision: the case's own organisation, or the competent authority
the jurisdiction profile names (an organisation type, or one named organisation).

Under most national referral mechanisms an NGO or first responder screens and presumes,
and a state authority in another organisation takes the formal decisions. Where the
profile names one, only that authority decides; the case's organisation sends it an
identification request (a referral with the purpose "formal identification"), and the
decision comes back to the case (`actions.decide_request`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from haven.accounts.models import Organisation, OrganisationType
from haven.identification import jurisdictions
from haven.identification.status import IdentificationStatus, Move
from haven.referrals.models import Channel, DataCategory, Purpose, Referral, ReferralStatus

if TYPE_CHECKING:
    from haven.cases.models import Case
    from haven.directory.models import Provider

S = IdentificationStatus

# The decision a case waits for, by its status: the first (after presumption, or to
# reconsider a negative one) or the final one.
PENDING = {
    S.PRESUMED: "first",
    S.FIRST_NEGATIVE: "first",
    S.FIRST_POSITIVE: "final",
    S.FINAL_NEGATIVE: "final",
}
# The moves an authority makes in answer to a request.
ANSWERS = {
    "first": (Move.FIRST_DECISION, Move.RECONSIDER_FIRST),
    "final": (Move.FINAL_DECISION, Move.RECONSIDER_FINAL),
}


def step_of(jurisdiction: jurisdictions.Jurisdiction, move: Move) -> jurisdictions.Step | None:
    """The formal decision a move takes (not presuming, withdrawing or a court's word)."""
    if move in (Move.NOT_A_VICTIM, Move.FIRST_DECISION, Move.RECONSIDER_FIRST):
        return jurisdiction.first_decision
    if move in (Move.FINAL_DECISION, Move.RECONSIDER_FINAL):
        return jurisdiction.final_decision
    return None


def pending(case: Case) -> tuple[str, jurisdictions.Step] | None:
    """Which formal decision the case waits for now ("first" or "final"), and its step."""
    which = PENDING.get(S(case.identification_status)) if case.identification_status else None
    if which is None:
        return None
    jurisdiction = jurisdictions.get(case.jurisdiction)
    return which, (jurisdiction.first_decision if which == "first" else jurisdiction.final_decision)


def target_date(case: Case, which: str) -> dt.date | None:
    """The profile's target date for the decision the case waits for."""
    return case.first_decision_due if which == "first" else case.final_decision_due


def is_competent(step: jurisdictions.Step, organisation: Organisation) -> bool:
    """May this organisation take this decision? Its own cases' decisions, where the
    profile names no authority; otherwise only if it is the authority."""
    if step.authority is None:
        return True
    return step.authority.includes(organisation.org_type, organisation.name)


def describe(authority: jurisdictions.Authority) -> str:
    """The authority in words, for refusals and pages."""
    if authority.organisation:
        return authority.organisation
    names = dict(OrganisationType.choices)
    return ", ".join(str(names.get(t, t)) for t in sorted(authority.org_types))


def competent_organisations(step: jurisdictions.Step) -> QuerySet[Organisation]:
    """The organisations on this Haven that are the step's competent authority."""
    authority = step.authority
    if authority is None:
        return Organisation.objects.none()
    if authority.organisation:
        return Organisation.objects.filter(name=authority.organisation)
    return Organisation.objects.filter(org_type__in=sorted(authority.org_types))


def open_request(case: Case) -> Referral | None:
    return (
        Referral.objects.filter(
            case=case,
            purpose=Purpose.IDENTIFICATION,
            status__in=(ReferralStatus.SENT, ReferralStatus.ACCEPTED),
        )
        .order_by("-sent_at")
        .first()
    )


def _requestable_step(case: Case) -> jurisdictions.Step | str:
    """The decision the case waits for, taken by a competent authority; else why not."""
    waiting = pending(case)
    if waiting is None:
        return _(
            "A formal decision can be requested once the person is presumed a victim, or to "
            "reconsider a negative decision."
        )
    if waiting[1].authority is None:
        return _(
            "In this jurisdiction your organisation takes this decision itself: record it on "
            "the identification page."
        )
    return waiting[1]


def request_refusal(
    case: Case, provider: Provider, channel: str, categories: list[str]
) -> str | None:
    """Why an identification request from this case to this provider cannot go, or None.
    Called by `referrals.actions.send_referral` inside its transaction, the case locked."""
    step = _requestable_step(case)
    if isinstance(step, str):
        return step
    assert step.authority is not None  # noqa: S101 - _requestable_step says so
    if channel != Channel.HAVEN:
        return _("An identification request goes inside Haven, so that the decision comes back.")
    recipient = provider.organisation
    if recipient is None or not is_competent(step, recipient):
        return _("This organisation is not the competent authority for %(step)s: %(who)s.") % {
            "step": step.name,
            "who": describe(step.authority),
        }
    if DataCategory.SCREENING not in categories:
        return _(
            "An identification request carries the screenings: choose them, under the "
            "person's consent to share them with the authority."
        )
    if open_request(case) is not None:
        return _("An identification request for this case is already open.")
    return None
