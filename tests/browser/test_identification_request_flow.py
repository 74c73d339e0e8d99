"""A national referral mechanism across organisations, in headless Chromium: organisation A
(an NGO) presumes a person a victim under the nrm profile, whose competent authority for
the formal decisions is law enforcement; A sends organisation B (the police) an
identification request with what the person consented to share and the screenings; B's
determination officer finds it in the authority's queue with its target date, asks for
more information, reads A's answer and records the reasonable grounds decision; the
decision, its date and its basis come back to A's case, and A's team is told.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from haven.cases.actions import open_case
from haven.cases.models import Case
from haven.identification.status import IdentificationStatus
from haven.people.actions import create_person
from haven.referrals.actions import record_consent
from haven.referrals.models import Purpose
from tests.browser.conftest import PageFactory, SignIn
from tests.browser.test_case_management import (
    DESKTOP,
    PHONE,
    assert_fits_phone,
    expect_message,
    fact,
    field,
)
from tests.identification_requests import SHARED, authority_service
from tests.personas import World, consent_data

pytestmark = pytest.mark.browser

NAME = "Fixture Person Srey"
PRESUMED_BASIS = "Deceptive recruitment, passport withheld, debt for the journey."
QUESTION = "When did the recruiter first ask for the debt to be repaid?"
ANSWER = "On arrival, in March; she was told she owed three months' wages."
DECISION_BASIS = "Interview notes and screening: deception and debt bondage, reasonable grounds."
SERVICE = "Formal identification decisions · Fixture shelter B"


def shot(page: Page, folder: Path, number: int, what: str) -> None:
    page.screenshot(path=folder / f"identification-request-{number:02d}-{what}.png", full_page=True)


def test_ngo_presumes_the_authority_decides_and_the_decision_comes_back(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    base = live_server.url
    worker = world.user("A", Role.CASE_WORKER)
    officer = world.user("B", Role.DETERMINATION_OFFICER)
    # A's new case under the nrm profile, and the person's consent to share their identity
    # and screenings with B for formal identification (recorded as in test_referral_flow).
    person = create_person(worker, {"full_name": NAME, "gender": "Feminine", "citizenship": ["KH"]})
    case = open_case(
        worker,
        person,
        assigned_to=worker,
        opened_on=timezone.localdate() - dt.timedelta(days=2),
        summary="Fixture narrative, not shared",
    )
    Case.objects.filter(pk=case.pk).update(jurisdiction="nrm")
    record_consent(
        worker,
        case,
        consent_data(world.providers["B"], purpose=Purpose.IDENTIFICATION, categories=SHARED),
    )
    authority_service(world)
    case_url = f"{base}/cases/{case.reference}/"
    today = timezone.localdate()

    page_a = new_page(viewport=DESKTOP)
    page_b = new_page(viewport=DESKTOP)
    sign_in(page_a, worker)
    sign_in(page_b, officer)

    # --- 1. A presumes the person a victim. --------------------------------------------
    page = page_a
    page.goto(case_url)
    page.locator("#identification").get_by_role("link", name="Record the next step").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Identification: record the next step"
    )
    page.get_by_role("radio", name="Presumed victim", exact=True).check()
    field(page, "Basis").fill(PRESUMED_BASIS)
    page.get_by_role("button", name="Record").click()
    expect_message(page, "Identification status recorded.")
    expect(fact(page.locator("#identification"), "Status")).to_contain_text("Presumed victim")
    shot(page, artifacts, 1, "presumed")

    # --- 2. The decision is the authority's: A sends the request. ----------------------
    page.goto(f"{case_url}identification/")
    authority = page.locator("#authority")
    expect(authority).to_contain_text("taken by the competent authority")
    expect(page.get_by_role("radio", name=re.compile("^First decision"))).to_have_count(0)
    shot(page, artifacts, 2, "authority-decides")
    authority.get_by_role("link", name="Request the decision").click()
    expect(field(page, "Purpose")).to_have_value("identification")
    field(page, "Service").select_option(label=SERVICE)
    page.get_by_label("What is asked").fill("The reasonable grounds decision, please.")
    page.get_by_label("Identity: name, date of birth, identity documents", exact=True).check()
    page.get_by_label("Screening results", exact=True).check()
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Exactly what the recipient will see")
    expect(fact(preview, "Full name")).to_have_text(NAME)
    expect(preview).not_to_contain_text("Fixture narrative")
    page.get_by_role("button", name="Send the referral").click()
    expect_message(page, "Referral sent.")
    reference = page.get_by_role("heading", level=1).locator(".ref").inner_text().strip()
    request_url = f"{base}/cases/identification-requests/{reference}/"
    page.get_by_role("link", name="Messages and decision of the competent authority").click()
    expect(page).to_have_url(request_url)
    expect(fact(page, "Status")).to_have_text("Sent, waiting for an answer")
    expect(page.get_by_role("button", name="Record the decision")).to_have_count(0)
    shot(page, artifacts, 3, "request-sent")

    # --- 3. The authority finds it in its queue and asks for more. ---------------------
    page = page_b
    page.reload()
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Identification requests"
    ).click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row).to_contain_text("Test organisation A")
    expect(row).to_contain_text("Reasonable grounds decision")
    expect(row).not_to_contain_text(NAME)
    shot(page, artifacts, 4, "authority-queue")
    row.get_by_role("link", name=reference).click()
    expect(page).to_have_url(request_url)
    expect(fact(page, "Full name")).to_have_text(NAME)
    expect(page.locator("main")).not_to_contain_text("Fixture narrative")
    expect(page.locator("main")).not_to_contain_text(case.reference)
    field(page, "Message").fill(QUESTION)
    page.get_by_role("button", name="Ask for more information").click()
    expect_message(page, "Message sent.")
    expect(page.locator("#thread")).to_contain_text(QUESTION)
    # The case stays out of reach.
    response = page.goto(case_url)
    assert response is not None
    assert response.status == 404, f"B's officer got {response.status} for A's case"

    # --- 4. A is told, and answers. ----------------------------------------------------
    page = page_a
    page.goto(f"{base}/")
    notice = page.get_by_role("listitem").filter(has_text="New message on an identification")
    expect(notice).to_have_count(1)
    notice.get_by_role("link", name=reference).click()
    expect(page).to_have_url(request_url)
    expect(page.locator("#thread")).to_contain_text(QUESTION)
    field(page, "Message").fill(ANSWER)
    page.get_by_role("button", name="Send the answer").click()
    expect_message(page, "Message sent.")
    shot(page, artifacts, 5, "thread-answered")

    # --- 5. The authority decides. ----------------------------------------------------
    page = page_b
    page.goto(request_url)
    expect(page.locator("#thread")).to_contain_text(ANSWER)
    decide = page.locator("#decide")
    decide.get_by_role("radio", name=re.compile(r"^First decision: positive")).check()
    field(page, "Basis").fill(DECISION_BASIS)
    shot(page, artifacts, 6, "authority-decides-form")
    decide.get_by_role("button", name="Record the decision").click()
    expect_message(page, "Decision recorded and sent back to the requesting organisation.")
    expect(fact(page, "Status")).to_have_text("Decided")
    expect(page.locator("#decide")).to_have_count(0)
    page.set_viewport_size(PHONE)
    page.reload()
    shot(page, artifacts, 7, "decided-phone")
    assert_fits_phone(page)

    # --- 6. The decision is on A's case, and A's team was told. ------------------------
    page = page_a
    page.goto(f"{base}/")
    expect(
        page.get_by_role("listitem")
        .filter(has_text="Identification")
        .filter(has_text=case.reference)
    ).not_to_have_count(0)
    page.goto(case_url)
    section = page.locator("#identification")
    expect(fact(section, "Status")).to_contain_text("First decision: positive")
    history = section.get_by_role("row").filter(has_text=DECISION_BASIS)
    expect(history).to_contain_text("Test organisation B")
    earliest = today + dt.timedelta(days=30)
    assert Case.objects.get(pk=case.pk).final_decision_earliest == earliest
    assert Case.objects.get(pk=case.pk).identification_status == IdentificationStatus.FIRST_POSITIVE
    shot(page, artifacts, 8, "case-updated")
