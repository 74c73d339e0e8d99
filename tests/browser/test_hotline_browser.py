"""The hotline in headless Chromium: an operator takes an SOS call on a phone-sized
screen, the supervisor on duty sees the alert on their home page and acknowledges it; a
tip about a third person becomes a lead (no person record); the call volume chart; and
the SOS screen in Khmer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from haven.hotline import actions
from haven.hotline.models import Lead, SosAlert
from haven.people.models import Person
from tests.browser.conftest import PageFactory, SignIn
from tests.browser.test_case_management import (
    DESKTOP,
    PHONE,
    assert_fits_phone,
    expect_message,
    field,
)
from tests.personas import World

pytestmark = pytest.mark.browser


def shot(page: Page, folder: Path, number: int, what: str) -> None:
    page.screenshot(path=folder / f"hotline-{number:02d}-{what}.png", full_page=True)


def test_an_sos_call_alerts_the_supervisor_on_duty_who_acknowledges_it(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    operator = world.user("A", Role.HOTLINE_OPERATOR)
    supervisor = world.user("A", Role.SUPERVISOR)
    now = timezone.now()
    actions.set_duty(
        supervisor, supervisor=supervisor, starts_at=now, ends_at=now + dt.timedelta(hours=8)
    )

    phone = new_page(viewport=PHONE)
    sign_in(phone, operator)
    phone.goto(f"{live_server.url}/hotline/sos/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("SOS call")
    # Nothing typed in: refused with the reason, nothing saved.
    phone.get_by_role("button", name="Alert the supervisor on duty").click()
    expect(phone.locator("main")).to_contain_text("Nothing was saved")
    assert SosAlert.objects.count() == 0
    phone.get_by_label("Region").select_option("KH-12")
    field(phone, "Where").fill("Behind the fish market, blue door (TEST)")
    field(phone, "Who is in danger").fill("Two young women (TEST)")
    field(phone, "What danger").fill("Locked in, phones taken (TEST)")
    shot(phone, artifacts, 1, "sos-phone")
    assert_fits_phone(phone)
    phone.get_by_role("button", name="Alert the supervisor on duty").click()
    expect_message(phone, "The supervisor on duty has been alerted.")
    expect(phone.locator("#sos")).to_contain_text("Not yet: the supervisors were alerted.")
    alert = SosAlert.objects.get()
    assert list(alert.alerted.all()) == [supervisor]

    desk = new_page(viewport=DESKTOP)
    sign_in(desk, supervisor)
    box = desk.locator("#sos-alerts")
    expect(box).to_contain_text("An SOS call waits for a supervisor")
    expect(box).to_contain_text("Locked in, phones taken")
    shot(desk, artifacts, 2, "supervisor-home")
    box.get_by_role("link", name="Open the SOS alerts").click()
    card = desk.locator(f"#alert-{alert.pk}")
    expect(card).to_contain_text("Phnom Penh")
    card.get_by_role("button", name="I have it in hand").click()
    expect_message(desk, "SOS acknowledged: you have it in hand.")
    expect(desk.locator("main")).to_contain_text("No SOS waits.")
    shot(desk, artifacts, 3, "acknowledged")
    alert.refresh_from_db()
    assert alert.acknowledged_by == supervisor


def test_a_tip_becomes_a_lead_not_a_person(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    operator = world.user("A", Role.HOTLINE_OPERATOR)
    people = Person.objects.count()
    page = new_page(viewport=DESKTOP)
    sign_in(page, operator)
    page.goto(f"{live_server.url}/hotline/new/")
    field(page, "Channel").select_option("phone")
    field(page, "Who called").select_option("family_member")
    field(page, "Topic").select_option("tip")
    field(page, "Language of the call").select_option("km")
    page.get_by_label("Where (region)").select_option("KH-3")
    page.get_by_label("Checking a job offer").check()
    page.get_by_label("Advice only").check()
    shot(page, artifacts, 4, "call-form")
    page.get_by_role("button", name="Save the call").click()
    expect_message(page, "Call logged.")
    expect(page.locator("main")).to_contain_text("Checking a job offer")
    page.get_by_role("link", name="Record a tip about a third person", exact=False).click()
    field(page, "Sector").select_option("A_AgricultureForestryAndFishing")
    field(page, "What the tip says").fill("Workers on a fishing boat never come ashore (TEST)")
    page.get_by_role("button", name="Open the lead").click()
    expect_message(page, "Lead opened. No person record was made.")
    expect(page.locator("main")).to_contain_text("Workers on a fishing boat")
    shot(page, artifacts, 5, "lead")
    assert Lead.objects.count() == 1
    assert Person.objects.count() == people

    # The supervisor assigns it to an outreach worker.
    supervisor = new_page(viewport=DESKTOP)
    sign_in(supervisor, world.user("A", Role.SUPERVISOR))
    supervisor.goto(f"{live_server.url}/hotline/leads/{Lead.objects.get().pk}/")
    field(supervisor, "Outreach worker").select_option(label="a-case_worker")
    supervisor.get_by_role("button", name="Assign").click()
    expect_message(supervisor, "Lead assigned.")
    expect(supervisor.locator("main")).to_contain_text("Assigned to an outreach worker")
    shot(supervisor, artifacts, 6, "lead-assigned")


def test_the_call_volume_chart_and_the_sos_screen_in_khmer(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    operator = world.user("A", Role.HOTLINE_OPERATOR)
    for days in range(20):
        for _ in range(3):
            actions.log_call(
                operator,
                channel="phone",
                caller_type="unknown",
                topic="job_offer",
                language="km",
                outcome="advice_only",
                country="KH",
                region="KH-12",
                received_at=timezone.now() - dt.timedelta(days=days),
            )
    page = new_page(viewport=DESKTOP)
    sign_in(page, world.user("A", Role.SUPERVISOR))
    page.goto(f"{live_server.url}/hotline/volume/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Call volume")
    expect(page.locator("main")).to_contain_text("Phnom Penh")
    shot(page, artifacts, 7, "volume")

    khmer = new_page(viewport=PHONE)
    sign_in(khmer, operator)
    khmer.context.add_cookies([{"name": "django_language", "value": "km", "url": live_server.url}])
    khmer.goto(f"{live_server.url}/hotline/sos/")
    expect(khmer.locator("html")).to_have_attribute("lang", "km")
    shot(khmer, artifacts, 8, "sos-khmer")
    assert_fits_phone(khmer)
