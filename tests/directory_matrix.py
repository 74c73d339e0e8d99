"""Authorization matrix entries for the directory's URLs (see tests/test_authorization.py).

The public directory answers everyone, signed in or not. Staff pages: organisation
admins keep their own organisation's entry, the directory steward keeps the whole
directory (most providers do not run Haven), system admins keep none of it, and the
provider's own staff update its free places.
"""

from __future__ import annotations

from typing import Any

from haven.accounts.models import OrganisationType
from haven.accounts.roles import Role
from haven.directory.models import DirectoryService, Provider
from tests.personas import World

EVERYONE = dict.fromkeys(Role, 200)
# Not linked to any organisation: only the directory steward keeps it; an organisation
# admin of either organisation is told it does not exist; a system admin is refused.
KEPT_BY_THE_STEWARD = {Role.DIRECTORY_STEWARD: 200, Role.ORG_ADMIN: 404}
AVAILABILITY = {Role.CASE_WORKER: 200, Role.SUPERVISOR: 200, Role.ORG_ADMIN: 200}


def _provider(name: str, organisation: Any) -> Provider:
    # Fixture rows straight through the ORM: the matrix checks access, not the actions.
    provider, _created = Provider.objects.get_or_create(
        name=name,
        defaults={
            "organisation": organisation,
            "org_type": OrganisationType.NGO,
            "country": "TH",
            "languages": ["th", "en"],
        },
    )
    return provider


def _service(provider: Provider) -> DirectoryService:
    service, _created = DirectoryService.objects.get_or_create(
        provider=provider, kind="accommodation", defaults={"capacity": 10, "available": 2}
    )
    return service


def unlinked_provider(world: World) -> dict[str, Any]:
    return {"pk": _provider("Matrix provider outside Haven", None).pk}


def unlinked_service(world: World) -> dict[str, Any]:
    return {"pk": _service(_provider("Matrix provider outside Haven", None)).pk}


def service_of_a(world: World) -> dict[str, Any]:
    return {"pk": _service(_provider("Matrix provider of A", world.orgs["A"])).pk}


DIRECTORY_MATRIX: dict[str, dict[str, Any]] = {
    "directory:public": {"method": "GET", "allowed": EVERYONE, "anonymous": 200},
    "directory:public_provider": {
        "method": "GET",
        "allowed": EVERYONE,
        "kwargs": unlinked_provider,
        "anonymous": 200,
    },
    "directory:public_pdf": {"method": "GET", "allowed": EVERYONE, "anonymous": 200},
    "directory:manage": {
        "method": "GET",
        "allowed": {
            Role.CASE_WORKER: 200,
            Role.SUPERVISOR: 200,
            Role.ORG_ADMIN: 200,
            Role.DIRECTORY_STEWARD: 200,
        },
    },
    "directory:provider_add": {
        "method": "GET",
        "allowed": {Role.ORG_ADMIN: 200, Role.DIRECTORY_STEWARD: 200},
    },
    "directory:provider_edit": {
        "method": "GET",
        "allowed": KEPT_BY_THE_STEWARD,
        "kwargs": unlinked_provider,
    },
    "directory:service_add": {
        "method": "GET",
        "allowed": KEPT_BY_THE_STEWARD,
        "kwargs": unlinked_provider,
    },
    "directory:service_edit": {
        "method": "GET",
        "allowed": KEPT_BY_THE_STEWARD,
        "kwargs": unlinked_service,
    },
    # Free places of organisation A's own service: A's staff only, B's are told "not found".
    "directory:availability": {
        "method": "GET",
        "allowed": AVAILABILITY,
        "kwargs": service_of_a,
        "record_bound": True,
    },
}
