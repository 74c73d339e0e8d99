"""Manage a case in headless Chromium as the people who do it: the case worker presumes the
person a victim, the determination officer takes the first decision, the case worker
records services (one declined, then taken up), moves the case to follow-up and records a
check-in, and asks to close it; the supervisor approves the closure from the home page.

Each person signs in once, in a browser context of their own, and keeps their page open.
Dates are read as the app shows them ("j M Y"), computed from the generic jurisdiction.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from haven.assistance.actions import FOLLOW_UP_DAYS
from haven.identification import jurisdictions
from tests.browser.conftest import PageFactory, SignIn
from tests.browser.test_walkthrough import OVERFLOWING
from tests.personas import World

pytestmark = pytest.mark.browser

# Each check-in's link names its date, so a screen reader's list of links tells them apart.
RECORD_LINK = re.compile(r"^Record: ")

PHONE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 720}
PRESUMPTION_BASIS = "Screening found deceptive recruitment and withheld wages."
DECISION_BASIS = "Interview of 3 March and labour inspection report: forced labour."
DECLINE_NOTE = "Not ready to talk to a lawyer yet."


# --- helpers ------------------------------------------------------------------------


def shot(page: Page, folder: Path, number: int, what: str) -> None:
    page.screenshot(path=folder / f"case-{number:02d}-{what}.png", full_page=True)


def short(day: dt.date) -> str:
    """A date as the app shows it (SHORT_DATE_FORMAT "j M Y", English)."""
    return f"{day.day} {day.strftime('%b')} {day.year}"


def fact(scope: Page | Locator, term: str) -> Locator:
    """The <dd> that follows the <dt> reading `term`."""
    return scope.locator(f"xpath=.//dt[normalize-space()='{term}']/following-sibling::dd[1]")


def field(page: Page, label: str) -> Locator:
    """A form field by its whole label, which Django ends with a colon."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def case_status(page: Page) -> Locator:
    return fact(page, "Case status")


def identification(page: Page) -> Locator:
    return page.locator("#identification")


def identification_status(page: Page) -> Locator:
    return fact(identification(page), "Status").locator("strong")


def stage_items(page: Page, stage: str) -> Locator:
    """The list items (objectives and services) under one stage's heading in Assistance."""
    return page.locator(
        "xpath=//section[@id='assistance']"
        f"/ul[preceding-sibling::h3[1][normalize-space()='{stage}']]/li"
    )


def service_item(page: Page, kind: str) -> Locator:
    return stage_items(page, "Initial protection").filter(
        has=page.locator("strong", has_text=re.compile(f"^{re.escape(kind)}$"))
    )


def follow_up_item(page: Page, due_on: dt.date) -> Locator:
    return page.locator("#follow-ups li").filter(
        has_text=re.compile(rf"^\s*{re.escape(short(due_on))} ·")
    )


def expect_message(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def open_case_from_list(page: Page, reference: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    expect(page.get_by_role("heading", level=1, name="Cases")).to_be_visible()
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {reference}")


def assert_fits_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (
        f"{page.url} is {width} px wide on a {PHONE['width']} px phone; "
        f"culprits: {page.evaluate(OVERFLOWING, PHONE['width'])}"
    )


# --- the walk -----------------------------------------------------------------------


def test_case_from_presumption_through_services_and_follow_up_to_approved_closure(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    base = live_server.url
    case = world.cases["A"]
    reference = case.reference
    case_url = f"{base}/cases/{reference}/"
    worker = world.user("A", Role.CASE_WORKER)
    officer = world.user("A", Role.DETERMINATION_OFFICER)
    supervisor = world.user("A", Role.SUPERVISOR)
    generic = jurisdictions.get("generic")
    assert case.jurisdiction == generic.id
    today = timezone.localdate()

    # Each person in a browser of their own, signed in once.
    worker_page = new_page(viewport=DESKTOP)
    officer_page = new_page(viewport=DESKTOP)
    supervisor_page = new_page(viewport=DESKTOP)
    sign_in(worker_page, worker)
    sign_in(officer_page, officer)
    sign_in(supervisor_page, supervisor)

    # --- 1. The case worker presumes the person a victim. ------------------------------
    page = worker_page
    open_case_from_list(page, reference)
    expect(identification_status(page)).to_have_text("Screened")
    expect(case_status(page)).to_have_text("Active")
    expect(identification(page)).to_contain_text("No step recorded yet.")
    identification(page).get_by_role("link", name="Record the next step").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Identification: record the next step"
    )
    expect(fact(page, "Now")).to_have_text("Screened")
    # A case worker may presume, or record that the person withdrew; no formal decision
    # (deciding that someone is not a victim is one).
    expect(page.get_by_role("radio")).to_have_count(2)
    expect(page.get_by_role("radio", name="Not a victim")).to_have_count(0)
    expect(page.get_by_role("radio", name="Presumed victim", exact=True)).to_be_visible()
    expect(page.get_by_role("radio", name="First decision: positive")).to_have_count(0)
    page.get_by_role("radio", name="Presumed victim", exact=True).check()
    page.get_by_label("Date of the decision or event").fill(today.isoformat())
    page.get_by_label("Basis").fill(PRESUMPTION_BASIS)
    shot(page, artifacts, 1, "identification-form")
    page.get_by_role("button", name="Record", exact=True).click()

    expect(page).to_have_url(f"{case_url}#identification")
    expect_message(page, "Identification status recorded.")
    expect(identification_status(page)).to_have_text("Presumed victim")
    first_due = generic.first_decision_due(today)
    assert first_due is not None
    expect(fact(identification(page), generic.first_decision.name)).to_have_text(
        f"target date {short(first_due)}"
    )
    reflection_start, reflection_end = generic.reflection_period(today)
    reflection = fact(identification(page), "Reflection and recovery period")
    expect(reflection).to_contain_text(f"{short(reflection_start)} to {short(reflection_end)}")
    expect(reflection).to_contain_text("The person may not be removed from the country")

    # The first decision is the determination officer's: it is not offered to the worker.
    identification(page).get_by_role("link", name="Record the next step").click()
    expect(fact(page, "Now")).to_have_text("Presumed victim")
    expect(page.get_by_role("radio", name="Person withdrew")).to_be_visible()
    expect(page.get_by_role("radio", name="First decision: positive")).to_have_count(0)
    expect(page.get_by_role("radio", name="First decision: negative")).to_have_count(0)
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(f"{case_url}#identification")

    # --- 2. The determination officer takes the first decision. ------------------------
    page = officer_page
    open_case_from_list(page, reference)
    expect(identification_status(page)).to_have_text("Presumed victim")
    identification(page).get_by_role("link", name="Record the next step").click()
    positive = page.get_by_role("radio", name="First decision: positive")
    expect(positive).to_be_visible()
    expect(page.get_by_role("radio", name="First decision: negative")).to_be_visible()
    # A formal decision without its basis is refused, and nothing is saved.
    positive.check()
    page.get_by_label("Date of the decision or event").fill(today.isoformat())
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Say on what basis the decision was taken.")
    page.get_by_label("Basis").fill(DECISION_BASIS)
    page.get_by_role("button", name="Record", exact=True).click()

    expect(page).to_have_url(f"{case_url}#identification")
    expect_message(page, "Identification status recorded.")
    expect(identification_status(page)).to_have_text("First decision: positive")
    expect(fact(identification(page), generic.first_decision.name)).to_have_count(0)
    earliest, final_due = generic.final_decision_window(today)
    assert final_due is not None
    expect(fact(identification(page), generic.final_decision.name)).to_have_text(
        f"from {short(earliest)}, target date {short(final_due)}"
    )
    rows = identification(page).locator("tbody tr")
    expect(rows).to_have_count(2)
    presumed, decided = rows.nth(0).locator("td"), rows.nth(1).locator("td")
    expect(presumed.nth(0)).to_have_text(short(today))
    expect(presumed.nth(1)).to_contain_text("Screened → Presumed victim")
    expect(presumed.nth(1)).to_contain_text(generic.presumption.name)
    expect(presumed.nth(2)).to_contain_text(f"{worker.username} · Test organisation A")
    expect(presumed.nth(3)).to_have_text(PRESUMPTION_BASIS)
    expect(decided.nth(0)).to_have_text(short(today))
    expect(decided.nth(1)).to_contain_text("Presumed victim → First decision: positive")
    expect(decided.nth(1)).to_contain_text(generic.first_decision.name)
    expect(decided.nth(2)).to_contain_text(f"{officer.username} · Test organisation A")
    expect(decided.nth(2)).to_contain_text("(Non-governmental organisation)")
    expect(decided.nth(3)).to_have_text(DECISION_BASIS)
    shot(page, artifacts, 2, "first-decision")

    # --- 3. The case worker records services; one is declined, then taken up. ----------
    page = worker_page
    page.goto(case_url)
    expect(identification_status(page)).to_have_text("First decision: positive")
    page.get_by_role("link", name="Record a service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a service")
    expect(page.get_by_label("Stage of protection")).to_have_value("initial")
    field(page, "Service").select_option(label="Safe accommodation")
    page.get_by_label("Delivered", exact=True).check()
    field(page, "Date").fill(today.isoformat())
    page.get_by_label("Provider").fill("City shelter")
    shot(page, artifacts, 3, "service-form")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{case_url}#assistance")
    expect_message(page, "Service recorded.")

    page.get_by_role("link", name="Record a service").click()
    field(page, "Service").select_option(label="Legal assistance")
    page.get_by_label("Declined by the person", exact=True).check()
    field(page, "Date").fill(today.isoformat())
    field(page, "If the person declined: why (they need not say)").select_option(
        label="Does not need it now"
    )
    page.get_by_label("Note").fill(DECLINE_NOTE)
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{case_url}#assistance")
    expect_message(page, "Service recorded.")

    accommodation = service_item(page, "Safe accommodation")
    legal = service_item(page, "Legal assistance")
    expect(accommodation).to_contain_text(f"Safe accommodation · Delivered · {short(today)}")
    expect(accommodation).to_contain_text("City shelter")
    expect(legal).to_contain_text(
        f"Legal assistance · Declined by the person (Does not need it now) · {short(today)}"
    )
    expect(legal).to_contain_text(DECLINE_NOTE)
    # Declining a service closes nothing.
    expect(case_status(page)).to_have_text("Active")

    # The person came back and wants the lawyer after all.
    legal.get_by_role("link", name="Update: Legal assistance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Service")
    expect(field(page, "Service")).to_have_value("legal")
    expect(page.get_by_label("Declined by the person", exact=True)).to_be_checked()
    expect(field(page, "Date")).to_have_value(today.isoformat())
    page.get_by_label("Delivered", exact=True).check()
    page.get_by_label("Note").fill("Came back and asked for the lawyer.")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{case_url}#assistance")
    expect_message(page, "Service saved.")
    expect(legal).to_contain_text(f"Legal assistance · Delivered · {short(today)}")
    expect(legal).not_to_contain_text("Declined")
    expect(case_status(page)).to_have_text("Active")

    # --- 4. Follow-up: the case moves on, check-ins are planned and one is recorded. ----
    page.get_by_role("button", name="Move to follow-up").click()
    expect(page).to_have_url(f"{case_url}#status")
    expect_message(page, "Case status changed.")
    expect(case_status(page)).to_have_text("Follow-up")
    expect(page.get_by_role("button", name="Back to active")).to_be_visible()

    page.get_by_role("link", name="Schedule follow-ups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule reintegration follow-ups")
    page.get_by_label("Check-ins counted from").fill(today.isoformat())
    page.get_by_role("button", name="Schedule").click()
    expect(page).to_have_url(f"{case_url}#follow-ups")
    expect_message(page, "Follow-ups scheduled.")
    check_ins = [today + dt.timedelta(days=days) for days in FOLLOW_UP_DAYS]
    assert len(check_ins) == 4
    for due_on in check_ins:
        item = follow_up_item(page, due_on)
        expect(item).to_have_count(1)
        expect(item).to_contain_text("planned")
        expect(item.get_by_role("link", name=RECORD_LINK)).to_be_visible()

    follow_up_item(page, check_ins[0]).get_by_role("link", name=RECORD_LINK).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a follow-up")
    page.get_by_label("Done on").fill(today.isoformat())
    page.get_by_label("Outcome").select_option(label="Doing well")
    page.get_by_label("Note").fill("Working at a bakery, sleeping well.")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{case_url}#follow-ups")
    expect_message(page, "Follow-up recorded.")
    done = follow_up_item(page, check_ins[0])
    expect(done).to_contain_text(f"done {short(today)}: Doing well")
    expect(done.get_by_role("link", name=RECORD_LINK)).to_have_count(0)
    for due_on in check_ins[1:]:
        expect(follow_up_item(page, due_on)).to_contain_text("planned")

    # The whole case page fits a phone.
    page.set_viewport_size(PHONE)
    page.goto(case_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {reference}")
    shot(page, artifacts, 4, "phone")
    assert_fits_phone(page)
    page.set_viewport_size(DESKTOP)

    # --- 5. Closing needs a supervisor's approval. --------------------------------------
    page.get_by_role("link", name="Request closing the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request closing the case")
    page.get_by_label("Closed", exact=True).check()
    page.get_by_label("Reason").select_option(label="Support plan objectives met")
    page.get_by_role("button", name="Request closure").click()
    expect(page).to_have_url(f"{case_url}#status")
    expect_message(page, "Closure requested. A supervisor will approve or refuse it.")
    expect(case_status(page)).to_have_text("Follow-up · closure waiting for approval")
    status = page.locator("#status")
    expect(status).to_contain_text("Closure as “Closed” requested: Support plan objectives met")
    # The worker cannot approve their own request, nor ask twice.
    expect(page.get_by_role("button", name="Approve closing")).to_have_count(0)
    expect(page.get_by_role("link", name="Request closing the case")).to_have_count(0)

    page = supervisor_page
    page.goto(f"{base}/")
    due = page.locator("section").filter(
        has=page.get_by_role("heading", level=2, name="Due", exact=True)
    )
    pending = due.get_by_role("listitem").filter(has_text="Closure waiting for approval")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text(f"{short(today)} · Closure waiting for approval · {reference}")
    expect(pending).to_contain_text(worker.username)
    shot(page, artifacts, 5, "supervisor-home")
    pending.get_by_role("link", name=reference).click()
    expect(page).to_have_url(case_url)
    expect(case_status(page)).to_have_text("Follow-up · closure waiting for approval")
    page.get_by_role("button", name="Approve closing").click()
    expect(page).to_have_url(f"{case_url}#status")
    expect_message(page, "Closure approved.")
    expect(case_status(page)).to_have_text("Closed")
    expect(page.locator("#status")).to_contain_text(f"Closed · closed {short(today)}")
    expect(page.get_by_role("button", name="Approve closing")).to_have_count(0)
    shot(page, artifacts, 6, "closed")

    # The case worker sees a closed case, which only reopening changes.
    page = worker_page
    page.goto(case_url)
    expect(case_status(page)).to_have_text("Closed")
    expect(page.get_by_role("link", name="Record a service")).to_have_count(0)
    expect(page.get_by_role("link", name="Request closing the case")).to_have_count(0)
    page.get_by_role("button", name="Reopen the case").click()
    expect_message(page, "Case reopened.")
    expect(case_status(page)).to_have_text("Active")
