"""Community reports in headless Chromium: a community reporter records what they saw on a
phone (province, then its districts, loaded as they choose); the coordinator finds it on
the district map and in the district's reports, and turns it into a lead."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from haven.community import boundaries
from haven.community.actions import record_report
from haven.community.models import CommunityReport
from tests.browser.conftest import PageFactory, SignIn
from tests.browser.test_case_management import (
    DESKTOP,
    PHONE,
    assert_fits_phone,
    expect_message,
    field,
)
from tests.personas import World
from tests.test_community import report_input

pytestmark = pytest.mark.browser

SEEN = "Workers in the fields never leave; a man watches them all day (TEST)."


def shot(page: Page, folder: Path, number: int, what: str) -> None:
    page.screenshot(path=folder / f"community-{number:02d}-{what}.png", full_page=True)


def test_a_community_report_reaches_the_map_and_becomes_a_lead(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    reporter = world.user("A", Role.COMMUNITY_REPORTER)
    coordinator = world.user("A", Role.COORDINATOR)
    thailand = boundaries.country_map("TH")
    assert thailand is not None
    mae_sai = next(d for d in thailand.districts if d.name == "Mae Sai")
    chiang_saen = next(d for d in thailand.districts if d.name == "Chiang Saen")
    mae_sot_code = next(d.code for d in thailand.districts if d.name == "Mae Sot")

    page = new_page(viewport=PHONE)
    sign_in(page, reporter)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_count(1)
    nav.get_by_role("link", name="Community reports").click()
    expect(page.get_by_role("heading", level=1, name="My reports")).to_be_visible()
    page.get_by_role("link", name="New community report").click()

    field(page, "Province").select_option(label="Tak")
    expect(field(page, "District").locator("option", has_text="Mae Sot")).to_have_count(1)
    field(page, "District").select_option(label="Mae Sot")
    field(page, "Kind of work").select_option(label="A: Agriculture, forestry and fishing")
    page.get_by_label("The person is rarely alone", exact=False).check()
    page.get_by_label("The person lives at the workplace", exact=False).check()
    page.get_by_label("6 to 10 people").check()
    shot(page, artifacts, 1, "form-phone")
    assert_fits_phone(page)

    # A phone number in the text is refused, with the reason, and nothing is saved.
    field(page, "In a few words, what did you see?").fill(SEEN + " Call 081 234 5678")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("alert")).to_contain_text("Do not write phone numbers")
    assert not CommunityReport.objects.exists()
    shot(page, artifacts, 2, "phone-number-refused")
    field(page, "In a few words, what did you see?").fill(SEEN)
    page.get_by_role("button", name="Send the report").click()
    expect_message(page, "Thank you. Your report was recorded.")
    expect(page.locator("main table")).to_contain_text("Mae Sot")
    shot(page, artifacts, 3, "my-reports-phone")

    # The same form in Khmer.
    page.get_by_role("link", name="New community report").click()
    page.get_by_label("Language", exact=True).select_option("km")
    page.get_by_role("button", name="Change", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    shot(page, artifacts, 4, "form-khmer")

    # Twelve more reports in each of two other districts: counts the map may show, rounded
    # (one of them may be hidden too, so that Mae Sot's cannot be worked out from the total).
    for place in (mae_sai, chiang_saen):
        for _n in range(12):
            record_report(reporter, **report_input(district=place.code, region=place.region))

    page = new_page(viewport=DESKTOP)
    sign_in(page, coordinator)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Community reports"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Community reports map")
    # One report: a small count, hidden on the map and in the table.
    mae_sot = page.locator("svg path").filter(has=page.locator("title", has_text="Mae Sot:"))
    expect(mae_sot).to_have_class("shade-hidden")
    expect(page.locator("svg path.shade-4").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("geoBoundaries")
    shot(page, artifacts, 5, "map")
    page.set_viewport_size(PHONE)
    shot(page, artifacts, 8, "map-phone")
    assert_fits_phone(page)
    page.set_viewport_size(DESKTOP)
    page.locator("table").get_by_role("link", name="Mae Sot").click()
    expect(page.get_by_role("heading", level=1, name="Mae Sot")).to_be_visible()
    expect(page.locator("main")).to_contain_text(SEEN)
    shot(page, artifacts, 6, "district")
    page.get_by_role("button", name="Turn into a lead").click()
    expect_message(page, "The report is now a lead.")
    report = CommunityReport.objects.get(district=mae_sot_code)
    assert report.lead is not None
    assert report.lead.source == "community"
    shot(page, artifacts, 7, "lead")
