"""Demo community reports: a fictional community group with a reporter and a coordinator,
and a few dozen fictional reports over Thai districts and Cambodian provinces. Clustered
so that the map shows some districts above the disclosure threshold and hides the rest."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from haven.accounts.actions import ensure_organisation
from haven.accounts.models import Organisation, OrganisationType, User
from haven.accounts.roles import Role
from haven.cases.choices import Industry
from haven.community import boundaries
from haven.community.actions import record_report
from haven.community.indicators import observable_ids
from haven.community.models import CommunityReport, PeopleSeen

GROUP = "Border Villages Watch (DEMO, fictional community group)"
# (country, district name, how many reports, sectors)
CLUSTERS = [
    ("TH", "Mae Sot", 14, [Industry.A, Industry.C]),
    ("TH", "Mae Sai", 12, [Industry.I, Industry.S]),
    ("TH", "Mueang Samut Sakhon", 6, [Industry.A, Industry.C]),
    ("TH", "Aranyaprathet", 3, [Industry.G]),
    ("TH", "Khlong Yai", 2, [Industry.A]),
    ("KH", "Banteay Mean Choăy", 12, [Industry.F, Industry.J]),
    ("KH", "Preah Sihanouk", 5, [Industry.J, Industry.I]),
    ("KH", "Siem Reab", 2, [Industry.I]),
]
SEEN = [
    "Fictional demo: workers go in before dawn and are driven back after dark.",
    "Fictional demo: a guard stands at the gate; the workers never come to the market.",
    "Fictional demo: young workers sleep in the packing shed behind the building.",
    "Fictional demo: a van brings new people every week; none of them speaks the language.",
    "",
]


def seed(make_user: Callable[[Organisation, str, Role, list[str]], User]) -> list[tuple[str, User]]:
    """The group, its two demo users, and its reports (once). Returns (organisation name,
    user) rows for the demo's list of sign-ins."""
    org, _created = ensure_organisation(
        actor=None, name=GROUP, org_type=OrganisationType.COMMUNITY_GROUP, country="TH"
    )
    reporter = make_user(org, "community-reporter", Role.COMMUNITY_REPORTER, [])
    coordinator = make_user(org, "community-coordinator", Role.COORDINATOR, [])
    if not CommunityReport.objects.filter(organisation=org).exists():
        _reports(reporter)
    return [(org.name, reporter), (org.name, coordinator)]


def _reports(reporter: User) -> None:
    chance = random.Random(14)  # noqa: S311 - demo data, not security
    signs = sorted(observable_ids())
    today = timezone.localdate()
    for country, name, count, sectors in CLUSTERS:
        country_map = boundaries.country_map(country)
        assert country_map is not None  # noqa: S101 - vendored with the code
        place = next(d for d in country_map.districts if d.name == name)
        for _n in range(count):
            record_report(
                reporter,
                observed_on=today - dt.timedelta(days=chance.randint(0, 80)),
                country=country,
                region=place.region,
                district=place.code,
                sector=chance.choice(sectors).value,
                indicators=chance.sample(signs, chance.randint(1, 3)),
                seen=chance.choice(SEEN),
                people_seen=chance.choice(PeopleSeen.values),
            )
