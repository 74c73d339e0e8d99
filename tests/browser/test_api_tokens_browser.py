"""A case worker makes an API token on a phone, sees its secret once, uses it, and revokes
it; the API's documentation page works under Haven's content security policy. Screenshots
to look at."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from tests.browser.conftest import PageFactory, SignIn
from tests.browser.test_case_management import DESKTOP, PHONE, assert_fits_phone
from tests.personas import World

pytestmark = pytest.mark.browser


def _cases(live_server: LiveServer, secret: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(  # noqa: S310 - the test's own server
        f"{live_server.url}/api/v1/cases/", headers={"Authorization": f"Bearer {secret}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - test server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_a_case_worker_makes_uses_and_revokes_a_token_on_a_phone(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    page = new_page(viewport=PHONE)
    sign_in(page, world.user("A", Role.CASE_WORKER))
    page.goto(f"{live_server.url}/accounts/security/")
    page.get_by_role("link", name="API tokens").click()

    page.get_by_label("What the token is for").fill("Shelter's case board")
    page.get_by_label("Cases and their records").check()
    page.get_by_role("button", name="Make the token").click()
    secret = page.locator("code.secret").inner_text()
    assert secret.startswith("hvn_")
    expect(page.get_by_text("it is shown only this once")).to_be_visible()
    assert_fits_phone(page)
    page.screenshot(path=artifacts / "api-token-made-phone.png", full_page=True)

    status, body = _cases(live_server, secret)
    assert status == 200
    assert world.cases["A"].reference in json.dumps(body)

    page.reload()
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("The token was revoked: it no longer works.")).to_be_visible()
    expect(page.get_by_role("cell", name="revoked")).to_be_visible()
    page.screenshot(path=artifacts / "api-token-revoked-phone.png", full_page=True)
    assert _cases(live_server, secret)[0] == 401


def test_the_api_documentation_renders_under_the_content_security_policy(
    new_page: PageFactory, live_server: LiveServer, world: World, artifacts: Path
) -> None:
    page = new_page(viewport=DESKTOP)
    refused: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type == "error":
            refused.append(message.text)

    page.on("console", note)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.get_by_role("heading", name="Haven API")).to_be_visible()
    expect(page.get_by_text("/api/v1/screenings/").first).to_be_visible()
    page.screenshot(path=artifacts / "api-documentation.png")
    assert refused == []
