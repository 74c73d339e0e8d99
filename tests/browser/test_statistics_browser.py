"""An analyst reads the statistics on a phone and a desktop, in English and in Khmer,
filters them, and prints the PDF report; small numbers are hidden on every page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from haven.cases.synthetic import build_cases
from haven.stats import facts, synthetic
from tests.browser.conftest import PageFactory, SignIn
from tests.browser.test_case_management import DESKTOP, PHONE, assert_fits_phone
from tests.personas import World

pytestmark = pytest.mark.browser


def khmer(page: Page, base: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "km", "url": base}])


def test_statistics_on_a_phone_and_a_desktop_in_english_and_khmer(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    org = world.orgs["A"]
    supervisor = world.user("A", Role.SUPERVISOR)
    build_cases(org, supervisor, [world.user("A", Role.CASE_WORKER)], 600, first_number=70_000)
    synthetic.enrich(org, supervisor)
    facts.refresh()
    base = live_server.url
    analyst = world.user("A", Role.ANALYST)

    page = new_page(viewport=PHONE)
    sign_in(page, analyst)
    page.goto(f"{base}/statistics/")
    expect(page.get_by_role("heading", name="Statistics", level=1)).to_be_visible()
    expect(page.locator("#how-to-read")).to_contain_text("not the number of people trafficked")
    expect(page.locator("#funnel tbody tr")).to_have_count(6)
    assert_fits_phone(page)
    page.locator("#sex_age summary").click()
    expect(page.locator("#sex_age table")).to_be_visible()
    page.screenshot(path=artifacts / "statistics-en-phone.png", full_page=True)
    with page.expect_download() as english:
        page.locator("a[href^='/statistics/report.pdf']").click()
    english.value.save_as(artifacts / "statistics-en.pdf")

    # A month picker cannot send a bad month; a typed or bookmarked address can.
    page.goto(f"{base}/statistics/?start=2026-13")
    expect(page.get_by_role("alert")).to_contain_text("Give a month as year and month")
    expect(page.locator("#funnel")).to_have_count(0)

    desktop = new_page(viewport=DESKTOP)
    sign_in(desktop, analyst)
    khmer(desktop, base)
    desktop.goto(f"{base}/statistics/")
    expect(desktop.locator("html")).to_have_attribute("lang", "km")
    desktop.locator("#exploitation summary").click()
    expect(desktop.locator("#exploitation img.chart")).to_be_visible()
    desktop.locator("#services_stage summary").click()
    desktop.screenshot(path=artifacts / "statistics-km-desktop.png", full_page=True)

    with desktop.expect_download() as download:
        desktop.locator("a[href^='/statistics/report.pdf']").click()
    pdf = artifacts / "statistics-km.pdf"
    download.value.save_as(pdf)
    pictures(pdf, artifacts / "statistics-km-pdf", pages=2)
    pictures(artifacts / "statistics-en.pdf", artifacts / "statistics-en-pdf", pages=1)


def pictures(pdf: Path, prefix: Path, *, pages: int) -> None:
    """The first pages of a PDF as PNG files, to look at."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "Debian's poppler-utils is needed (.ci/run installs it)"
    command = [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", str(pages), str(pdf), str(prefix)]
    subprocess.run(command, check=True)  # noqa: S603 - fixed arguments, our own files
