"""A Burmese translator reviews interview questions on a phone; an admin accepts the
proposal on a desktop; the next Burmese interview reads the accepted wording."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from haven.translations.models import Proposal, ProposalStatus, Review, ReviewState
from tests.browser.conftest import PageFactory, SignIn
from tests.browser.test_case_management import DESKTOP, PHONE, assert_fits_phone
from tests.personas import World

pytestmark = pytest.mark.browser

KEY = "excessive_working_hours:child"
WORDING = "အလုပ်ချိန် အရမ်းများပြီး အနားယူချိန်၊ ကစားချိန် မရှိဘူးလား။"


def burmese(page: Page, base: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "my", "url": base}])


def test_review_on_a_phone_in_burmese_then_accept(
    new_page: PageFactory,
    live_server: LiveServer,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    base = live_server.url
    translator = world.user("A", Role.TRANSLATOR)
    page = new_page(viewport=PHONE)
    sign_in(page, translator)
    burmese(page, base)

    page.goto(f"{base}/translations/")
    expect(page.locator("html")).to_have_attribute("lang", "my")
    expect(page.locator("a[href='/translations/my/question/']")).to_be_visible()
    expect(page.locator("a[href^='/translations/th/']")).to_have_count(0)
    assert_fits_phone(page)
    page.screenshot(path=artifacts / "translations-index-my-phone.png", full_page=True)

    page.goto(f"{base}/translations/my/question/?state=draft")
    assert_fits_phone(page)
    page.screenshot(path=artifacts / "translations-list-my-phone.png", full_page=True)

    page.goto(f"{base}/translations/my/question/{KEY}/")
    expect(page.locator("dd[lang=en]")).to_contain_text("Do you have to work for many hours")
    assert_fits_phone(page)
    page.screenshot(path=artifacts / "translations-review-my-phone.png", full_page=True)

    # "Needs change" without a note is refused in Burmese, and nothing is saved.
    page.locator("input[name=state][value=needs_change]").check()
    page.locator("form[action$='/review/'] button[type=submit]").click()
    expect(page.locator("form[action$='/review/'] .error-box")).to_be_visible()
    assert not Review.objects.exists()

    page.locator("textarea[name=text]").fill(WORDING)
    page.locator("form[action$='/propose/'] button[type=submit]").click()
    expect(page.locator("ul li span[lang=my]").first).to_have_text(WORDING)
    page.screenshot(path=artifacts / "translations-proposed-my-phone.png", full_page=True)
    proposal = Proposal.objects.get()
    assert proposal.status == ProposalStatus.OPEN

    admin = new_page(viewport=DESKTOP)
    sign_in(admin, world.user("B", Role.ORG_ADMIN))
    admin.goto(f"{base}/translations/proposals/")
    expect(admin.locator(".wording[lang=my]")).to_have_text(WORDING)
    admin.get_by_role("button", name="Accept").click()
    expect(admin.get_by_text("No proposal is waiting.")).to_be_visible()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED

    page.goto(f"{base}/translations/my/question/{KEY}/")
    expect(page.locator("dd.wording")).to_have_text(WORDING)
    review = Review.objects.get(key=KEY)
    assert (review.state, review.by_id) == (ReviewState.REVIEWED, translator.pk)
