"""An information campaign in headless Chromium: a coordinator builds it through the
guide's six steps, is refused the start until a message is approved, starts it, and sees
the hotline calls around it with the campaign period marked and the caveat; the public
poster appears in the public directory's information section. Screenshots in English and
Khmer, on a desktop and a phone."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from haven.hotline.models import Call
from tests.browser.conftest import PageFactory, SignIn
from tests.browser.test_case_management import DESKTOP, PHONE, assert_fits_phone, expect_message
from tests.personas import World

pytestmark = pytest.mark.browser

POSTER = b"%PDF-1.4\n% a fixture poster\n%%EOF\n"


def shot(page: Page, folder: Path, number: int, what: str) -> None:
    page.screenshot(path=folder / f"campaign-{number:02d}-{what}.png", full_page=True)


def field(page: Page, label: str) -> Locator:
    return page.locator("main").get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def step(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="The six steps").get_by_role(
        "link", name=re.compile(name)
    ).click()


def save(page: Page, button: str = "Save") -> None:
    page.locator("main form.card").get_by_role("button", name=button).click()


def assert_loaded(page: Page, selector: str) -> None:
    """The image was fetched and decoded (the page's CSP forbids wait_for_function)."""
    script = f"document.querySelector('{selector}').naturalWidth"
    for _attempt in range(50):
        if page.evaluate(script) > 0:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{selector} did not load on {page.url}")


def _calls(world: World, day: dt.date, number: int) -> None:
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())
    Call.objects.bulk_create(
        Call(
            organisation=world.orgs["A"],
            received_at=noon,
            channel="phone",
            caller_type="unknown",
            topic="job_offer",
            language="th",
            country="TH",
            region="TH-50",
            recorded_by=world.user("A", Role.HOTLINE_OPERATOR),
        )
        for _n in range(number)
    )


def test_a_coordinator_builds_a_campaign_in_six_steps_and_sees_its_calls(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=10), today + dt.timedelta(days=19)
    _calls(world, start - dt.timedelta(days=5), 12)
    _calls(world, start + dt.timedelta(days=2), 25)
    _calls(world, start + dt.timedelta(days=4), 3)

    page = new_page(viewport=DESKTOP)
    sign_in(page, world.user("A", Role.COORDINATOR))
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Information campaigns"
    ).click()
    page.get_by_role("link", name="New campaign").click()
    field(page, "Title").fill("Check before you go (TEST)")
    field(page, "Start date").fill(start.isoformat())
    field(page, "End date").fill(end.isoformat())
    field(page, "What success looks like").fill("Twice as many job-offer checks")
    page.get_by_role("button", name="Create the campaign").click()

    # Step 1.
    expect(page.get_by_role("heading", level=1)).to_have_text("Getting started")
    field(page, "Situation: what research found").fill("Recruiters offer factory work abroad")
    field(page, "Risks").fill("Recruiters may threaten outreach staff")
    save(page)
    expect_message(page, "Step 1 saved.")
    shot(page, artifacts, 1, "step-1")

    # Step 2.
    step(page, "Objectives")
    field(page, "What changes").fill("Job seekers check offers with the hotline")
    field(page, "For whom").fill("Job seekers aged 18 to 30")
    field(page, "By when").fill(end.isoformat())
    save(page, "Add the objective")
    expect_message(page, "Objective added.")

    # Step 3: the country first, then its regions.
    step(page, "Audience")
    field(page, "Who the campaign is for").fill("Young job seekers and their parents")
    field(page, "Country").select_option("TH")
    save(page)
    expect_message(page, "Step 3 saved.")
    page.get_by_label("Chiang Mai").check()
    page.get_by_label("Chiang Rai").check()
    page.get_by_label("Thai", exact=True).check()
    field(page, "Literacy").select_option("mixed")
    page.get_by_label("Radio").check()
    save(page)
    expect_message(page, "Step 3 saved.")
    shot(page, artifacts, 2, "step-3-audience")

    # Step 4: a draft, not yet approved.
    step(page, "Messages")
    field(page, "Language").select_option("th")
    field(page, "Message").fill("ตรวจสอบงานก่อนไป (TEST)")
    field(page, "Pre-test results").fill("9 of 10 understood it")
    save(page, "Add the draft")
    expect_message(page, "Message draft added.")

    # Starting is refused while step 1 lacks the harm assessment and no message is approved.
    page.get_by_role("link", name=re.compile("^Campaign: ")).click()
    main = page.locator("main")
    page.get_by_role("button", name="Start the campaign").click()
    expect(main).to_contain_text("The campaign cannot start yet")
    expect(main).to_contain_text("Approve at least one message (step 4).")
    expect(main).to_contain_text("Assess the risk to the people shown")
    shot(page, artifacts, 3, "start-refused")

    step(page, "Getting started")
    field(page, "Risk to the people shown and how it is avoided").fill(
        "Drawings only; no survivor shown"
    )
    save(page)
    step(page, "Messages")
    page.get_by_role("button", name="Approve this message").click()
    expect_message(page, "Message approved.")
    expect(main).to_contain_text(f"Approved by {world.user('A', Role.COORDINATOR).username}")

    # Materials: a public poster.
    page.get_by_role("link", name=re.compile("^Campaign: ")).click()
    page.get_by_role("link", name="Materials").click()
    field(page, "Title").fill("Poster in Thai (TEST)")
    field(page, "Language").select_option("th")
    page.get_by_label(re.compile("^Public")).check()
    field(page, "File").set_input_files(
        {"name": "poster.pdf", "mimeType": "application/pdf", "buffer": POSTER}
    )
    save(page, "Upload")
    expect_message(page, "Material added.")

    # Step 5: the approved message on the radio in Chiang Mai.
    step(page, "Dissemination")
    field(page, "Channel").select_option("radio")
    field(page, "From").fill(start.isoformat())
    field(page, "Until").fill(end.isoformat())
    page.locator("main form.card").get_by_label("Chiang Mai").check()
    field(page, "Quantity").fill("40")
    save(page, "Add")
    expect_message(page, "Dissemination added.")

    # Step 6.
    step(page, "Monitoring")
    field(page, "Kind").select_option("hotline")
    field(page, "What is measured").fill("Job-offer checks on the hotline per month")
    field(page, "Baseline").fill("12")
    field(page, "Target").fill("24")
    save(page, "Add the indicator")
    expect_message(page, "Indicator added.")

    page.get_by_role("link", name=re.compile("^Campaign: ")).click()
    expect(main).to_contain_text("Everything needed to start is in place.")
    page.get_by_role("button", name="Start the campaign").click()
    expect_message(page, "The campaign is running.")
    expect(page.locator(".steps li.done")).to_have_count(5)
    shot(page, artifacts, 4, "running")

    # The calls around it.
    page.get_by_role("link", name="Hotline calls before, during and after the campaign").click()
    expect(main.locator(".caveat")).to_contain_text("Correlation is not impact.")
    chart = main.locator("img.chart")
    expect(chart).to_be_visible()
    assert_loaded(page, "img.chart")
    table = main.locator("table")
    expect(table).to_contain_text("During the campaign")
    expect(table.locator("tr", has_text="Job offer check")).to_have_text(
        re.compile(r"Job offer check\s*10\s*30\s*0")
    )
    shot(page, artifacts, 5, "calls-en")

    # In Khmer, and on a phone.
    page.get_by_label("Language", exact=True).select_option("km")
    page.get_by_role("button", name="Change", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    assert_loaded(page, "img.chart")
    shot(page, artifacts, 6, "calls-km")
    page.set_viewport_size(PHONE)
    page.goto(page.url)
    assert_loaded(page, "img.chart")
    assert_fits_phone(page)
    shot(page, artifacts, 7, "calls-km-phone")
    page.get_by_role("link", name=re.compile("Check before you go")).first.click()
    assert_fits_phone(page)
    shot(page, artifacts, 8, "overview-km-phone")

    # The public sees the poster, and nothing else of the campaign.
    visitor = new_page(viewport=PHONE)
    visitor.goto(f"{live_server.url}/directory/")
    visitor.get_by_role("link", name=re.compile("Posters, leaflets and audio")).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Information")
    expect(visitor.locator("main")).to_contain_text("Poster in Thai (TEST)")
    expect(visitor.locator("main")).not_to_contain_text("Check before you go")
    assert_fits_phone(visitor)
    shot(visitor, artifacts, 9, "public-information")
