"""The release register, a results framework and the coordinator's referral flows, as an
analyst, an org admin and a coordinator see them on a phone: screenshots to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from haven.cases.synthetic import build_cases
from haven.stats import facts, synthetic
from tests.browser.conftest import PageFactory, SignIn
from tests.browser.test_case_management import PHONE, assert_fits_phone
from tests.personas import World

pytestmark = pytest.mark.browser


def test_releases_frameworks_and_flows_on_a_phone(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    org = world.orgs["A"]
    supervisor = world.user("A", Role.SUPERVISOR)
    build_cases(org, supervisor, [world.user("A", Role.CASE_WORKER)], 300, first_number=60_000)
    synthetic.enrich(org, supervisor)
    facts.refresh()
    base = live_server.url

    analyst = new_page(viewport=PHONE)
    sign_in(analyst, world.user("A", Role.ANALYST))
    analyst.goto(f"{base}/statistics/releases/new/")
    analyst.get_by_role("button", name="Prepare").click()
    expect(analyst.get_by_role("heading", name="Data releases", level=1)).to_be_visible()
    assert_fits_phone(analyst)
    analyst.screenshot(path=artifacts / "releases-analyst-phone.png", full_page=True)

    analyst.goto(f"{base}/statistics/results/")
    analyst.get_by_label("Title").fill("Assistance 2026")
    analyst.get_by_label("Goal").fill("People identified get the help they need")
    analyst.get_by_role("button", name="Create").click()
    analyst.get_by_label("Result").fill("Victims identified early")
    analyst.get_by_role("button", name="Add").first.click()
    analyst.get_by_label("Indicator").fill("People presumed to be victims")
    analyst.get_by_label("What Haven counts").select_option("presumed")
    analyst.get_by_label("Baseline").fill("50")
    analyst.get_by_label("Target").fill("400")
    analyst.get_by_label("From (month)", exact=True).fill("2020-01")
    analyst.get_by_label("To (month)", exact=True).fill("2026-12")
    analyst.get_by_role("button", name="Add").last.click()
    expect(analyst.get_by_text("People presumed to be victims").first).to_be_visible()
    # An indicator entered by hand, whose figure comes at the end of its period.
    analyst.get_by_label("Indicator", exact=True).fill("Hotline calls answered")
    analyst.get_by_label("Source").select_option("manual")
    analyst.get_by_label("Baseline").fill("0")
    analyst.get_by_label("Target").fill("100")
    analyst.get_by_label("From (month)", exact=True).fill("2026-01")
    analyst.get_by_label("To (month)", exact=True).fill("2026-12")
    analyst.get_by_role("button", name="Add").last.click()
    expect(analyst.get_by_text("not entered yet")).to_be_visible()
    figure = analyst.locator(
        "form", has=analyst.get_by_role("heading", name="Enter an achieved figure")
    )
    figure.get_by_label("Indicator").select_option(label="Hotline calls answered")
    figure.get_by_label("Achieved").fill("40")
    figure.get_by_label("Where that figure comes from").fill("Hotline log")
    figure.get_by_role("button", name="Save").click()
    expect(analyst.get_by_text("The figure is saved.")).to_be_visible()
    hotline = analyst.get_by_role("row").filter(has_text="Hotline calls answered")
    expect(hotline.get_by_role("cell", name="40%")).to_be_visible()
    assert_fits_phone(analyst)
    analyst.screenshot(path=artifacts / "framework-analyst-phone.png", full_page=True)

    admin = new_page(viewport=PHONE)
    sign_in(admin, world.user("A", Role.ORG_ADMIN))
    admin.goto(f"{base}/statistics/releases/")
    admin.get_by_role("button", name="Approve").click()
    expect(admin.get_by_text("Approved").first).to_be_visible()
    admin.screenshot(path=artifacts / "releases-approved-phone.png", full_page=True)

    coordinator = new_page(viewport=PHONE)
    sign_in(coordinator, world.user("A", Role.COORDINATOR))
    coordinator.goto(f"{base}/referrals/flows/")
    expect(coordinator.get_by_role("heading", name="Referral flows")).to_be_visible()
    coordinator.screenshot(path=artifacts / "flows-coordinator-phone.png", full_page=True)
