"""The training simulator in headless Chromium: a trainee role-plays the readiness
checklist, runs the real interview on a staged scenario, gives a verdict after each stage
and reads its debrief, then the whole debrief (also in Khmer); the trainer sees the
group's results."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from haven.training.loader import shipped_scenarios
from tests.browser.conftest import PageFactory, SignIn
from tests.browser.test_case_management import DESKTOP, PHONE, assert_fits_phone
from tests.personas import World
from tests.training_world import build_training_world

pytestmark = pytest.mark.browser

SCENARIO = next(s for s in shipped_scenarios() if s.id == "kiln_at_home")
ANSWER_JS = """(answers) => {
  const names = new Set([...document.querySelectorAll('input[type=radio][name^="a_"]')]
    .map((e) => e.name));
  for (const name of names) {
    const value = answers[name.slice(2)] || "unknown";
    const radio = document.querySelector(`input[name="${name}"][value="${value}"]`);
    if (radio) radio.checked = true;
  }
}"""


def shot(page: Page, folder: Path, number: int, what: str) -> None:
    page.screenshot(path=folder / f"training-{number:02d}-{what}.png", full_page=True)


def interview(page: Page, answers: dict[str, str]) -> None:
    """Answer every screen of the interview as the story says, until the stage page."""
    for _screen in range(12):
        if "/quick/" not in page.url and "/follow-up/" not in page.url:
            return
        page.evaluate(ANSWER_JS, answers)
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_load_state()
    raise AssertionError("the interview did not end")


def test_a_trainee_completes_a_staged_scenario_with_a_debrief_after_each_stage(
    new_page: PageFactory,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    training = build_training_world()
    page = new_page(viewport=DESKTOP)
    sign_in(page, training.other_trainee)
    page.get_by_role("link", name="Training", exact=True).click()
    page.locator("#scenario-kiln_at_home").get_by_role("link", name="Start this scenario").click()

    # The readiness checklist, exactly as in real use.
    expect(page.get_by_role("heading", level=1)).to_have_text("Before the interview")
    page.get_by_role("button", name="Begin the screening").click()
    expect(page.locator(".error-box").first).to_be_visible()
    page.get_by_label("We are in a private space", exact=False).check()
    page.get_by_label("I explained the process", exact=False).check()
    page.get_by_label("I explained that the person may decline", exact=False).check()
    page.get_by_label("Consent").select_option("consent")
    page.get_by_label("I asked whether the person is in pain", exact=False).check()
    shot(page, artifacts, 1, "readiness")
    page.get_by_role("button", name="Begin the screening").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("About the situation")
    expect(page.locator("#story")).to_contain_text("Labour inspectors visit a brick kiln")
    page.get_by_label("Age at the time of the events", exact=False).fill("34")
    page.get_by_label("Forced labour or services").check()
    page.get_by_role("button", name="Continue").click()

    verdicts = ["Trafficking not indicated", "Indicators present", "Presumed victim"]
    for stage, verdict in zip(SCENARIO.stages, verdicts, strict=True):
        if "/stage/" in page.url:
            page.get_by_role("link", name="Quick screening").click()
        interview(page, stage.key_answers())
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Stage {stage.number} of {len(SCENARIO.stages)}"
        )
        expect(page.locator("#story")).to_contain_text(stage.facts.in_language("en")[:40])
        page.get_by_label(verdict).check()
        if stage.number == 1:
            shot(page, artifacts, 2, "stage-1-verdict")
        page.get_by_role("button", name="Give my verdict and see the debrief").click()
        debrief = page.locator(f"#debrief-{stage.number}")
        expect(debrief).to_contain_text(f"Debrief of stage {stage.number}")
        expect(debrief).to_contain_text("Your verdict agrees with the key.")
        expect(debrief).to_contain_text(stage.principle.in_language("en"))
        expect(debrief.locator("details").first).to_contain_text("Ruleset")
        shot(page, artifacts, 2 + stage.number, f"debrief-{stage.number}")
        if stage.number < len(SCENARIO.stages):
            page.get_by_role("link", name=f"Continue to stage {stage.number + 1}").click()

    page.get_by_role("link", name="See the whole debrief").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scenario completed")
    expect(page.locator("main")).to_contain_text("agreed with the key in 3 of 3 stages")
    shot(page, artifacts, 6, "complete-en")

    phone = new_page(viewport=PHONE)
    sign_in(phone, training.other_trainee)
    phone.goto(page.url)
    phone.get_by_label("Language", exact=True).select_option("km")
    phone.get_by_role("button", name="Change", exact=True).click()
    expect(phone.locator("html")).to_have_attribute("lang", "km")
    expect(phone.locator("main")).to_contain_text(SCENARIO.title.in_language("km"))
    assert_fits_phone(phone)
    shot(phone, artifacts, 7, "complete-km-phone")


def test_a_trainer_sees_the_groups_results(
    new_page: PageFactory,
    world: World,
    sign_in: SignIn,
    artifacts: Path,
) -> None:
    training = build_training_world()
    page = new_page(viewport=DESKTOP)
    sign_in(page, training.trainer)
    page.get_by_role("link", name="Training", exact=True).click()
    page.get_by_role("link", name="Group results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Group results")
    shot(page, artifacts, 8, "group-results")
    page.get_by_role("link", name="The boy at the traffic lights").click()
    expect(page.locator("main")).to_contain_text("1 attempts, 0 completed.")
    expect(page.locator("main")).to_contain_text("Indicators most often missed")
    shot(page, artifacts, 9, "scenario-results")
