"""Fictional hotline data for `haven demo`: a hotline organisation, its operator,
supervisor and outreach worker, about three months of calls (more of them during a
fictional campaign), an SOS waiting for the supervisor, and two leads from tips."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from haven.accounts.actions import ensure_organisation
from haven.accounts.models import Organisation, OrganisationType, User
from haven.accounts.roles import Role
from haven.hotline import actions
from haven.hotline.choices import CallerType, CallOutcome, Channel, LeadSource, Topic
from haven.hotline.models import Call

NAME = "Demo Hotline (DEMO, fictional)"
LOGINS = {
    Role.HOTLINE_OPERATOR: "hotline-operator",
    Role.SUPERVISOR: "hotline-supervisor",
    Role.CASE_WORKER: "hotline-outreach",
}
DAYS = 90
# A fictional campaign 40 to 25 days ago: calls rise while it runs.
CAMPAIGN = (40, 25)
TOPICS = [
    (Topic.SAFE_MIGRATION, 5),
    (Topic.JOB_OFFER, 4),
    (Topic.TIP, 2),
    (Topic.OTHER, 2),
]
ADVICE = {
    Topic.SAFE_MIGRATION: ["safe_migration", "documents", "help_at_destination"],
    Topic.JOB_OFFER: ["job_offer", "fees"],
    Topic.TIP: ["documents"],
    Topic.OTHER: [],
}
REGIONS = ["KH-12", "KH-3", "KH-1", "KH-22", "KH-2", "KH-13", ""]

MakeUser = Callable[[Organisation, str, Role, list[str]], User]


def seed(make_user: MakeUser) -> list[tuple[str, User]]:
    """Load the demo hotline once; return (organisation name, user) rows for the logins."""
    org, _created = ensure_organisation(
        actor=None, name=NAME, org_type=OrganisationType.HOTLINE, country="KH"
    )
    users = {role: make_user(org, login, role, []) for role, login in LOGINS.items()}
    if not Call.objects.filter(organisation=org).exists():
        _calls(users[Role.HOTLINE_OPERATOR])
        _sos_and_leads(users)
    return [(org.name, users[role]) for role in LOGINS]


def _calls(operator: User) -> None:
    pick = random.Random(14)  # noqa: S311 - fictional data, not security
    now = timezone.now()
    topics = [topic for topic, weight in TOPICS for _ in range(weight)]
    for days_ago in range(DAYS, 0, -1):
        in_campaign = CAMPAIGN[1] <= days_ago <= CAMPAIGN[0]
        for _ in range(pick.randint(4, 9) if in_campaign else pick.randint(0, 4)):
            topic = pick.choice(topics)
            region = pick.choice(REGIONS)
            outcome = pick.choice(
                [CallOutcome.ADVICE_ONLY] * 4 + [CallOutcome.REFERRAL, CallOutcome.PASSED_ON]
            )
            actions.log_call(
                operator,
                channel=pick.choice(list(Channel.values)),
                caller_type=pick.choice(list(CallerType.values)),
                topic=topic,
                language=pick.choice(["km", "km", "th", "en"]),
                outcome=outcome,
                country="KH" if region else "",
                region=region,
                advice=ADVICE[topic],
                caller_consent=outcome == CallOutcome.PASSED_ON,
                notes="Fictional demo call.",
                received_at=now - dt.timedelta(days=days_ago, minutes=pick.randint(0, 600)),
            )


def _sos_and_leads(users: dict[Role, User]) -> None:
    operator, supervisor = users[Role.HOTLINE_OPERATOR], users[Role.SUPERVISOR]
    now = timezone.now()
    actions.set_duty(
        supervisor, supervisor=supervisor, starts_at=now, ends_at=now + dt.timedelta(hours=12)
    )
    actions.raise_sos(
        operator,
        where="Fictional: the blue warehouse behind the demo market",
        who="Fictional: two young women",
        danger="Fictional: locked in, phones taken",
        country="KH",
        region="KH-12",
        language="km",
    )
    call = actions.log_call(
        operator,
        channel=Channel.PHONE,
        caller_type=CallerType.FAMILY_MEMBER,
        topic=Topic.TIP,
        language="km",
        outcome=CallOutcome.ADVICE_ONLY,
        country="KH",
        region="KH-3",
        notes="Fictional demo tip.",
    )
    actions.open_lead(
        operator,
        source=LeadSource.HOTLINE,
        country="KH",
        region="KH-3",
        district="",
        sector="A_AgricultureForestryAndFishing",
        summary="Fictional: a cousin says workers on a demo fishing boat never come ashore.",
        call=call,
    )
    second = actions.open_lead(
        operator,
        source=LeadSource.HOTLINE,
        country="KH",
        region="KH-12",
        district="",
        sector="F_Construction",
        summary="Fictional: a neighbour sees workers locked in a demo building site at night.",
    )
    actions.assign_lead(
        supervisor, second, worker=users[Role.CASE_WORKER], expected_version=second.version
    )
