"""A screener brings screenings made offline into Haven on a phone: the form to download,
a refused export named by submission and question, then the corrected one with each
screening's suggestion and link. Screenshots to look at."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from tests.browser.conftest import PageFactory, SignIn
from tests.browser.test_case_management import PHONE, assert_fits_phone
from tests.personas import World
from tests.test_xlsform_submissions import as_csv, submission, worked_cases

pytestmark = pytest.mark.browser


def test_a_screener_imports_offline_screenings_on_a_phone(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="haven-offline-"))
    page = new_page(viewport=PHONE)
    sign_in(page, world.user("A", Role.SCREENER))
    page.goto(f"{live_server.url}/screenings/")
    page.get_by_role("link", name="Screenings made offline").click()
    expect(page.get_by_role("link", name="Download the screening form (XLSForm)")).to_be_visible()

    case = worked_cases()[0]
    bad = {**submission(case), "topic_x/excessive_working_hours": "maybe"}
    (folder / "bad.csv").write_bytes(as_csv([bad]))
    page.get_by_label("Exported submissions (CSV or JSON)").set_input_files(folder / "bad.csv")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Nothing was imported.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="excessive_working_hours")).to_be_visible()
    assert_fits_phone(page)
    page.screenshot(path=artifacts / "offline-screenings-refused-phone.png", full_page=True)

    (folder / "good.csv").write_bytes(as_csv([submission(case)]))
    page.get_by_label("Exported submissions (CSV or JSON)").set_input_files(folder / "good.csv")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("1 screening imported")).to_be_visible()
    expect(page.get_by_text("Presumed victim")).to_be_visible()
    page.screenshot(path=artifacts / "offline-screenings-done-phone.png", full_page=True)
