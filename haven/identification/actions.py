"""The one function that moves a case's identification status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.roles import Capability, can
from haven.audit.chain import record
from haven.audit.models import Action
from haven.cases.actions import locked_case, record_event
from haven.cases.models import Case, EventKind
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.identification import authority, jurisdictions
from haven.identification.models import IdentificationChange
from haven.identification.status import (
    CASE_TEAM,
    DECISIONS,
    HTCDS_STATUS,
    DecisionOrganisation,
    IdentificationStatus,
    Move,
    decision_organisation,
    move_for,
)
from haven.referrals.actions import visible_categories
from haven.referrals.models import DataCategory, Direction, Purpose, Referral, ReferralStatus
from haven.screening.models import Screening, ScreeningStatus

if TYPE_CHECKING:
    from haven.accounts.models import User

S = IdentificationStatus


def step_name(jurisdiction: jurisdictions.Jurisdiction, move: Move) -> str:
    """The jurisdiction's own name for a move that is one of its steps."""
    if move is Move.PRESUME:
        return jurisdiction.presumption.name
    if move in (Move.FIRST_DECISION, Move.RECONSIDER_FIRST):
        return jurisdiction.first_decision.name
    if move in (Move.FINAL_DECISION, Move.RECONSIDER_FINAL):
        return jurisdiction.final_decision.name
    return ""


def allowed_roles(jurisdiction: jurisdictions.Jurisdiction, move: Move) -> frozenset[str]:
    if move is Move.PRESUME:
        return jurisdiction.presumption.roles
    # Deciding that someone is not a victim is a formal decision, for those who take them.
    if move in (Move.NOT_A_VICTIM, Move.FIRST_DECISION, Move.RECONSIDER_FIRST):
        return jurisdiction.first_decision.roles
    if move in (Move.FINAL_DECISION, Move.RECONSIDER_FINAL):
        return jurisdiction.final_decision.roles
    return CASE_TEAM  # court judgments are recorded; withdrawal is the person's choice


def may_move(user: User, case: Case, target: str) -> bool:
    move = move_for(case.identification_status, target)
    if move is None:
        return False
    jurisdiction = jurisdictions.get(case.jurisdiction)
    step = authority.step_of(jurisdiction, move)
    # Only where the profile names an authority is the user's organisation read.
    if step is not None and step.authority and not authority.is_competent(step, user.organisation):
        return False
    roles = allowed_roles(jurisdiction, move)
    return bool(roles & {str(r) for r in user.role_list})


def answer_choices(user: User, request: Referral) -> list[tuple[str, str]]:
    """The decisions the authority's user may answer a request with, named as the
    jurisdiction names them (the case itself is never shown)."""
    case = request.case
    waiting = authority.pending(case) if case is not None and request.is_open else None
    if case is None or waiting is None:
        return []
    jurisdiction = jurisdictions.get(case.jurisdiction)
    mine = {str(r) for r in user.role_list}
    choices = []
    for target in S:
        move = move_for(case.identification_status, target)
        if move is None or move not in authority.ANSWERS[waiting[0]]:
            continue
        if allowed_roles(jurisdiction, move) & mine:
            choices.append((target.value, f"{target.label} ({step_name(jurisdiction, move)})"))
    return choices


def legal_targets(user: User, case: Case) -> list[S]:
    """The statuses this user may move this case to now, in the table's order."""
    targets = [s for s in S if may_move(user, case, s)]
    if case.identification_status == S.WITHDREW:
        before = _status_before_withdrawal(case)
        targets = [s for s in targets if s == before]
    return targets


def target_choices(user: User, case: Case) -> list[tuple[str, str]]:
    """The legal targets, each named as the jurisdiction names the step that reaches it."""
    jurisdiction = jurisdictions.get(case.jurisdiction)
    choices = []
    for target in legal_targets(user, case):
        move = move_for(case.identification_status, target)
        label = str(target.label)
        name = step_name(jurisdiction, move) if move else ""
        if move in (Move.RECONSIDER_FIRST, Move.RECONSIDER_FINAL):
            label = _("%(status)s, on reconsideration (%(step)s)") % {"status": label, "step": name}
        elif move is Move.RETURN:
            label = _("%(status)s: the person came back") % {"status": label}
        elif name and move is not Move.PRESUME:
            label = f"{label} ({name})"
        choices.append((target.value, label))
    return choices


def _status_before_withdrawal(case: Case) -> str:
    last = (
        IdentificationChange.objects.filter(case=case, to_status=S.WITHDREW)
        .order_by("-decided_on", "-created_at", "-pk")
        .first()
    )
    return last.from_status if last else S.SCREENED


def _refuse_move(current: Case, target: str) -> Move:
    move = move_for(current.identification_status, target)
    if move is None:
        raise RefusedError(
            _("The identification status cannot move from “%(old)s” to “%(new)s”.")
            % {"old": S(current.identification_status).label, "new": _label(target)}
        )
    if move is Move.RETURN and target != _status_before_withdrawal(current):
        raise RefusedError(
            _("When the person comes back, the case returns to the status it had before.")
        )
    return move


def _belongs(screening: Screening, case: Case) -> bool:
    """A screening of this case, or of its person not yet tied to any case."""
    if screening.organisation_id != case.organisation_id:
        return False
    if screening.case_id is not None:
        return screening.case_id == case.pk
    return screening.person_id == case.person_id


def _label(value: str) -> str:
    try:
        return str(S(value).label)
    except ValueError:
        return value


def _set_deadlines(
    current: Case, jurisdiction: jurisdictions.Jurisdiction, move: Move, on: dt.date
) -> list[str]:
    target = S(current.identification_status)
    changed: list[str] = []

    def put(name: str, value: dt.date | None) -> None:
        if getattr(current, name) != value:
            setattr(current, name, value)
            changed.append(name)

    def reflection_from(start: dt.date) -> None:
        if current.reflection_starts is None:  # it runs once, from its first start
            first, last = jurisdiction.reflection_period(start)
            put("reflection_starts", first)
            put("reflection_ends", last)

    if move is Move.PRESUME:
        put("presumed_on", on)
        put("first_decision_due", jurisdiction.first_decision_due(on))
        if jurisdiction.reflection_starts_at == "presumption":
            reflection_from(on)
    elif move in (Move.FIRST_DECISION, Move.RECONSIDER_FIRST):
        put("first_decision_on", on)
        put("first_decision_due", None)
        if target is S.FIRST_POSITIVE:
            earliest, due = jurisdiction.final_decision_window(on)
            put("final_decision_earliest", earliest)
            put("final_decision_due", due)
            reflection_from(on)
    elif move in (Move.FINAL_DECISION, Move.RECONSIDER_FINAL):
        put("final_decision_due", None)
    return changed


def change_status(
    actor: User,
    case: Case,
    target: str,
    *,
    decided_on: dt.date,
    basis: str,
    screenings: Iterable[Screening] = (),
    expected_version: int,
) -> IdentificationChange:
    """Validate the move against the table and the jurisdiction, record it, set the
    deadlines, notify the case team and audit it: all in one transaction or not at all."""
    with transaction.atomic():
        current = locked_case(actor, case, Capability.IDENTIFICATION_CHANGE, expected_version)
        move = _refuse_move(current, target)
        jurisdiction = jurisdictions.get(current.jurisdiction)
        step = authority.step_of(jurisdiction, move)
        if step is not None and not authority.is_competent(step, actor.organisation):
            assert step.authority is not None  # noqa: S101 - is_competent says so
            raise RefusedError(
                _(
                    "In this jurisdiction %(step)s is taken by the competent authority "
                    "(%(who)s): send it an identification request."
                )
                % {"step": step.name, "who": authority.describe(step.authority)}
            )
        change = _record_move(
            actor,
            current,
            target,
            move,
            jurisdiction=jurisdiction,
            decided_on=decided_on,
            basis=basis,
            chosen=list(screenings),
        )
    case.refresh_from_db()
    return change


def _record_move(
    actor: User,
    current: Case,
    target: str,
    move: Move,
    *,
    jurisdiction: jurisdictions.Jurisdiction,
    decided_on: dt.date,
    basis: str,
    chosen: list[Screening],
) -> IdentificationChange:
    """The move on the locked case, by the actor's organisation (the case's own, or the
    competent authority answering a request): checks, status, deadlines, history, the
    case's audit row (in the case organisation's trail) and its team told."""
    roles = allowed_roles(jurisdiction, move)
    if not roles & {str(r) for r in actor.role_list}:
        raise RefusedError(_("Your role may not take this step in this jurisdiction."))
    if decided_on > timezone.localdate():
        raise RefusedError(_("The date cannot be in the future."))
    if move in DECISIONS and not basis.strip():
        raise RefusedError(_("Say on what basis the decision was taken."))
    if (
        move is Move.FINAL_DECISION
        and current.final_decision_earliest
        and decided_on < current.final_decision_earliest
    ):
        raise RefusedError(
            _("In this jurisdiction the final decision can be taken from %(date)s.")
            % {"date": current.final_decision_earliest.isoformat()}
        )
    if not all(_belongs(s, current) for s in chosen):
        raise RefusedError(_("A decision can only rely on screenings of this case."))
    if any(s.status != ScreeningStatus.COMPLETED for s in chosen):
        raise RefusedError(_("A decision can only rely on completed screenings."))
    last = current.identification.order_by("-decided_on").first()
    if last is not None and decided_on < last.decided_on:
        raise RefusedError(
            _("The date cannot be before the step it follows (%(date)s).")
            % {"date": last.decided_on.isoformat()}
        )
    previous = current.identification_status
    current.identification_status = target
    htcds = HTCDS_STATUS[S(target)]
    changed = ["identification_status"]
    if htcds is not None and current.trafficking_status != htcds:
        current.trafficking_status = htcds
        changed.append("trafficking_status")
    changed += _set_deadlines(current, jurisdiction, move, decided_on)
    current.version += 1
    current.updated_at = timezone.now()
    current.save()
    org_type = (
        DecisionOrganisation.COURT
        if move is Move.COURT
        else decision_organisation(actor.organisation.org_type)
    )
    change = IdentificationChange.objects.create(
        case=current,
        move=move.value,
        from_status=previous,
        to_status=target,
        decision_name=step_name(jurisdiction, move),
        decided_on=decided_on,
        decided_by=actor,
        decided_by_organisation=actor.organisation,
        decision_organisation_type=org_type if move in DECISIONS else "",
        basis=basis.strip(),
    )
    change.screenings.set(chosen)
    record(
        actor=actor,
        action=Action.IDENTIFICATION_CHANGE,
        organisation=current.organisation,
        object_type="case",
        object_ref=current.reference,
        changed_fields=sorted(changed + (["basis"] if basis.strip() else [])),
    )
    record_event(actor, current, EventKind.IDENTIFICATION, target)
    return change


def decide_request(
    actor: User,
    request: Referral,
    target: str,
    *,
    decided_on: dt.date,
    basis: str,
    expected_version: int,
) -> IdentificationChange:
    """The competent authority answers an identification request with its decision: the
    same table and checks as a decision on one's own case, applied to the requesting
    organisation's case, which the authority never sees. The request is completed, both
    organisations' audit trails show it, and the case team is told."""
    if not can(actor, Capability.IDENTIFICATION_REQUESTS):
        raise RefusedError(_("Your role may not decide identification requests."))
    if request.case_id is None:  # a request always comes from a case: nothing to decide
        raise RefusedError(_("Only the authority this request was sent to can decide it."))
    with transaction.atomic():
        # The case first, then the request: the order every change of a referral locks in.
        current = (
            Case.objects.select_for_update(no_key=True, of=("self",))
            .select_related("organisation")
            .filter(pk=request.case_id)
            .first()
        )
        mine = Referral.objects.select_for_update().filter(
            pk=request.pk,
            purpose=Purpose.IDENTIFICATION,
            direction=Direction.OUTGOING,
            recipient_organisation_id=actor.organisation_id,
        )
        locked = mine.first()
        if current is None or locked is None:
            raise RefusedError(_("Only the authority this request was sent to can decide it."))
        if locked.version != expected_version:
            raise ConcurrentEditError
        if not locked.is_open:
            raise RefusedError(_("This request is already closed."))
        if current.is_closed:
            raise RefusedError(_("The requesting organisation has closed this case."))
        move = _refuse_move(current, target)
        waiting = authority.pending(current)
        if waiting is None or move not in authority.ANSWERS[waiting[0]]:
            raise RefusedError(_("Answer the request with the formal decision it asks for."))
        jurisdiction = jurisdictions.get(current.jurisdiction)
        step = waiting[1]
        if step.authority is None or not authority.is_competent(step, actor.organisation):
            raise RefusedError(
                _("Your organisation is not the competent authority for this decision.")
            )
        shared = DataCategory.SCREENING in visible_categories(locked, timezone.now())
        relied_on = list(_completed_screenings(current)) if shared else []
        change = _record_move(
            actor,
            current,
            target,
            move,
            jurisdiction=jurisdiction,
            decided_on=decided_on,
            basis=basis,
            chosen=relied_on,
        )
        locked.status = ReferralStatus.COMPLETED
        locked.responded_at = locked.responded_at or timezone.now()
        locked.responded_by = locked.responded_by or actor
        locked.completed_at = timezone.now()
        locked.version += 1
        locked.save()
        for organisation in (actor.organisation, current.organisation):
            record(
                actor=actor,
                action=Action.IDENTIFICATION_DECIDED,
                organisation=organisation,
                object_type="referral",
                object_ref=locked.reference,
                changed_fields=["status", "identification_status"],
            )
    request.refresh_from_db()
    return change


def _completed_screenings(case: Case) -> Iterable[Screening]:
    """The screenings an identification request carries (as its packet does)."""
    return Screening.objects.filter(
        organisation_id=case.organisation_id, status=ScreeningStatus.COMPLETED
    ).filter(Q(case=case) | Q(case__isnull=True, person_id=case.person_id))
