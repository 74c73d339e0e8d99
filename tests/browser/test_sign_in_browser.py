"""Sign-in on django-allauth in headless Chromium, as a person would go through it.

A new account sets up its authenticator at its first sign-in, keeps its recovery codes
(and their printable sheet), and can sign in once with each code; a passkey added on the
security page opens the account through Chromium's virtual authenticator; where the
organisation requires a passkey, an account without one is held on the security page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.sync_api import CDPSession, ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.actions import create_user, has_passkey, set_passkey_requirement
from haven.accounts.models import User
from haven.accounts.roles import Role
from tests.browser.conftest import PageFactory, SignIn, TotpCodes, code_step, password_step
from tests.personas import PASSWORD, World

pytestmark = pytest.mark.browser

RECOVERY_CODE_COUNT = 10
CODE_REFUSED = "That code was not accepted"


def shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=folder / f"{name}.png", full_page=True)


def new_screener(world: World, username: str) -> User:
    """A brand-new account with no second factor yet: it must enrol at its first sign-in."""
    return create_user(
        actor=None,
        organisation_id=world.orgs["A"].pk,
        username=username,
        password=PASSWORD,
        roles=[Role.SCREENER.value],
    )


def enrol(page: Page, base: str, user: User, artifacts: Path, language: str) -> list[str]:
    """First sign-in up to the recovery codes page; return the codes it shows.

    Elements are found by name and type, not by their (translated) labels, so the same
    steps run in every language.
    """
    page.goto(f"{base}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator("input[name=login]").fill(user.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()

    expect(page).to_have_url(f"{base}/accounts/login/enrol/")
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.locator("code.secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    shot(page, artifacts, f"signin-enrol-{language}")
    page.locator("input[name=code]").fill(pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(f"{base}/accounts/login/enrol/codes/")
    codes = page.locator("ol.codes li code")
    expect(codes).to_have_count(RECOVERY_CODE_COUNT)
    shot(page, artifacts, f"signin-codes-{language}")

    with page.expect_download() as download_info:
        page.locator("a[href='/accounts/security/recovery-codes/sheet/']").click()
    download = download_info.value
    assert download.suggested_filename == "haven-recovery-codes.pdf"
    sheet = Path(download.path()).read_bytes()
    assert sheet.startswith(b"%PDF"), sheet[:20]

    texts = [text.strip() for text in codes.all_inner_texts()]
    assert len(set(texts)) == RECOVERY_CODE_COUNT, texts
    # Still on the codes page: the download did not navigate.
    expect(page).to_have_url(f"{base}/accounts/login/enrol/codes/")
    return texts


def sign_out(page: Page, base: str, user: User) -> None:
    page.get_by_role("button", name=f"Sign out ({user.username})").click()
    expect(page).to_have_url(f"{base}/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in to Haven")).to_be_visible()


def test_first_sign_in_enrols_then_each_recovery_code_opens_the_account_once(
    page: Page, live_server: LiveServer, world: World, artifacts: Path
) -> None:
    base = live_server.url
    user = new_screener(world, "new.screener")

    codes = enrol(page, base, user, artifacts, "en")
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    expect(page.get_by_role("link", name="Download a sheet to print (PDF)")).to_be_visible()
    page.get_by_role("button", name="I have kept them: sign in").click()
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()

    # A recovery code instead of the app's code opens the account ...
    sign_out(page, base, user)
    password_step(page, base, user)
    code_step(page, codes[0])
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()

    # ... once.
    sign_out(page, base, user)
    password_step(page, base, user)
    code_step(page, codes[0])
    expect(page.get_by_role("alert")).to_contain_text(CODE_REFUSED)
    expect(page).to_have_url(f"{base}/accounts/login/code/")


def test_first_sign_in_enrols_in_khmer(
    new_page: PageFactory, live_server: LiveServer, world: World, artifacts: Path
) -> None:
    base = live_server.url
    user = new_screener(world, "new.screener.km")
    page = new_page(locale="km")
    page.context.add_cookies([{"name": "django_language", "value": "km", "url": base}])

    enrol(page, base, user, artifacts, "km")
    expect(page.locator("p.draft")).to_be_visible()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/")
    expect(page.locator("html")).to_have_attribute("lang", "km")
    expect(page.locator("main h1")).to_be_visible()


class Problems:
    """Console errors and script errors of a page, to find what the CSP blocked."""

    def __init__(self, page: Page) -> None:
        self.console: list[str] = []
        self.page: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page.append(str(error)))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console.append(message.text)

    def check(self) -> None:
        csp = [text for text in self.console if "Content Security Policy" in text]
        assert not csp, f"the Content Security Policy blocked: {csp}"
        assert not self.page, f"errors in the page's scripts: {self.page}"


def virtual_authenticator(page: Page) -> tuple[CDPSession, str]:
    """Chromium's virtual platform authenticator: user present and verified, no prompt."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options: dict[str, Any] = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    return cdp, added["authenticatorId"]


def add_passkey(page: Page, base: str, name: str) -> None:
    """From the security page: add a passkey, confirming the password first."""
    page.goto(f"{base}/accounts/security/")
    page.get_by_role("link", name="Add a passkey or security key").click()
    add_url = f"{base}/accounts/security/passkeys/add/"
    # Adding a way in asks for the password again, even right after signing in.
    expect(page).to_have_url(re.compile(re.escape(f"{base}/accounts/reauthenticate/") + r"\?"))
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(add_url)
    expect(page.get_by_role("heading", name="Add a passkey or security key")).to_be_visible()
    page.get_by_label("Name for this passkey or key").fill(name)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page).not_to_have_url(add_url)
    # The personas have the app but no recovery codes yet: adding a passkey makes them,
    # shown this once.
    expect(page).to_have_url(f"{base}/accounts/security/recovery-codes/")
    expect(page.locator("ol.codes li code")).to_have_count(RECOVERY_CODE_COUNT)
    page.get_by_role("button", name="I have kept them", exact=True).click()
    expect(page).to_have_url(f"{base}/accounts/security/")


def test_passkey_added_on_the_security_page_opens_the_account(
    page: Page, live_server: LiveServer, world: World, sign_in: SignIn, artifacts: Path
) -> None:
    base = live_server.url
    assert urlsplit(base).hostname == "localhost"  # a secure context, as WebAuthn needs
    user = world.user("A", Role.CASE_WORKER)
    problems = Problems(page)
    cdp, authenticator = virtual_authenticator(page)

    sign_in(page, user)
    add_passkey(page, base, "Work phone")
    assert has_passkey(user)
    passkeys = page.locator("section", has=page.get_by_role("heading", name="Passkeys"))
    expect(passkeys.get_by_role("listitem")).to_have_count(1)
    expect(passkeys.get_by_role("listitem")).to_contain_text("Work phone")
    shot(page, artifacts, "signin-passkey-security")
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1

    sign_out(page, base, user)
    password_step(page, base, user)
    passkey = page.get_by_role("button", name="Use my passkey or key")
    expect(passkey).to_be_visible()
    shot(page, artifacts, "signin-passkey-code-page")
    passkey.click()
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()

    problems.check()


def test_passkey_requirement_holds_a_member_on_the_security_page_until_they_add_one(
    page: Page, live_server: LiveServer, world: World, totp: TotpCodes
) -> None:
    base = live_server.url
    org = world.orgs["A"]
    set_passkey_requirement(world.user("A", Role.ORG_ADMIN), org, True)
    user = world.user("A", Role.CASE_WORKER)
    problems = Problems(page)
    virtual_authenticator(page)

    password_step(page, base, user)
    code_step(page, totp.current(user))
    expect(page).to_have_url(f"{base}/accounts/security/")
    expect(page.get_by_role("alert")).to_contain_text("requires a passkey or security key")

    # Every other page leads back here.
    page.goto(f"{base}/people/")
    expect(page).to_have_url(f"{base}/accounts/security/")

    add_passkey(page, base, "Security key")
    assert has_passkey(user)
    page.goto(f"{base}/people/")
    expect(page).to_have_url(f"{base}/people/")

    problems.check()
