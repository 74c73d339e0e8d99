"""Non-refoulement as a gate, in headless Chromium: a voluntary return plan is saved for a
person who fears harm on return; the supervisor's approval is refused until their own
protection assessment finds return safe and the person, told of the risk, still asks to go;
the case page then shows the approval and the assessment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from haven.assistance.actions import save_return_plan
from haven.cases.actions import open_case
from haven.cases.choices import FearOfReturn
from haven.cases.models import Case
from haven.people.actions import create_person
from tests.browser.conftest import PageFactory, SignIn
from tests.browser.test_case_management import (
    DESKTOP,
    PHONE,
    assert_fits_phone,
    expect_message,
    fact,
    field,
)
from tests.personas import World
from tests.test_case_management import return_data

pytestmark = pytest.mark.browser

ASSESSMENT = "Recruiter convicted; the family and the village head confirm no threat (TEST)."


def shot(page: Page, folder: Path, number: int, what: str) -> None:
    page.screenshot(path=folder / f"return-approval-{number:02d}-{what}.png", full_page=True)


def test_a_feared_return_waits_for_the_supervisors_protection_assessment(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    worker = world.user("A", Role.CASE_WORKER)
    supervisor = world.user("A", Role.SUPERVISOR)
    person = create_person(worker, {"full_name": "Fixture Person Dara", "citizenship": ["KH"]})
    case = open_case(
        worker,
        person,
        assigned_to=worker,
        opened_on=timezone.localdate() - dt.timedelta(days=10),
        summary="Fixture narrative",
    )
    save_return_plan(worker, case, return_data(), expected_version=None)
    Case.objects.filter(pk=case.pk).update(fear_of_return=FearOfReturn.YES)
    case_url = f"{live_server.url}/cases/{case.reference}/"

    page = new_page(viewport=DESKTOP)
    sign_in(page, supervisor)
    page.goto(case_url)
    section = page.locator("#return")
    expect(fact(section, "Approval")).to_contain_text("Waiting for a supervisor's approval")
    section.get_by_role("link", name="Approve the return").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Approve the voluntary return")
    main = page.locator("main")
    expect(main).to_contain_text("The person fears harm or persecution on return.")
    expect(main).to_contain_text("Non-refoulement")

    # Without the assessment the approval is refused, with the reason, and nothing changes.
    page.get_by_role("button", name="Approve the return").click()
    expect(main).to_contain_text("Approve the return only after your own protection assessment")
    shot(page, artifacts, 1, "refused")
    page.get_by_label("My protection assessment finds that return is safe").check()
    page.get_by_label("The person was told of the risk", exact=False).check()
    field(page, "Protection assessment").fill(ASSESSMENT)
    page.get_by_role("button", name="Approve the return").click()
    expect_message(page, "Return plan approved.")
    section = page.locator("#return")
    approval = fact(section, "Approval")
    expect(approval).to_contain_text(f"Approved by {supervisor.username}")
    expect(approval).to_contain_text("return found safe")
    expect(section.get_by_role("link", name="Approve the return")).to_have_count(0)
    shot(page, artifacts, 2, "approved")
    page.set_viewport_size(PHONE)
    page.reload()
    shot(page, artifacts, 3, "approved-phone")
    assert_fits_phone(page)
