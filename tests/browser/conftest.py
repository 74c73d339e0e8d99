"""Fixtures for the browser tests: headless Debian Chromium driven by Playwright's sync API
against pytest-django's live server, with the personas of `tests.personas`.

Chromium is never downloaded: the tests use /usr/bin/chromium from Debian. Without it they
are skipped on a developer's machine and fail in CI (CI=true) or when
HAVEN_REQUIRE_BROWSER is set, so a missing install step cannot pass unnoticed.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any, Protocol

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from haven.accounts.actions import authenticator_secret
from haven.accounts.models import User
from tests.helpers import used_code
from tests.personas import PASSWORD, World, build_world

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING_BROWSER = (
    f"Headless Chromium not found at {CHROMIUM}: install the Debian packages chromium and "
    "fonts-noto-core (apt-get install chromium fonts-noto-core) to run the browser tests."
)
TIMEOUT_MS = 10_000
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"

expect.set_options(timeout=TIMEOUT_MS)

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def browser_required() -> bool:
    return os.environ.get("CI") == "true" or bool(os.environ.get("HAVEN_REQUIRE_BROWSER"))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Keep each phase's report on the test item so fixtures can tell a failed test apart.
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if browser_required():
            pytest.fail(MISSING_BROWSER, pytrace=False)
        pytest.skip(MISSING_BROWSER)
    # Playwright's sync API runs an asyncio event loop in this (the test) thread, switching
    # to it with greenlets. While Playwright is started, asyncio therefore reports a running
    # loop in this thread, and Django's async-safety check would refuse every ORM call made
    # by the test itself (building personas, flushing the database) with
    # SynchronousOnlyOperation, although no coroutine ever touches the database. The live
    # server answers the browser from its own thread and is unaffected. The flag is set only
    # while the browser is up, so the rest of the suite keeps Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield launched
            launched.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def world(transactional_db: None, live_server: LiveServer) -> World:
    """The personas, committed so the live server's thread sees them; flushed after each test."""
    return build_world()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


class PageFactory(Protocol):
    def __call__(self, **context_options: Any) -> Page: ...


@pytest.fixture
def new_page(
    browser: Browser, request: pytest.FixtureRequest, artifacts: Path
) -> Iterator[PageFactory]:
    """Open pages, each in a fresh context (own cookies); screenshot them if the test fails."""
    contexts: list[BrowserContext] = []

    def open_page(**context_options: Any) -> Page:
        options: dict[str, Any] = {"locale": "en-GB", **context_options}
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    report = request.node.stash.get(_REPORTS, {}).get("call")
    failed = report is not None and report.failed
    for number, context in enumerate(contexts):
        if failed:
            for index, page in enumerate(context.pages):
                name = f"FAILED-{request.node.name}-{number}-{index}.png"
                page.screenshot(path=artifacts / name, full_page=True)
        context.close()


@pytest.fixture
def page(new_page: PageFactory) -> Page:
    return new_page()


class TotpCodes:
    """Codes from the user's authenticator, as a person would type them."""

    @staticmethod
    def current(user: User) -> str:
        """The current code, computed just before it is submitted.

        The app accepts each code once: if this step's code was already used, wait for
        the next step rather than replay it.
        """
        totp = pyotp.TOTP(authenticator_secret(user))
        if used_code(user, totp.now()):
            time.sleep(totp.interval - time.time() % totp.interval + 0.2)
        return str(totp.now())

    @staticmethod
    def wrong(user: User) -> str:
        """A well-formed code that no step near now accepts."""
        totp = pyotp.TOTP(authenticator_secret(user))
        step = _step(totp)
        near = {totp.generate_otp(step + delta) for delta in range(-3, 4)}
        return next(code for code in ("000000", "111111", "123456") if code not in near)


def _step(totp: pyotp.TOTP) -> int:
    return int(totp.timecode(dt.datetime.now(tz=dt.UTC)))


@pytest.fixture
def totp() -> TotpCodes:
    return TotpCodes()


def password_step(page: Page, base_url: str, user: User) -> None:
    """Open the sign-in page and pass the first step; the code page is showing afterwards."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{base_url}/accounts/login/code/")


def code_step(page: Page, code: str) -> None:
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Sign in", exact=True).click()


SignIn = Callable[[Page, User], None]


@pytest.fixture
def sign_in(live_server: LiveServer, totp: TotpCodes) -> SignIn:
    """Both sign-in steps for `user`; the home page is showing afterwards."""

    def run(page: Page, user: User) -> None:
        password_step(page, live_server.url, user)
        # The code is computed just before it is submitted.
        code_step(page, totp.current(user))
        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.get_by_role("heading", name="Welcome")).to_be_visible()

    return run
