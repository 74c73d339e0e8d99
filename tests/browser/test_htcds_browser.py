"""An organisation admin brings cases in from an HTCDS file on a phone: a file with a bad
row imports nothing and says where, the corrected file imports. Screenshots to look at."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from haven.cases.models import Case
from tests.browser.conftest import PageFactory, SignIn
from tests.browser.test_case_management import PHONE, assert_fits_phone
from tests.personas import World

pytestmark = pytest.mark.browser

ROWS = [
    {
        "prs_FirstName": "Mya",
        "prs_SecondName": "Fictional",
        "prs_Gender": "Feminine",
        "prs_Citizenship": "MM",
        "vic_TypeOfExploitation": "ForcedLabour",
        "cas_Status": "Active",
    },
    {
        "prs_FirstName": "Sokha",
        "prs_SecondName": "Fictional",
        "prs_Gender": "Woman",
        "prs_Citizenship": "KH",
        "vic_TypeOfExploitation": "SexualExploitation",
        "cas_Status": "Active",
    },
]


def _file(folder: Path, rows: list[dict[str, str]]) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path = folder / "cases.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_an_admin_imports_an_htcds_file_on_a_phone(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="haven-htcds-"))
    before = Case.objects.count()
    page = new_page(viewport=PHONE)
    sign_in(page, world.user("B", Role.ORG_ADMIN))
    page.goto(live_server.url)
    page.get_by_role("link", name="Import cases").click()
    expect(page.get_by_role("heading", name="Import cases from HTCDS", level=1)).to_be_visible()

    page.get_by_label("HTCDS file (CSV or Excel)").set_input_files(_file(folder, ROWS))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Nothing was imported.")).to_be_visible()
    problem = page.get_by_role("row").filter(has_text="prs_Gender")
    expect(problem).to_contain_text("3")
    expect(problem).to_contain_text("not one of the standard's values: Woman")
    assert_fits_phone(page)
    page.screenshot(path=artifacts / "htcds-import-refused-phone.png", full_page=True)
    assert Case.objects.count() == before

    fixed = [ROWS[0], {**ROWS[1], "prs_Gender": "Feminine"}]
    page.get_by_label("HTCDS file (CSV or Excel)").set_input_files(_file(folder, fixed))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("2 cases imported.")).to_be_visible()
    page.screenshot(path=artifacts / "htcds-import-done-phone.png", full_page=True)
    assert Case.objects.count() == before + 2
