"""The person's journey across people and organisations, in headless Chromium.

A screener of organisation A screened someone (presumed victim, urgent medical need) and
hands them over; a supervisor sees them waiting and gives them a case worker in one step;
the case worker is told, finds the screening on the case and refers the person to
organisation B's shelter, sharing identity and the screening's summary as consented; B's
case worker is told, reads the packet, accepts, and opens a case at B pre-filled with what
the person consented to share.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from haven.cases.models import Case, Intake
from haven.core.management.commands.demo import SCREENINGS
from haven.people.actions import create_person
from haven.referrals.actions import record_consent
from haven.referrals.models import Referral
from haven.screening import actions as screening_actions
from haven.screening import engine
from haven.screening.models import Screening
from tests.browser.conftest import PageFactory, SignIn
from tests.browser.test_case_management import DESKTOP, PHONE, assert_fits_phone, expect_message
from tests.personas import READY, World, consent_data

pytestmark = pytest.mark.browser

NAME = "Journey Sample Person"
SERVICE = "Safe accommodation · Fixture shelter B"
ASKED = "A safe bed tonight and a doctor tomorrow."


def shot(page: Page, folder: Path, number: int, what: str) -> None:
    page.screenshot(path=folder / f"journey-{number:02d}-{what}.png", full_page=True)


def screened_person(world: World) -> Screening:
    """What the screener did before this walk: recorded the person, screened them."""
    screener = world.user("A", Role.SCREENER)
    person = create_person(
        screener,
        {"full_name": NAME, "gender": "Feminine", "citizenship": ["KH"], "languages": ["km"]},
    )
    spec = SCREENINGS["adult_labour"]
    screening = screening_actions.start_screening(screener, readiness=READY, person=person)
    screening_actions.set_profile(
        screener,
        screening,
        {**spec["profile"], "interview_language": "en"},
        expected_version=screening.version,
    )
    answers = {**spec["answers"], "protection_urgent_medical_need": "yes"}
    screening_actions.record_answers(
        screener, screening, None, answers, {}, expected_version=screening.version
    )
    outcome = engine.evaluate(screening.profile, screening.answers, "en").outcome
    screening_actions.complete(
        screener, screening, judgement=outcome, reason="", expected_version=screening.version
    )
    return screening


def test_screener_to_intake_to_case_worker_to_referral_to_a_case_at_the_receiver(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    base = live_server.url
    screening = screened_person(world)
    assert screening.outcome == "presumed_victim"

    # --- 1. The screener hands the person over. -----------------------------------------
    page = new_page(viewport=PHONE)
    sign_in(page, world.user("A", Role.SCREENER))
    page.goto(f"{base}/screenings/{screening.reference}/result/")
    casework = page.locator("#casework")
    casework.get_by_role("button", name="Hand over to casework").click()
    expect_message(page, "Handed over: the person waits in the intake queue for a case worker.")
    expect(page.locator("#casework")).to_contain_text("waiting in the intake queue")
    shot(page, artifacts, 1, "handed-over-phone")
    assert_fits_phone(page)

    # --- 2. A supervisor sees who waits, and assigns in one step. -----------------------
    page = new_page(viewport=DESKTOP)
    sign_in(page, world.user("A", Role.SUPERVISOR))
    waiting = page.locator("#intake")
    expect(waiting).to_contain_text("1 person handed over from a screening waits")
    expect(waiting).to_contain_text("Urgent")
    expect(waiting).not_to_contain_text(NAME)
    shot(page, artifacts, 2, "supervisor-home")
    waiting.get_by_role("link", name="Assign case workers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Intake queue")
    item = page.locator("article.intake")
    expect(item).to_contain_text("Urgent medical need")
    expect(item).to_contain_text("The person has no active case: assigning opens one.")
    item.get_by_label("Case worker").select_option(label="a-case_worker")
    shot(page, artifacts, 3, "intake-queue")
    item.get_by_role("button", name="Assign").click()
    expect_message(page, "The case worker was given the person and told on their home page.")
    expect(page.locator("main")).to_contain_text("Nobody is waiting for a case worker.")
    case = Case.objects.get(person=screening.person)
    assert Intake.objects.get(screening=screening).case == case

    # --- 3. The case worker is told, and finds the screening on the case. ---------------
    page = new_page(viewport=DESKTOP)
    worker = world.user("A", Role.CASE_WORKER)
    sign_in(page, worker)
    news = page.locator("section").filter(has=page.get_by_role("heading", name="New for you"))
    expect(news).to_contain_text("Screening handed over to casework")
    news.get_by_role("link", name=case.reference).first.click()
    expect(page).to_have_url(f"{base}/cases/{case.reference}/")
    history = page.locator("section").filter(
        has=page.get_by_role("heading", name="Screenings over time")
    )
    expect(history).to_contain_text(screening.reference)
    expect(history).to_contain_text("Presumed victim")
    shot(page, artifacts, 4, "case-with-screening")

    # The person consented (recorded on paper, typed in earlier) to share identity and
    # the screening's results with Fixture shelter B.
    record_consent(
        worker,
        case,
        consent_data(world.providers["B"], categories=["identity", "screening"]),
    )

    # --- 4. The case worker refers the person to B's shelter. ---------------------------
    page.reload()
    page.locator("#referrals").get_by_role("link", name="Refer to a service").click()
    page.get_by_label("Service").select_option(label=SERVICE)
    page.get_by_label("What is asked").fill(ASKED)
    page.get_by_label("Identity: name, date of birth, identity documents", exact=True).check()
    page.get_by_label("Screening results", exact=True).check()
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Exactly what the recipient will see")
    expect(preview).to_contain_text(NAME)
    expect(preview).to_contain_text("Presumed victim")
    expect(preview).to_contain_text("Urgent medical need")
    page.get_by_role("button", name="Send the referral").click()
    expect_message(page, "Referral sent.")
    referral = Referral.objects.get(case=case)
    shot(page, artifacts, 5, "referral-sent")

    # --- 5. B is told, reads the packet, accepts and opens a case. ----------------------
    page = new_page(viewport=DESKTOP)
    sign_in(page, world.user("B", Role.CASE_WORKER))
    news = page.locator("section").filter(has=page.get_by_role("heading", name="New for you"))
    expect(news).to_contain_text("New incoming referral")
    incoming = page.locator("#incoming")
    expect(incoming).to_contain_text(referral.reference)
    shot(page, artifacts, 6, "receiver-home")
    incoming.get_by_role("link", name=referral.reference).click()
    expect(page.locator("main")).to_contain_text(NAME)
    expect(page.locator("main")).to_contain_text("Presumed victim")
    expect(page.locator("main")).not_to_contain_text(case.reference)
    page.get_by_label("We can help: accept").check()
    page.get_by_role("button", name="Send the answer").click()
    expect_message(page, "Referral accepted.")
    page.get_by_role("link", name="Open a case for this person").click()
    expect(
        page.get_by_role("heading", level=2, name=re.compile("Taking on referral"))
    ).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value(NAME)
    expect(page.get_by_label("Phone")).to_have_value("")  # contact details were not consented
    shot(page, artifacts, 7, "receiver-prefilled")
    page.get_by_role("button", name="Save").click()
    expect_message(page, "Case opened for the referral.")
    referral.refresh_from_db()
    assert referral.receiver_case is not None
    assert referral.receiver_case.organisation == world.orgs["B"]
    expect(page).to_have_url(f"{base}/cases/{referral.receiver_case.reference}/")
    expect(page.locator("main")).to_contain_text(ASKED)
    shot(page, artifacts, 8, "receiver-case")
