"""Schemathesis against the API's own OpenAPI document, in process (WSGI).

Every operation is called with generated input, valid and not, as organisation A's
supervisor (who may reach everything the API offers) and as organisation B's. Every
answer must pass Schemathesis's checks (no server error, status, content type, headers
and body as the document says, 401 without a token) and, as B, must never carry any of
A's references or names: each generated call that names a record is sent again with
one of A's references in its place, and must answer 404 (or refuse the input).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from haven.accounts.roles import Role
from haven.api import tokens
from haven.api.v1 import api
from tests.personas import World, build_world

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()

EXAMPLES = 25


def _secret(world: World, org: str) -> str:
    user = world.user(org, Role.SUPERVISOR)
    return tokens.create_personal(
        user, name="schemathesis", scopes=tokens.grantable_scopes(user), days=1
    )[1]


def _secrets_of_a(world: World) -> list[str]:
    """Strings that only A's records hold: B must never see one."""
    return [
        world.people["A"].reference,
        world.cases["A"].reference,
        world.screenings["A"].reference,
        world.referrals["A"].reference,
        "Fixture Person A",
    ]


@pytest.fixture
def personas(db: None) -> Iterator[tuple[World, dict[str, str]]]:
    world = build_world()
    # Calls go straight to the WSGI application, whose request signals would close the
    # test's database connection (and its transaction) on PostgreSQL; Django's own test
    # client keeps it open the same way.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield world, {org: _secret(world, org) for org in ("A", "B")}
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def _leaks(world: World, response: Any) -> list[str]:
    body = response.text
    # A's referral goes to B: B receives it, and may see its reference in its own lists.
    allowed = {world.referrals["A"].reference}
    return [s for s in _secrets_of_a(world) if s in body and s not in allowed]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@override_settings(HAVEN_API_RATE=100_000, HAVEN_API_PUBLIC_RATE=100_000)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_its_document_and_its_organisations_apart(
    case: Any, personas: tuple[World, dict[str, str]]
) -> None:
    world, secrets = personas
    # A period that ends before it starts is refused (422), which a JSON Schema cannot
    # say; every other schema-valid call must be accepted.
    excluded = [positive_data_acceptance] if case.path == "/api/v1/statistics/" else []
    for org in ("A", "B"):
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {secrets[org]}"}, excluded_checks=excluded
        )
        assert response.status_code < 500
        if org == "B":
            assert _leaks(world, response) == [], (case.path, response.text[:300])
    if "reference" in (case.path_parameters or {}) and case.method == case.operation.method.upper():
        # As B for certain, and checked here: a generated case may test missing or
        # broken credentials, which Schemathesis checked above.
        case.headers = {
            **{k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"},
            "Authorization": f"Bearer {secrets['B']}",
        }
        for reference in _secrets_of_a(world)[:3]:
            case.path_parameters["reference"] = reference
            response = case.call()
            assert response.status_code in (400, 404, 409, 422), (
                case.path,
                response.status_code,
            )
            assert _leaks(world, response) == [], json.loads(response.text)
