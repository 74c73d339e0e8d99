"""The receiving side of a referral: who hears of it, who handles it, and the case it opens.

- An incoming referral notifies the receiving organisation's case workers, supervisors and
  coordinators; a revocation or a withdrawal of consent that takes something away from a
  packet notifies them too (`notify_receivers`).
- A coordinator or supervisor routes an incoming referral to a colleague who can answer it
  (`route`); coordinators see who sent what for which service, never the packet itself.
- An accepted referral opens a case at the receiving organisation (`open_case`), for a
  person pre-filled from what the packet holds under live consent (`prefill`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pycountry
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.accounts.roles import Capability, can
from haven.audit.chain import record
from haven.audit.models import Action
from haven.cases import actions as case_actions
from haven.cases.models import CLOSED_STATUSES, Case, EventKind, NoticeKind, Notification
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.core.reference import COMMON_LANGUAGES, Gender
from haven.people.access import people_for
from haven.people.actions import create_person
from haven.referrals.models import DataCategory, Direction, Purpose, Referral, ReferralStatus

if TYPE_CHECKING:
    from haven.people.models import Person

# Who at the receiving organisation hears of an incoming referral.
RECEIVING_CAPABILITIES = (Capability.REFERRAL_RECEIVE, Capability.REFERRAL_ROUTE)


def active_users(organisation_id: int, *capabilities: Capability) -> list[User]:
    """The organisation's active users whose roles grant one of `capabilities`."""
    users = User.objects.filter(organisation_id=organisation_id, is_active=True)
    return [u for u in users if any(can(u, c) for c in capabilities)]


def receivers(organisation_id: int) -> list[User]:
    """The active users of the organisation who answer or route incoming referrals."""
    return active_users(organisation_id, *RECEIVING_CAPABILITIES)


def receivers_of(referral: Referral) -> list[User]:
    """Who at the receiving organisation hears of this referral: for an identification
    request, those who work the authority's queue; else those who answer or route."""
    if referral.recipient_organisation_id is None:
        return []
    if referral.purpose == Purpose.IDENTIFICATION:
        return active_users(referral.recipient_organisation_id, Capability.IDENTIFICATION_REQUESTS)
    return receivers(referral.recipient_organisation_id)


def notify_receivers(referral: Referral, kind: str, actor: User | None) -> int:
    """Tell the receiving organisation. Inside the caller's transaction, so the notice and
    the change stand or fall together. Nothing for a recipient outside this Haven."""
    told = [
        Notification(user=user, referral=referral, kind=kind)
        for user in receivers_of(referral)
        if actor is None or user.pk != actor.pk
    ]
    Notification.objects.bulk_create(told)
    return len(told)


def routable_for(user: User) -> QuerySet[Referral]:
    """Incoming referrals the user may see the header of and pass to a colleague."""
    if not can(user, Capability.REFERRAL_ROUTE):
        return Referral.objects.none()
    # Identification requests go to the authority's own queue, not to routing.
    return (
        Referral.objects.filter(recipient_organisation_id=user.organisation_id)
        .exclude(purpose=Purpose.IDENTIFICATION)
        .select_related("sender_organisation", "handled_by")
    )


def handlers(organisation_id: int) -> list[User]:
    """Who an incoming referral can be routed to: those who may read and answer it."""
    return active_users(organisation_id, Capability.REFERRAL_RECEIVE)


def route(actor: User, referral: Referral, colleague: User, *, expected_version: int) -> None:
    """Pass an incoming referral to a colleague who can answer it; they are notified."""
    if not can(actor, Capability.REFERRAL_ROUTE):
        raise RefusedError(_("Your role may not route incoming referrals."))
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.recipient_organisation_id != actor.organisation_id:
            raise RefusedError(_("Only the organisation this referral was sent to can route it."))
        if current.version != expected_version:
            raise ConcurrentEditError
        if not current.is_open:
            raise RefusedError(_("This referral is already closed."))
        if not (
            colleague.is_active
            and colleague.organisation_id == actor.organisation_id
            and can(colleague, Capability.REFERRAL_RECEIVE)
        ):
            raise RefusedError(
                _("Route it to an active colleague of your organisation who answers referrals.")
            )
        current.handled_by = colleague
        current.version += 1
        current.save(update_fields=["handled_by", "version"])
        record(
            actor=actor,
            action=Action.REFERRAL_ROUTE,
            object_type="referral",
            object_ref=current.reference,
            changed_fields=["handled_by"],
        )
        if colleague.pk != actor.pk:
            Notification.objects.create(
                user=colleague, referral=current, kind=NoticeKind.REFERRAL_ROUTED
            )
    referral.refresh_from_db()


def _incoming_rows(referral: Referral, category: str) -> dict[str, list[Any]]:
    """The rows of one section of an imported packet: key -> parts (text or codes)."""
    for section in referral.packet.get("sections", []):
        if isinstance(section, dict) and section.get("category") == category:
            rows = section.get("rows", [])
            return {
                str(row[0]): row[1] if isinstance(row[1], list) else [str(row[1])]
                for row in rows
                if isinstance(row, list | tuple) and len(row) == 2
            }
    return {}


def _text(parts: list[Any]) -> str:
    return " ".join(str(p) for p in parts if isinstance(p, str)).strip()


def _codes(parts: list[Any], vocabulary: str, known: Iterable[str]) -> list[str]:
    allowed = set(known)
    return [
        str(p["code"])
        for p in parts
        if isinstance(p, dict) and p.get("set") == vocabulary and p.get("code") in allowed
    ]


def prefill(referral: Referral, categories: list[str]) -> dict[str, Any]:
    """The person-form values that the packet holds under the live `categories`.

    Inside this Haven the sender's record gives exact values (codes, dates); from another
    deployment only the packet's text does, so only what reads back unambiguously."""
    data: dict[str, Any] = {}
    identity = DataCategory.IDENTITY in categories
    contact = DataCategory.CONTACT in categories
    if referral.direction == Direction.OUTGOING and referral.case is not None:
        person = referral.case.person
        if identity:
            data.update(
                full_name=person.full_name,
                given_name=person.given_name,
                family_name=person.family_name,
                aliases="\n".join(person.aliases),
                date_of_birth=person.date_of_birth,
                estimated_age=person.estimated_age,
                age_basis=person.age_basis,
                gender=person.gender,
                citizenship=list(person.citizenship),
                languages=list(person.languages),
            )
        if contact:
            data.update(phone=person.phone, address=person.address)
        return {k: v for k, v in data.items() if v not in ("", [], None)}
    if identity:
        rows = _incoming_rows(referral, DataCategory.IDENTITY)
        data["full_name"] = _text(rows.get("full_name", []))
        other_names = _text(rows.get("other_names", []))
        data["aliases"] = "\n".join(n.strip() for n in other_names.split(","))
        with contextlib.suppress(ValueError):
            data["date_of_birth"] = dt.date.fromisoformat(_text(rows.get("date_of_birth", [])))
        # Codes travel as codes: these read back exactly.
        gender = _codes(rows.get("gender", []), "gender", Gender.values)
        data["gender"] = gender[0] if gender else ""
        countries = [c.alpha_2 for c in pycountry.countries]
        data["citizenship"] = _codes(rows.get("citizenship", []), "country", countries)
        data["languages"] = _codes(rows.get("languages", []), "language", COMMON_LANGUAGES)
    if contact:
        rows = _incoming_rows(referral, DataCategory.CONTACT)
        data.update(phone=_text(rows.get("phone", [])), address=_text(rows.get("address", [])))
    return {k: v for k, v in data.items() if v not in ("", [], None)}


def may_open_case(user: User, referral: Referral) -> bool:
    """Whether the page offers to open a case: `open_case` decides."""
    return (
        can(user, Capability.CASE_CREATE)
        and can(user, Capability.REFERRAL_RECEIVE)
        and referral.recipient_organisation_id == user.organisation_id
        and referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED)
        and referral.receiver_case_id is None
    )


def open_case(actor: User, referral: Referral, person: Person) -> tuple[Case, bool]:
    """The receiving organisation takes the person on: the referral's case at this end.

    For an accepted referral addressed to the actor's organisation, for a person of that
    organisation the actor may see. When the person already has an active case here, the
    referral joins it rather than opening a second; the bool says whether a case was opened.
    """
    if not (can(actor, Capability.CASE_CREATE) and can(actor, Capability.REFERRAL_RECEIVE)):
        raise RefusedError(_("Your role may not open cases from referrals."))
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.recipient_organisation_id != actor.organisation_id:
            raise RefusedError(_("Only the organisation this referral was sent to can answer it."))
        if current.status not in (ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED):
            raise RefusedError(_("Accept the referral before opening a case for it."))
        if current.receiver_case_id is not None:
            raise RefusedError(_("This referral already has its case here."))
        if not people_for(actor, Capability.PERSON_VIEW).filter(pk=person.pk).exists():
            raise RefusedError(
                _("A case is opened by the organisation that holds the person record.")
            )
        existing = (
            Case.objects.filter(person=person, organisation_id=actor.organisation_id)
            .exclude(status__in=CLOSED_STATUSES)
            .order_by("-opened_on", "-pk")
            .first()
        )
        if existing is not None:
            case, opened = existing, False
        else:
            case = case_actions.open_case(
                actor,
                person,
                assigned_to=case_actions.default_assignee(actor),
                opened_on=timezone.localdate(),
                summary=current.details,
                # Checked just above: the person has no active case here.
                confirmed_second_case=True,
            )
            opened = True
        current.receiver_case = case
        current.version += 1
        current.save(update_fields=["receiver_case", "version"])
        record(
            actor=actor,
            action=Action.REFERRAL_CASE,
            object_type="referral",
            object_ref=current.reference,
            changed_fields=["receiver_case"],
        )
        case_actions.record_event(actor, case, EventKind.REFERRED_IN, current.purpose)
    referral.refresh_from_db()
    return case, opened


def take_on(
    actor: User,
    referral: Referral,
    person_data: Mapping[str, Any],
    *,
    confirmed_not_duplicate: bool = False,
) -> tuple[Case, bool]:
    """Record the referred person and open the referral's case, together or not at all.
    Raises `PossibleDuplicateError` (nothing saved) as `create_person` does."""
    with transaction.atomic():
        person = create_person(actor, person_data, confirmed_not_duplicate=confirmed_not_duplicate)
        return open_case(actor, referral, person)
