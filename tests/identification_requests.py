"""An identification request in the test world: organisation A (an NGO) presumes a person
on a case under the nrm profile, whose competent authority is law enforcement, and asks
organisation B (the police) for the formal decision."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from haven.accounts.roles import Role
from haven.assistance.models import ServiceKind
from haven.cases.actions import open_case
from haven.cases.models import Case
from haven.directory.models import DirectoryService
from haven.identification.actions import change_status
from haven.identification.status import IdentificationStatus
from haven.people.actions import create_person
from haven.referrals.actions import record_consent, send_referral
from haven.referrals.models import Purpose, Referral
from tests.personas import World, consent_data

SHARED = ["identity", "screening"]


def authority_service(world: World) -> DirectoryService:
    """B's listing of the formal identification decisions it takes."""
    service, _made = DirectoryService.objects.get_or_create(
        provider=world.providers["B"],
        kind=ServiceKind.IDENTIFICATION,
        defaults={"description": "Fixture identification decisions"},
    )
    return service


def presumed_nrm_case(world: World, name: str = "Fixture Person Nrm") -> Case:
    """A new case of A under the nrm profile, presumed today, with consent to share
    identity and screenings with B for formal identification."""
    worker = world.user("A", Role.CASE_WORKER)
    person = create_person(
        worker,
        {"full_name": name, "gender": "Feminine", "citizenship": ["KH"], "languages": ["km"]},
    )
    case = open_case(
        worker,
        person,
        assigned_to=worker,
        opened_on=timezone.localdate() - dt.timedelta(days=3),
        summary="Fixture narrative",
    )
    Case.objects.filter(pk=case.pk).update(jurisdiction="nrm")
    case.refresh_from_db()
    change_status(
        worker,
        case,
        IdentificationStatus.PRESUMED,
        decided_on=timezone.localdate() - dt.timedelta(days=1),
        basis="",
        expected_version=case.version,
    )
    record_consent(
        worker,
        case,
        consent_data(world.providers["B"], purpose=Purpose.IDENTIFICATION, categories=SHARED),
    )
    case.refresh_from_db()
    return case


def send_request(world: World, case: Case, categories: list[str] | None = None) -> Referral:
    return send_referral(
        world.user("A", Role.CASE_WORKER),
        case,
        authority_service(world),
        purpose=Purpose.IDENTIFICATION,
        reason="Other",
        details="Fixture: please take the reasonable grounds decision",
        categories=SHARED if categories is None else categories,
        channel="haven",
    )


def request_by_a(world: World) -> Referral:
    """The test's one request from A to B (made on first use in each test)."""
    found = Referral.objects.filter(
        sender_organisation=world.orgs["A"], purpose=Purpose.IDENTIFICATION
    ).first()
    return found or send_request(world, presumed_nrm_case(world))
