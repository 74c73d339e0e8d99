"""A child's safeguards as a gate, in headless Chromium: the case worker records an age
assessment that leaves the age uncertain (so the person is treated as a child), is
refused closing the case with the reason, records the guardian, the best-interests
assessment and the child's assent, and may then ask to close it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from tests.browser.conftest import PageFactory, SignIn
from tests.browser.test_case_management import expect_message, field
from tests.personas import World

pytestmark = pytest.mark.browser


def test_age_assessment_then_closure_refused_until_the_childs_safeguards_are_recorded(
    world: World, live_server: LiveServer, new_page: PageFactory, sign_in: SignIn, artifacts: Path
) -> None:
    today = timezone.localdate().isoformat()
    reference = world.cases["A"].reference
    case_url = f"{live_server.url}/cases/{reference}/"
    page = new_page()
    sign_in(page, world.user("A", Role.CASE_WORKER))
    page.goto(case_url)

    # An age assessment that leaves the age uncertain: the person is treated as a child.
    page.get_by_role("link", name="Record an age assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an age assessment")
    field(page, "How the age was assessed").select_option(label="Interview (holistic assessment)")
    field(page, "Assessed on").fill(today)
    page.get_by_label("Age uncertain", exact=True).check()
    field(page, "Estimated age").fill("16")
    page.get_by_label("The benefit of the doubt was applied").check()
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{case_url}#record")
    expect_message(page, "Age assessment recorded.")
    expect(page.locator("#child-safeguards-missing")).to_contain_text("the child's assent")
    page.screenshot(path=artifacts / "child-01-age-assessed.png", full_page=True)

    # Closing is refused, with the reason, and nothing changes.
    page.get_by_role("link", name="Request closing the case").click()
    page.get_by_label("Closed", exact=True).check()
    page.get_by_label("Reason").select_option(label="Support plan objectives met")
    page.get_by_role("button", name="Request closure").click()
    refused = page.get_by_role("alert")
    expect(refused).to_contain_text("This is a child's case: it can be closed only once it records")
    expect(refused).to_contain_text("a best-interests assessment")
    page.screenshot(path=artifacts / "child-02-closure-refused.png", full_page=True)
    page.goto(case_url)
    expect(page.get_by_text("closure waiting for approval")).to_have_count(0)

    # The safeguards, recorded on the case record.
    page.get_by_role("link", name="Edit the case record").click()
    field(page, "Guardian (name and role)").fill("Ms Guardian, child protection officer")
    field(page, "Guardian appointed on").fill(today)
    field(page, "Best-interests assessment done on").fill(today)
    page.get_by_label("The child gives their assent").check()
    field(page, "The child assented on").fill(today)
    page.get_by_role("button", name="Save").click()
    expect_message(page, "Case record saved.")
    expect(page.locator("#child-safeguards-missing")).to_have_count(0)

    # Now closing may be requested.
    page.get_by_role("link", name="Request closing the case").click()
    page.get_by_label("Closed", exact=True).check()
    page.get_by_label("Reason").select_option(label="Support plan objectives met")
    page.get_by_role("button", name="Request closure").click()
    expect(page).to_have_url(f"{case_url}#status")
    expect_message(page, "Closure requested. A supervisor will approve or refuse it.")
    page.screenshot(path=artifacts / "child-03-closure-requested.png", full_page=True)
    assert (artifacts / "child-02-closure-refused.png").stat().st_size > 0
