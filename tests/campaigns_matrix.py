"""Authorization matrix entries for the campaigns' URLs (see tests/test_authorization.py).

Supervisors, coordinators and analysts plan their organisation's campaigns; everyone else
is refused, and another organisation's campaign is not found. The information section and
its public materials answer everyone, signed in or not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from haven.accounts.roles import Role
from haven.campaigns import storage
from haven.campaigns.models import Campaign, Indicator, Material, Status
from tests.personas import World

EDITORS = (Role.SUPERVISOR, Role.COORDINATOR, Role.ANALYST)
EVERYONE = dict.fromkeys(Role, 200)
PDF = b"%PDF-1.4\n% a matrix poster\n"


def _campaign(world: World, title: str, status: str = Status.DRAFT) -> Campaign:
    # Fixture rows straight through the ORM: the matrix checks access, not the actions.
    campaign, _created = Campaign.objects.get_or_create(
        organisation=world.orgs["A"],
        title=title,
        defaults={
            "status": status,
            "created_by": world.user("A", Role.COORDINATOR),
            "start_date": dt.date(2026, 1, 1),
            "end_date": dt.date(2026, 2, 1),
            "country": "TH",
            "regions": ["TH-10"],
        },
    )
    return campaign


def _material(world: World, campaign: Campaign, token: str, *, public: bool) -> Material:
    material, _created = Material.objects.get_or_create(
        token=token,
        defaults={
            "campaign": campaign,
            "title": "Matrix poster",
            "language": "en",
            "public": public,
            "kind": "pdf",
            "size": len(PDF),
            "sha256": "0" * 64,
            "uploaded_by": world.user("A", Role.COORDINATOR),
        },
    )
    storage.store(token, PDF)
    return material


def campaign_of_a(world: World) -> dict[str, Any]:
    return {"pk": _campaign(world, "Matrix campaign of A").pk}


def indicator_of_a(world: World) -> dict[str, Any]:
    campaign = _campaign(world, "Matrix campaign of A")
    indicator, _created = Indicator.objects.get_or_create(
        campaign=campaign, kind="reach", defaults={"baseline": 0, "target": 100}
    )
    return {"pk": campaign.pk, "item": indicator.pk}


def material_of_a(world: World) -> dict[str, Any]:
    campaign = _campaign(world, "Matrix campaign of A")
    return {"pk": campaign.pk, "item": _material(world, campaign, "matrix-draft", public=False).pk}


def public_material_of_a(world: World) -> dict[str, Any]:
    campaign = _campaign(world, "Matrix running campaign of A", Status.RUNNING)
    return {"token": _material(world, campaign, "matrix-public", public=True).token}


# A stale form: the action refuses it and the page sends the user back with the message.
STALE_ITEM = {"version": "999", "item": "1"}


def _page(kwargs: Any = campaign_of_a) -> dict[str, Any]:
    return {
        "method": "GET",
        "allowed": dict.fromkeys(EDITORS, 200),
        "kwargs": kwargs,
        "record_bound": True,
    }


def _stale_post(data: dict[str, str]) -> dict[str, Any]:
    return {
        "method": "POST",
        "allowed": dict.fromkeys(EDITORS, 302),
        "kwargs": campaign_of_a,
        "data": data,
        "record_bound": True,
    }


CAMPAIGNS_MATRIX: dict[str, dict[str, Any]] = {
    "campaigns:list": {"method": "GET", "allowed": dict.fromkeys(EDITORS, 200)},
    "campaigns:new": {"method": "GET", "allowed": dict.fromkeys(EDITORS, 200)},
    "campaigns:detail": _page(),
    "campaigns:basics": _page(),
    "campaigns:getting_started": _page(),
    "campaigns:objectives": _page(),
    "campaigns:objective_remove": _stale_post(STALE_ITEM),
    "campaigns:audience": _page(),
    "campaigns:messages": _page(),
    "campaigns:message_approve": _stale_post(STALE_ITEM),
    "campaigns:dissemination": _page(),
    "campaigns:monitoring": _page(),
    "campaigns:indicator_value": _page(indicator_of_a),
    "campaigns:findings": _page(),
    "campaigns:start": _stale_post({"version": "999"}),
    "campaigns:end": _page(),
    "campaigns:materials": _page(),
    "campaigns:material_delete": _stale_post(STALE_ITEM),
    "campaigns:material_file": _page(material_of_a),
    "campaigns:calls": _page(),
    "campaigns:calls_svg": _page(),
    "campaigns:information": {"method": "GET", "allowed": EVERYONE, "anonymous": 200},
    "campaigns:public_material": {
        "method": "GET",
        "allowed": EVERYONE,
        "kwargs": public_material_of_a,
        "anonymous": 200,
    },
}
