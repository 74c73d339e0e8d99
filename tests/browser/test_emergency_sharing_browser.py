"""Emergency sharing takes two people, in headless Chromium: A's case worker asks to share
the referral to B (the police) without consent because of a threat to life; nothing opens;
A's supervisor finds the request in the emergency queue and approves it; the referral then
shares what was asked, for the hours asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from haven.referrals.actions import visible_categories, withdraw_consent
from haven.referrals.models import OverrideRequest, OverrideStatus, Referral
from tests.browser.conftest import PageFactory, SignIn
from tests.browser.test_case_management import DESKTOP, expect_message, field
from tests.personas import World

pytestmark = pytest.mark.browser

IDENTITY = "Identity: name, date of birth, identity documents"
REASON = "The recruiter is at the shelter door with a knife."


def test_case_worker_asks_and_supervisor_approves_in_the_queue(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    base = live_server.url
    worker = world.user("A", Role.CASE_WORKER)
    supervisor = world.user("A", Role.SUPERVISOR)
    referral = world.referrals["A"]
    # The person withdrew consent: only an approved emergency request shares anything.
    withdraw_consent(worker, world.consents["A"])

    page = new_page(viewport=DESKTOP)
    sign_in(page, worker)
    page.goto(f"{base}/referrals/{referral.reference}/")
    page.get_by_role("link", name="Emergency: ask to share without consent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ask for emergency sharing without consent"
    )
    field(page, "Ground").select_option(label="Imminent threat to life")
    field(page, "What is happening, and why consent cannot be asked").fill(REASON)
    field(page, "For how many hours").fill("4")
    page.get_by_label(IDENTITY, exact=True).check()
    page.get_by_role("button", name="Ask for approval").click()
    expect_message(page, "Nothing is shared until a supervisor approves.")
    request = OverrideRequest.objects.get(referral=referral)
    assert request.status == OverrideStatus.PENDING
    assert visible_categories(Referral.objects.get(pk=referral.pk), timezone.now()) == []

    boss = new_page(viewport=DESKTOP)
    sign_in(boss, supervisor)
    boss.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Emergency sharing"
    ).click()
    expect(boss.get_by_role("heading", level=1)).to_have_text("Emergency sharing requests")
    row = boss.get_by_role("row").filter(has_text=referral.reference)
    expect(row).to_contain_text("Imminent threat to life")
    expect(row).to_contain_text(worker.username)
    boss.screenshot(path=artifacts / "emergency-01-queue.png", full_page=True)
    row.get_by_role("link", name=referral.reference).click()
    expect(boss.get_by_text(REASON)).to_be_visible()
    boss.get_by_role("button", name="Approve: share now").click()
    expect_message(boss, "Decision recorded.")
    boss.screenshot(path=artifacts / "emergency-02-approved.png", full_page=True)

    request.refresh_from_db()
    assert request.status == OverrideStatus.APPROVED
    shared = Referral.objects.get(pk=referral.pk)
    assert shared.override_categories == ["identity"]
    assert visible_categories(shared, timezone.now()) == ["identity"]
