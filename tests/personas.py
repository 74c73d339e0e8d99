"""Named personas: a user of every role in organisation A and in organisation B.

`HavenTestCase` builds them once per test class. Each organisation also holds one person
(recorded by its screener) with one case (assigned to its case worker), so scope rules
have something to bite on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pyotp
from django.test import Client, TestCase

from haven.accounts.actions import create_user, ensure_organisation
from haven.accounts.models import Organisation, OrganisationType, User
from haven.accounts.roles import Role
from haven.assistance.actions import add_objective, record_service, schedule_follow_ups
from haven.assistance.models import FollowUp, Service, SupportObjective
from haven.cases.actions import open_case
from haven.cases.models import Case
from haven.core.management.commands.demo import DEMO_READINESS
from haven.directory.models import DirectoryService, Provider
from haven.people.actions import create_person
from haven.people.models import Person
from haven.referrals.actions import record_consent, send_referral
from haven.referrals.models import Consent, Referral
from haven.screening.actions import set_profile, start_screening
from haven.screening.models import Screening

PASSWORD = "correct horse battery staple"
ORG_KEYS = ("A", "B")
# A readiness checklist with every condition of a safe interview met.
READY = DEMO_READINESS


@dataclass
class World:
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[tuple[str, Role], User] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    screenings: dict[str, Screening] = field(default_factory=dict)
    objectives: dict[str, SupportObjective] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    follow_ups: dict[str, FollowUp] = field(default_factory=dict)
    providers: dict[str, Provider] = field(default_factory=dict)
    services_listed: dict[str, DirectoryService] = field(default_factory=dict)
    consents: dict[str, Consent] = field(default_factory=dict)
    # referrals["A"] goes from A's case to B's service; referrals["B"] the other way.
    referrals: dict[str, Referral] = field(default_factory=dict)

    def user(self, org: str, role: Role) -> User:
        return self.users[(org, role)]


def build_world() -> World:
    world = World()
    # Translators work across the deployment, in the languages on their account.
    TRANSLATES = {"A": ("my", "km"), "B": ("th",)}
    types = {"A": OrganisationType.NGO, "B": OrganisationType.LAW_ENFORCEMENT}
    for key in ORG_KEYS:
        org, _ = ensure_organisation(
            actor=None, name=f"Test organisation {key}", org_type=types[key], country="TH"
        )
        world.orgs[key] = org
        for role in Role:
            world.users[(key, role)] = create_user(
                actor=None,
                organisation_id=org.pk,
                username=f"{key.lower()}-{role.value}",
                password=PASSWORD,
                roles=[role.value],
                totp_secret=pyotp.random_base32(),
                translation_languages=TRANSLATES[key] if role == Role.TRANSLATOR else (),
            )
        person = create_person(
            world.user(key, Role.SCREENER),
            {
                "full_name": f"Fixture Person {key}",
                "gender": "Feminine",
                "estimated_age": "",
                "citizenship": ["TH"],
                "languages": ["th"],
            },
        )
        world.people[key] = person
        world.cases[key] = open_case(
            world.user(key, Role.CASE_WORKER),
            person,
            assigned_to=world.user(key, Role.CASE_WORKER),
            opened_on=dt.date(2026, 1, 5),
            summary="Fixture case notes",
        )
        screener = world.user(key, Role.SCREENER)
        screening = start_screening(screener, readiness=READY, person=person, case=world.cases[key])
        set_profile(
            screener,
            screening,
            {
                "age_at_events": 30,
                "possibly_child": False,
                "exploitation": ["labour"],
                "interview_language": "en",
            },
            expected_version=screening.version,
        )
        world.screenings[key] = screening
        worker, case = world.user(key, Role.CASE_WORKER), world.cases[key]
        world.objectives[key] = add_objective(
            worker,
            case,
            {"stage": "initial", "plan_type": "Health", "objectives": "Fixture objective"},
        )
        world.services[key] = record_service(
            worker,
            case,
            {
                "stage": "initial",
                "kind": "medical",
                "status": "delivered",
                "on": dt.date(2026, 1, 6),
            },
        )
        world.follow_ups[key] = schedule_follow_ups(worker, case, dt.date(2026, 1, 6))[0]
        provider = Provider.objects.create(
            name=f"Fixture shelter {key}", organisation=org, org_type=org.org_type, country="TH"
        )
        world.providers[key] = provider
        world.services_listed[key] = DirectoryService.objects.create(
            provider=provider, kind="accommodation", description="Fixture beds"
        )
    for key, other in (("A", "B"), ("B", "A")):
        worker, case = world.user(key, Role.CASE_WORKER), world.cases[key]
        service = world.services_listed[other]
        world.consents[key] = record_consent(worker, case, consent_data(service.provider))
        world.referrals[key] = send_referral(
            worker,
            case,
            service,
            purpose="assistance",
            reason="AdditionalServicesRequired",
            details="Fixture request",
            categories=["identity", "contact"],
            channel="haven",
        )
    return world


def consent_data(provider: Provider, **changes: object) -> dict[str, object]:
    """A consent to share identity and contact details with `provider`, fully explained."""
    return {
        "recipient_provider_id": provider.pk,
        "recipient_org_type": "",
        "categories": ["identity", "contact"],
        "purpose": "assistance",
        "expires_on": dt.date.today() + dt.timedelta(days=90),
        "method": "written",
        "interpreter_used": False,
        "purpose_explained": True,
        "uses_explained": True,
        "right_to_see_explained": True,
        "storage_explained": True,
        "withdrawal_explained": True,
        "anonymous_research": False,
        **changes,
    }


class HavenTestCase(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()

    def client_for(self, org: str, role: Role) -> Client:
        client = Client()
        client.force_login(self.world.user(org, role))
        return client
