"""Domain actions on screenings. Each runs in one transaction and writes its audit row."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.roles import Capability
from haven.audit.chain import record
from haven.audit.models import Action
from haven.cases.actions import closed_case_message, refuse_future
from haven.cases.children import SAFEGUARD_FIELDS, Gate, child_by, refuse_missing
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.core.pseudonyms import SCREENING_PREFIX, create_with_reference
from haven.screening import engine
from haven.screening.access import screenings_for
from haven.screening.models import Screening, ScreeningStatus

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.cases.models import Case
    from haven.people.models import Person


class ScreeningClosedError(RefusedError):
    """A completed screening is an immutable snapshot: start a new one instead."""

    def __init__(self) -> None:
        super().__init__(
            _("This screening is completed and can no longer change: screen again instead.")
        )


def _locked(screening: Screening, expected_version: int | None) -> Screening:
    current = Screening.objects.select_for_update().get(pk=screening.pk)
    if current.is_completed:
        raise ScreeningClosedError
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError
    return current


def _save(actor: User, current: Screening, action: str, changed: list[str]) -> None:
    current.version += 1
    current.updated_at = timezone.now()
    current.save()
    record(
        actor=actor,
        action=action,
        object_type="screening",
        object_ref=current.reference,
        changed_fields=changed,
    )


def start_screening(
    actor: User,
    *,
    readiness: Mapping[str, Any],
    person: Person | None = None,
    case: Case | None = None,
) -> Screening:
    """Open a screening after the readiness checklist; an urgent medical need suspends it.

    A screening done from a case belongs to that case, which must be open.

    A re-screening of a person (or case) starts from the latest completed screening of it
    that the screener may see in their own organisation: its answers and profile are kept
    beside the new screening to be confirmed with the person, who is then not asked again
    what they already said. They become answers only when the screener saves a page.
    """
    suspended = bool(readiness.get("medical_urgent"))
    if case is not None and case.is_closed:
        raise RefusedError(closed_case_message())

    def create(reference: str) -> Screening:
        previous = _previous_screening(actor, person, case)
        screening = Screening.objects.create(
            reference=reference,
            organisation=actor.organisation,
            created_by=actor,
            person=person,
            case=case,
            readiness=dict(readiness),
            status=ScreeningStatus.SUSPENDED if suspended else ScreeningStatus.IN_PROGRESS,
            previous_reference=previous.reference if previous else "",
            previous_completed_at=previous.completed_at if previous else None,
            previous_answers=dict(previous.answers) if previous else {},
            previous_profile=dict(previous.profile) if previous else {},
        )
        changed = sorted(readiness)
        if previous is not None:
            changed += ["previous_answers", "previous_profile", "previous_reference"]
        record(
            actor=actor,
            action=Action.SCREENING_START,
            object_type="screening",
            object_ref=screening.reference,
            changed_fields=changed,
        )
        return screening

    return create_with_reference(SCREENING_PREFIX, create)


def start_answered(
    actor: User,
    *,
    readiness: Mapping[str, Any],
    profile: Mapping[str, Any],
    answers: Mapping[str, str],
    person: Person | None = None,
) -> Screening:
    """A screening whose answers were all given at once (through the API, or offline with
    the XLSForm): the same steps as the interview, one transaction. It stays in progress
    for the screener to complete with their own judgement."""
    with transaction.atomic():
        screening = start_screening(actor, readiness=readiness, person=person)
        set_profile(actor, screening, profile, expected_version=screening.version)
        record_answers(actor, screening, None, answers, {}, expected_version=screening.version)
    screening.refresh_from_db()
    return screening


def _previous_screening(actor: User, person: Person | None, case: Case | None) -> Screening | None:
    """The latest completed screening of this person (or case) the actor may already see.

    Scoped like every lookup: only the actor's own organisation, and only screenings their
    role lets them read, so a re-screening never shows answers they could not open anyway.
    """
    if person is not None:
        about = Q(person=person)
    elif case is not None:
        about = Q(case=case)
    else:
        return None
    return (
        screenings_for(actor, Capability.SCREENING_VIEW)
        .filter(about, organisation=actor.organisation, status=ScreeningStatus.COMPLETED)
        .order_by("-completed_at", "-created_at")
        .first()
    )


def set_profile(
    actor: User, screening: Screening, profile: Mapping[str, Any], *, expected_version: int
) -> None:
    with transaction.atomic():
        current = _locked(screening, expected_version)
        current.profile = dict(profile)
        current.interview_language = str(profile.get("interview_language", "en"))
        _save(actor, current, Action.SCREENING_ANSWER, ["profile"])
    screening.refresh_from_db()


def record_answers(
    actor: User,
    screening: Screening,
    topic: str | None,
    answers: Mapping[str, str],
    notes: Mapping[str, str],
    *,
    expected_version: int,
    explore: Iterable[str] = (),
) -> bool:
    """Save one screen's answers (a topic, the quick screening or follow-ups) and move on.

    `explore` names the "don't know" answers on this screen that the screener marked as
    worth exploring. Returns True when a newly reported urgent medical need suspended it.
    """
    with transaction.atomic():
        current = _locked(screening, expected_version)
        before = dict(current.answers)
        merged = {**current.answers}
        for ident, answer in answers.items():
            if answer:
                merged[ident] = answer
            else:
                merged.pop(ident, None)
        current.answers = merged
        current.notes = {
            **{k: v for k, v in current.notes.items() if k not in notes},
            **{k: v for k, v in notes.items() if v},
        }
        marked = {i for i in explore if merged.get(i) == "unknown"}
        explore_before = list(current.explore)
        current.explore = sorted({i for i in current.explore if i not in answers} | marked)
        if topic is not None:
            position = engine.TOPIC_ORDER.index(topic)
            current.topic_index = max(current.topic_index, position + 1)
        # Suspend when an urgent medical need is newly reported, not on every later save.
        suspended = any(
            answers.get(i) == "yes" and before.get(i) != "yes"
            for i in engine.medical_indicator_ids()
        )
        changed = ["answers", "notes"] if any(notes.values()) else ["answers"]
        if current.explore != explore_before:
            changed.append("explore")
        if suspended:
            current.status = ScreeningStatus.SUSPENDED
            changed.append("status")
        _save(actor, current, Action.SCREENING_ANSWER, changed)
    screening.refresh_from_db()
    return suspended


def resume(actor: User, screening: Screening, *, expected_version: int) -> None:
    """Continue after a suspension, when the person is well and willing."""
    with transaction.atomic():
        current = _locked(screening, expected_version)
        current.status = ScreeningStatus.IN_PROGRESS
        _save(actor, current, Action.SCREENING_RESUME, ["status"])
    screening.refresh_from_db()


def _child_safeguards(current: Screening, safeguards: Mapping[str, Any]) -> list[str]:
    """A child's screening is completed only with the child's safeguards on record: the
    case's own when it belongs to one, else those given here, kept on the screening.
    Returns the names of the fields set on the screening."""
    if not child_by(current):
        return []
    if current.case is not None:
        refuse_missing(current.case, Gate.SCREENING_COMPLETE)
        return []
    refuse_future(safeguards.get("best_interests_assessed_on"))
    changed = []
    for name in SAFEGUARD_FIELDS:
        value = safeguards.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value not in ("", None, False):
            setattr(current, name, value)
            changed.append(name)
    refuse_missing(current, Gate.SCREENING_COMPLETE)
    return changed


def complete(
    actor: User,
    screening: Screening,
    *,
    judgement: str,
    reason: str,
    expected_version: int,
    safeguards: Mapping[str, Any] | None = None,
) -> None:
    """Freeze the engine's result, the ruleset version and the screener's own judgement.

    A child's screening (`haven.cases.children.child_by`) is refused until the child's
    safeguards are recorded: on its case, or (with no case) in `safeguards` (guardian or
    why none could be appointed yet, best-interests assessment date, the child's assent).
    """
    with transaction.atomic():
        current = _locked(screening, expected_version)
        recorded = _child_safeguards(current, safeguards or {})
        result = engine.evaluate(
            current.profile, current.answers, current.interview_language, current.explore
        )
        if judgement != result.outcome and not reason.strip():
            raise RefusedError(
                _(
                    "You disagree with the suggested result: say why. Your reason is kept "
                    "with the screening."
                )
            )
        current.result = engine.snapshot(result)
        current.outcome = result.outcome
        current.ruleset_version = result.ruleset
        current.judgement = judgement
        current.judgement_reason = reason.strip()
        current.status = ScreeningStatus.COMPLETED
        current.completed_at = timezone.now()
        changed = ["result", "outcome", "judgement", "status"]
        if reason.strip():
            changed.append("judgement_reason")
        changed += recorded
        _save(actor, current, Action.SCREENING_COMPLETE, changed)
    screening.refresh_from_db()


def attach_to_person(actor: User, screening: Screening, person: Person, case: Case | None) -> None:
    """Link an anonymous screening to the person it was about (allowed after completion),
    and to one of their open cases when given."""
    if person.organisation_id != screening.organisation_id:
        raise RefusedError(_("A screening can only be attached to a person of its organisation."))
    if case is not None and case.person_id != person.pk:
        raise RefusedError(_("That case is about someone else."))
    if case is not None and case.is_closed:
        raise RefusedError(_("That case is closed: reopen it first, or attach to the person only."))
    with transaction.atomic():
        current = Screening.objects.select_for_update().get(pk=screening.pk)
        current.person = person
        current.case = case
        changed = ["person", "case"] if case else ["person"]
        current.version += 1
        current.save(update_fields=["person", "case", "version"])
        record(
            actor=actor,
            action=Action.SCREENING_ATTACH,
            object_type="screening",
            object_ref=current.reference,
            changed_fields=changed,
        )
    screening.refresh_from_db()


def record_view(actor: User, screening: Screening) -> None:
    with transaction.atomic():
        record(
            actor=actor,
            action=Action.SCREENING_VIEW,
            object_type="screening",
            object_ref=screening.reference,
        )
