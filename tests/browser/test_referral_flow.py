"""Refer a person to another organisation's service in headless Chromium, seen from both
sides: organisation A's case worker records the person's consent (identity and health, not
contact details) and refers them to Fixture shelter B, sharing only what was consented;
organisation B's case worker finds the referral waiting, sees the packet (never the case),
accepts it and records that help was given; A follows the status; when the person withdraws
the consent, B loses the name at once.

Each person signs in once, in a browser context of their own, and keeps their page open.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from haven.people.actions import update_person
from haven.referrals.actions import withdraw_consent
from haven.referrals.forms import CONSENT_DAYS
from haven.referrals.models import Referral
from tests.browser.conftest import PageFactory, SignIn
from tests.browser.test_case_management import (
    DESKTOP,
    PHONE,
    assert_fits_phone,
    expect_message,
    fact,
    field,
    short,
)
from tests.personas import World

pytestmark = pytest.mark.browser

IDENTITY = "Identity: name, date of birth, identity documents"
CONTACT = "Contact details: phone and address"
HEALTH = "Health information"
PURPOSE = "Referral for assistance and protection"
SERVICE = "Safe accommodation · Fixture shelter B"
NAME = "Fixture Person A"
# Contact details the person did not agree to share: they must never reach B.
PHONE_NUMBER = "+66 81 555 0142"
ADDRESS = "14 Soi Ratchada, Bangkok"
ASKED = "A safe bed for two weeks, from tomorrow."
OUTCOME_NOTE = "Stayed twelve nights; moved to her sister's."
NOT_CONSENTED = f"The person has not consented to share this with this recipient: {CONTACT}."


# --- helpers ------------------------------------------------------------------------


def shot(page: Page, folder: Path, number: int, what: str) -> None:
    page.screenshot(path=folder / f"referral-{number:02d}-{what}.png", full_page=True)


def referrals_section(page: Page) -> Locator:
    return page.locator("#referrals")


def section_heading(scope: Page | Locator, label: str) -> Locator:
    """A shared category's heading in a packet (the preview, or the recipient's page)."""
    return scope.get_by_role("heading", level=3, name=label, exact=True)


def share(page: Page, label: str) -> Locator:
    return page.get_by_label(label, exact=True)


def incoming_waiting(page: Page) -> Locator:
    section = page.locator("section").filter(
        has=page.get_by_role("heading", level=2, name="Incoming referrals", exact=True)
    )
    return section.get_by_role("link", name=re.compile(r"incoming referrals? waits? for an answer"))


def status(page: Page) -> Locator:
    return fact(page, "Status").locator("strong")


# --- the walk -----------------------------------------------------------------------


def test_consented_referral_accepted_completed_and_cut_off_by_withdrawal(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    base = live_server.url
    case = world.cases["A"]
    case_url = f"{base}/cases/{case.reference}/"
    worker_a = world.user("A", Role.CASE_WORKER)
    worker_b = world.user("B", Role.CASE_WORKER)
    today = timezone.localdate()
    # The person has contact details on record, so their absence from B's view is telling.
    person = world.people["A"]
    update_person(
        worker_a,
        person,
        {"phone": PHONE_NUMBER, "address": ADDRESS},
        expected_version=person.version,
    )
    # The fixtures already hold a consent of this person to share identity and contact
    # details with Fixture shelter B for this purpose. It would cover Contact and keep the
    # name visible after the withdrawal below, so the person withdrew it before this visit.
    withdraw_consent(worker_a, world.consents["A"])
    referrals_before = Referral.objects.filter(case=case).count()

    page_a = new_page(viewport=DESKTOP)
    page_b = new_page(viewport=DESKTOP)
    sign_in(page_a, worker_a)
    sign_in(page_b, worker_b)
    # B already has the fixture referral from A waiting.
    expect(incoming_waiting(page_b)).to_have_text("1 incoming referral waits for an answer")

    # --- 1. A records the person's consent: identity and health, not contact. ----------
    page = page_a
    page.goto(case_url)
    referrals_section(page).get_by_role("link", name="Record consent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record consent to share information")
    field(page, "To this provider").select_option(label="Fixture shelter B")
    share(page, IDENTITY).check()
    share(page, HEALTH).check()
    expect(share(page, CONTACT)).not_to_be_checked()
    field(page, "For what").select_option(label=PURPOSE)
    expires = today + dt.timedelta(days=CONSENT_DAYS)
    expect(field(page, "Valid until")).to_have_value(expires.isoformat())
    field(page, "How consent was given").select_option(label="Verbal")
    for explained in (
        "I explained why the information is shared",
        "I explained how the recipient will use it",
        "I explained that the person may see their data",
        "I explained how long it is kept",
        "I explained how to withdraw consent, at any time",
    ):
        page.get_by_label(explained).check()
    shot(page, artifacts, 1, "consent-form")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"{case_url}#referrals")
    expect_message(page, "Consent recorded.")
    consent = referrals_section(page).get_by_role("listitem").filter(has_text=HEALTH)
    expect(consent).to_have_count(1)
    expect(consent).to_contain_text(
        f"{short(today)} · Fixture shelter B · {PURPOSE} · {IDENTITY}; {HEALTH} · "
        f"until {short(expires)} · Verbal"
    )
    expect(consent).not_to_contain_text("Contact")
    expect(consent.get_by_role("link", name=re.compile("^Withdraw"))).to_be_visible()

    # --- 2. A refers the person to B's shelter; Contact is refused. --------------------
    referrals_section(page).get_by_role("link", name="Refer to a service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refer to a service")
    expect(page.get_by_role("button", name="Send the referral")).to_have_count(0)
    field(page, "Service").select_option(label=SERVICE)
    expect(field(page, "Purpose")).to_have_value("assistance")
    page.get_by_label("What is asked").fill(ASKED)
    for label in (IDENTITY, CONTACT, HEALTH):
        share(page, label).check()
    expect(page.get_by_label("Inside Haven")).to_be_checked()
    page.get_by_role("button", name="Preview").click()

    preview = page.get_by_role("region", name="Exactly what the recipient will see")
    expect(preview).to_be_visible()
    expect(section_heading(preview, IDENTITY)).to_be_visible()
    expect(fact(preview, "Full name")).to_have_text(NAME)
    expect(section_heading(preview, HEALTH)).to_be_visible()
    expect(fact(preview, "Health care given")).to_contain_text("Medical")
    expect(section_heading(preview, CONTACT)).to_have_count(0)
    expect(preview).not_to_contain_text(PHONE_NUMBER)
    expect(preview).not_to_contain_text(ADDRESS)
    expect(fact(preview, "What is asked")).to_have_text(ASKED)
    expect(share(page, CONTACT)).to_be_checked()
    shot(page, artifacts, 2, "preview")

    # Sending with Contact still ticked is refused, and nothing is sent.
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_role("alert")).to_have_text(NOT_CONSENTED)
    assert Referral.objects.filter(case=case).count() == referrals_before

    share(page, CONTACT).uncheck()
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(fact(preview, "Full name")).to_have_text(NAME)
    page.get_by_role("button", name="Send the referral").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/referrals/[^/]+/$"))
    expect_message(page, "Referral sent.")
    reference = page.get_by_role("heading", level=1).locator(".ref").inner_text().strip()
    referral_url = f"{base}/referrals/{reference}/"
    packet_url = f"{referral_url}packet/"
    expect(page).to_have_url(referral_url)
    expect(fact(page, "To")).to_have_text("Fixture shelter B")
    expect(fact(page, "Service")).to_have_text("Safe accommodation")
    expect(fact(page, "How")).to_have_text("Inside Haven")
    expect(status(page)).to_have_text("Sent, waiting for an answer")
    expect(fact(page, "Chosen to share")).to_have_text(f"{IDENTITY}; {HEALTH}")
    expect(fact(page, "The recipient can see now")).to_have_text(f"{IDENTITY}; {HEALTH}")
    shot(page, artifacts, 3, "sent")
    assert Referral.objects.filter(case=case).count() == referrals_before + 1

    # --- 3. B finds it waiting and sees the packet, never the case. --------------------
    page = page_b
    page.goto(f"{base}/")
    expect(incoming_waiting(page)).to_have_text("2 incoming referrals wait for an answer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outgoing referrals")
    page.get_by_role("link", name="Incoming referrals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incoming referrals")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row).to_contain_text("Test organisation A")
    expect(row).to_contain_text("Safe accommodation")
    expect(row).to_contain_text("Sent, waiting for an answer")
    row.get_by_role("link", name=reference).click()

    expect(page).to_have_url(packet_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral {reference}")
    expect(page.locator("main")).to_contain_text("Sent, waiting for an answer")
    expect(fact(page, "From")).to_have_text("Test organisation A")
    expect(section_heading(page, IDENTITY)).to_be_visible()
    expect(fact(page, "Full name")).to_have_text(NAME)
    expect(section_heading(page, HEALTH)).to_be_visible()
    expect(section_heading(page, CONTACT)).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(PHONE_NUMBER)
    expect(page.locator("main")).not_to_contain_text(ADDRESS)
    # Neither a link to the case nor its reference.
    expect(page.locator("main")).not_to_contain_text(case.reference)
    expect(page.get_by_role("heading", level=2, name="Can you help?")).to_be_visible()
    shot(page, artifacts, 4, "packet")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(fact(page, "Full name")).to_have_text(NAME)
    shot(page, artifacts, 5, "packet-phone")
    assert_fits_phone(page)
    page.set_viewport_size(DESKTOP)

    # The case itself stays out of reach.
    response = page.goto(case_url)
    assert response is not None
    assert response.status == 404, f"B's case worker got {response.status} for A's case"
    expect(page.locator("main")).not_to_contain_text(NAME)

    page.goto(packet_url)
    page.get_by_label("We can help: accept").check()
    page.get_by_role("button", name="Send the answer").click()
    expect(page).to_have_url(packet_url)
    expect_message(page, "Referral accepted.")
    expect(page.locator("main")).to_contain_text("Accepted")
    expect(page.get_by_role("heading", level=2, name="Can you help?")).to_have_count(0)

    # --- 4. A sees the answer. ----------------------------------------------------------
    page = page_a
    page.reload()
    expect(status(page)).to_have_text("Accepted")

    # --- 5. B records that help was given; A sees it. -----------------------------------
    page = page_b
    expect(page.get_by_role("heading", level=2, name="When the help was given")).to_be_visible()
    page.get_by_label("Help was given").check()
    page.get_by_label("What was done").fill(OUTCOME_NOTE)
    page.get_by_role("button", name="Record the outcome").click()
    expect(page).to_have_url(packet_url)
    expect_message(page, "Outcome recorded.")
    expect(page.locator("main")).to_contain_text("Help given")
    expect(page.get_by_role("button", name="Record the outcome")).to_have_count(0)

    page = page_a
    page.reload()
    expect(status(page)).to_have_text("Help given")
    expect(fact(page, "Outcome")).to_have_text(OUTCOME_NOTE)
    expect(page.get_by_role("button", name="Revoke the referral")).to_have_count(0)
    shot(page, artifacts, 6, "completed")

    # --- 6. The person withdraws consent: B loses the name at once. --------------------
    page.goto(case_url)
    referral_item = referrals_section(page).get_by_role("listitem").filter(has_text=reference)
    expect(referral_item).to_contain_text("Help given")
    consent = referrals_section(page).get_by_role("listitem").filter(has_text=HEALTH)
    consent.get_by_role("link", name=re.compile("^Withdraw")).click()
    # The page says what withdrawing does and cannot undo, and asks to confirm.
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw consent")
    expect(page.locator("main")).to_contain_text("cannot be recalled")
    page.get_by_label("Reason (optional)").fill("Wants to stop sharing for now.")
    shot(page, artifacts, 7, "withdraw-confirm")
    page.get_by_role("button", name="Withdraw consent").click()
    expect(page).to_have_url(f"{case_url}#referrals")
    expect_message(page, "Consent withdrawn. Recipients inside Haven lost access at once.")
    expect(consent).to_contain_text(f"withdrawn {short(today)}")
    expect(consent.get_by_role("link", name=re.compile("^Withdraw"))).to_have_count(0)
    page.goto(referral_url)
    expect(fact(page, "The recipient can see now")).to_have_text("nothing")

    page = page_b
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral {reference}")
    expect(page.locator("main")).not_to_contain_text(NAME)
    expect(section_heading(page, IDENTITY)).to_have_count(0)
    expect(section_heading(page, HEALTH)).to_have_count(0)
    expect(page.locator("main")).to_contain_text("No personal information is shared.")
    shot(page, artifacts, 8, "packet-after-withdrawal")
