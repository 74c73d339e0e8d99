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
from haven.people.actions import create_person
from haven.people.models import Person
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

    def user(self, org: str, role: Role) -> User:
        return self.users[(org, role)]


def build_world() -> World:
    world = World()
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
                "child_rules": False,
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
    return world


class HavenTestCase(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()

    def client_for(self, org: str, role: Role) -> Client:
        client = Client()
        client.force_login(self.world.user(org, role))
        return client
