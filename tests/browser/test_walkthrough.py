"""Walk through Haven in headless Chromium as a person would: sign in with both factors,
record a person whose name is in Khmer script, find and open the record, sign out; check the
pages fit a phone, that the Content Security Policy blocks nothing of our own, and that
the interface switches language.
"""

from __future__ import annotations

import re
import secrets
import string
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from tests.browser.conftest import (
    PageFactory,
    SignIn,
    TotpCodes,
    code_step,
    password_step,
)
from tests.personas import World

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}

# Elements reaching past the right edge of the viewport, to say what makes a page scroll.
OVERFLOWING = """
(width) => Array.from(document.querySelectorAll("body *"))
  .filter((el) => el.getBoundingClientRect().right > width + 0.5)
  .slice(0, 5)
  .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.className && typeof el.className === "string" ? "." + el.className : "")
    + " right=" + Math.round(el.getBoundingClientRect().right))
"""


def shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=folder / f"{name}.png", full_page=True)


def test_sign_in_record_khmer_person_find_and_open_then_sign_out(
    page: Page, live_server: LiveServer, world: World, totp: TotpCodes, artifacts: Path
) -> None:
    base = live_server.url
    user = world.user("A", Role.CASE_WORKER)
    marker = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    name = f"សុខា ទិត្យ {marker.capitalize()}"
    # The same name as typed by someone else: the Latin part in other letter case.
    typed = f"សុខា ទិត្យ {marker.upper()}"
    urls: list[str] = []
    page.on("framenavigated", lambda frame: urls.append(frame.url))
    page.on("request", lambda request: urls.append(request.url))

    # Step one: username and password.
    page.goto(f"{base}/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in to Haven")).to_be_visible()
    shot(page, artifacts, "01-login")
    password_step(page, base, user)

    # Step two: the current code from the authenticator.
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    shot(page, artifacts, "02-code")
    code_step(page, totp.current(user))
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    expect(page.get_by_text("You are signed in for Test organisation A.")).to_be_visible()
    shot(page, artifacts, "03-home")

    # Record a new person with a name in Khmer script.
    page.get_by_role("link", name="Record a new person").click()
    expect(page).to_have_url(f"{base}/people/new/")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Gender").select_option(label="Woman or girl")
    shot(page, artifacts, "04-new-person")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(re.escape(f"{base}/people/") + r"[^/]+/$"))
    expect(page.get_by_role("status")).to_contain_text("Person record created.")
    expect(page.locator("#full-name")).to_have_text(name)
    # The title travels into history, tab lists and bookmarks: no name in it.
    expect(page).to_have_title(re.compile(r"^Person \S+ · Haven$"))
    expect(page).not_to_have_title(re.compile(re.escape("សុខា")))
    expect(page).not_to_have_title(re.compile(marker, re.IGNORECASE))
    reference = page.locator("h1 .ref").inner_text().strip()
    assert reference
    shot(page, artifacts, "05-person-detail")

    # Find the person by exact name, typed in other case; htmx fills #search-results.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    expect(page).to_have_url(f"{base}/people/")
    page.get_by_label("Name or part of a name").fill(typed)
    page.get_by_role("button", name="Search").click()
    results = page.locator("#search-results")
    expect(results.get_by_role("heading", name="Search results")).to_be_visible()
    expect(results.get_by_role("link")).to_have_text([reference])
    expect(page).to_have_url(f"{base}/people/")
    shot(page, artifacts, "06-search-results")

    # Open the record from the results.
    results.get_by_role("link", name=reference).click()
    expect(page).to_have_url(f"{base}/people/{reference}/")
    expect(page.locator("#full-name")).to_have_text(name)

    # Sign out; the records are closed again.
    page.get_by_role("button", name=re.compile(r"^Sign out")).click()
    expect(page).to_have_url(f"{base}/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in to Haven")).to_be_visible()
    shot(page, artifacts, "07-signed-out")
    page.goto(f"{base}/people/")
    expect(page).to_have_url(re.compile(re.escape(f"{base}/accounts/login/") + r"\?next="))
    expect(page.get_by_role("heading", name="Sign in to Haven")).to_be_visible()

    # No address the browser visited or requested carried the name.
    assert urls
    forbidden = [name, typed, quote(name), quote(typed), "សុខា", quote("សុខា")]
    leaks = [
        url
        for url in urls
        if marker in url.lower() or any(part.lower() in url.lower() for part in forbidden)
    ]
    assert not leaks, f"the name appeared in URLs: {leaks}"


def test_phone_width_pages_fit_without_horizontal_scroll(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, world.user("A", Role.SUPERVISOR))
    base = live_server.url
    person = world.people["A"]
    case = world.cases["A"]
    pages = {
        "home": "/",
        "people": "/people/",
        "person": f"/people/{person.reference}/",
        "new-person": "/people/new/",
        "cases": "/cases/",
        "case": f"/cases/{case.reference}/",
    }
    too_wide: dict[str, object] = {}
    for label, path in pages.items():
        response = page.goto(f"{base}{path}")
        assert response is not None
        assert response.status == 200, f"{path} answered {response.status}"
        expect(page).to_have_url(f"{base}{path}")
        expect(page.locator("main h1")).to_be_visible()
        shot(page, artifacts, f"phone-{label}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = (width, page.evaluate(OVERFLOWING, PHONE["width"]))
    assert not too_wide, (
        f"pages wider than {PHONE['width']} px (scroll width, culprits): {too_wide}"
    )


def test_wrong_code_is_refused_and_csp_blocks_nothing(
    page: Page, live_server: LiveServer, world: World, totp: TotpCodes
) -> None:
    base = live_server.url
    user = world.user("B", Role.CASE_WORKER)
    console_errors: list[str] = []
    page_errors: list[str] = []
    failed_requests: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    def on_request_failed(request: Request) -> None:
        failed_requests.append(f"{request.url} {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.on("requestfailed", on_request_failed)

    password_step(page, base, user)
    code_step(page, totp.wrong(user))
    expect(page.get_by_role("alert")).to_contain_text("That code was not accepted.")
    expect(page).to_have_url(f"{base}/accounts/login/code/")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()

    code_step(page, totp.current(user))
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()

    # Exercise the scripts too: htmx swaps search results in under the policy.
    page.goto(f"{base}/people/")
    expect(page.locator("html")).to_have_class(re.compile(r"\bjs\b"))
    page.get_by_label("Name or part of a name").fill("Nobody By This Name")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-results")).to_contain_text("No one you can see matches")
    expect(page).to_have_url(f"{base}/people/")

    csp = [text for text in console_errors if "Content Security Policy" in text]
    assert not csp, f"the Content Security Policy blocked: {csp}"
    assert not page_errors, f"errors in the page's scripts: {page_errors}"
    assert not failed_requests, f"requests that failed: {failed_requests}"


def test_language_switcher_shows_khmer_interface(
    page: Page, live_server: LiveServer, world: World, sign_in: SignIn, artifacts: Path
) -> None:
    sign_in(page, world.user("A", Role.SCREENER))
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator(".draft")).to_have_count(0)

    page.locator("select#language").select_option("km")
    # Choosing does not move the page (WCAG 3.2.2): the button does.
    expect(html).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Change", exact=True).click()
    expect(html).to_have_attribute("lang", "km")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("p.draft")).to_be_visible()
    shot(page, artifacts, "08-home-khmer")


def test_keyboard_user_skips_to_main_content_and_sees_where_focus_is(
    page: Page, live_server: LiveServer, artifacts: Path
) -> None:
    page.goto(f"{live_server.url}/directory/")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    outline = skip.evaluate("element => getComputedStyle(element).outlineWidth")
    assert outline == "3px", outline
    shot(page, artifacts, "09-skip-link-focused")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
    expect(page.locator("main#main")).to_be_focused()
    # The language menu waits for its button: choosing alone changes nothing.
    page.get_by_label("Language", exact=True).select_option("th")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Change", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "th")
