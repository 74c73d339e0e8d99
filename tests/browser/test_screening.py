"""Walk the guided screening interview in headless Chromium as a frontline screener would:
the readiness checklist, the profile, every topic screen in order, the result with its
reasons, and the screener's own judgement; a child's interview; pausing and resuming; and a
suspension for urgent medical care. The topic and result pages must also fit a phone.

Questions are found by the English wording in the indicator files, answers by the label a
screener reads, so a changed question or label shows up here as a failure.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from haven.accounts.roles import Role
from haven.screening import engine
from haven.screening.actions import complete, record_answers
from haven.screening.models import Screening, ScreeningStatus
from haven.screening_engine import default_catalogue
from haven.screening_engine.replay import full_interview, load_worked_cases
from tests.browser.conftest import SignIn
from tests.browser.test_walkthrough import OVERFLOWING
from tests.personas import World

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 720}
YES, NO, UNKNOWN, DECLINED = "Yes", "No", "Don't know", "Prefers not to say"
# The topic screens in interview order, as their headings read.
TOPICS = (
    "Safety and immediate needs",
    "Background",
    "Recruitment",
    "The journey",
    "Work and living conditions",
    "Control and freedom",
    "The person's own wishes",
)
SUSPENDED_HEADING = "Screening suspended: get medical care now"


# --- helpers ------------------------------------------------------------------------


def shot(page: Page, folder: Path, number: int, what: str, *, full_page: bool = True) -> None:
    """Keep a picture of the page; only what is in view when `full_page` is off."""
    page.screenshot(path=folder / f"screening-{number:02d}-{what}.png", full_page=full_page)


def question(ident: str, *, child: bool = False) -> str:
    """The English question for an indicator, as the interview shows it."""
    return default_catalogue().by_id[ident].question("en", child=child)


def topic_ids(topic: str) -> list[str]:
    """The questions of one topic screen, in the order the screen shows them."""
    return [indicator.id for indicator in engine.indicators_for(topic)]


def statement(ident: str) -> str:
    return default_catalogue().by_id[ident].statement_in("en")


def question_group(page: Page, ident: str, *, child: bool = False) -> Locator:
    """The fieldset of one question, found by its legend (the question itself)."""
    return page.get_by_role("group", name=question(ident, child=child), exact=True)


def assert_fits_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (
        f"{page.url} is {width} px wide on a {PHONE['width']} px phone; "
        f"culprits: {page.evaluate(OVERFLOWING, PHONE['width'])}"
    )


def open_screenings(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Screenings").click()
    expect(page.get_by_role("heading", level=1, name="Screenings")).to_be_visible()


def complete_readiness(
    page: Page,
    *,
    child: bool = False,
    medical_urgent: bool = False,
    folder: Path | None = None,
    open_form: bool = True,
) -> None:
    """Start a screening from the list (unless its page is already open) and tick the
    checklist of a safe interview."""
    if open_form:
        open_screenings(page)
        page.get_by_role("link", name="Start a screening").click()
    expect(page.get_by_role("heading", level=1, name="Before the interview")).to_be_visible()
    page.get_by_label("We are in a private space where others cannot overhear").check()
    page.get_by_label("Who else is present (roles only, no names)").fill("support worker")
    page.get_by_label("An interviewer of the same sex was offered").check()
    page.get_by_label("I explained the process, that this is not an interrogation").check()
    page.get_by_label("I explained that the person may decline any question").check()
    page.get_by_label("Consent").select_option(
        label="Child: the child assents and a guardian consents"
        if child
        else "The person consents to the interview"
    )
    page.get_by_label("I asked whether the person is in pain or needs medical care").check()
    if medical_urgent:
        page.get_by_label("The person needs urgent medical care now").check()
    if folder is not None:
        shot(page, folder, 1, "readiness")
    page.get_by_role("button", name="Begin the screening").click()


def fill_profile(page: Page, *, age: int, folder: Path | None = None) -> None:
    expect(page.get_by_role("heading", level=1, name="About the situation")).to_be_visible()
    page.get_by_label("Age at the time of the events, if known").fill(str(age))
    page.get_by_label("Forced labour or services").check()
    page.get_by_label("Language of the interview").select_option(label="English")
    if folder is not None:
        shot(page, folder, 2, "profile")
    page.get_by_role("button", name="Continue").click()


def expect_topic(page: Page, step: int) -> None:
    """The topic screen of `step` (1-based) is showing."""
    expect(page.get_by_role("heading", level=1)).to_have_text(TOPICS[step - 1])
    expect(page.get_by_text(f"Topic {step} of {len(TOPICS)}")).to_be_visible()


def open_topic(page: Page, step: int) -> None:
    """From any interview screen, open a topic in full (the screener can always ask more)."""
    page.get_by_text("Open any topic and ask more", exact=True).click()
    page.get_by_role("link", name=TOPICS[step - 1], exact=True).click()
    expect_topic(page, step)


def answer_topic(
    page: Page,
    step: int,
    answers: dict[str, str],
    *,
    notes: dict[str, str] | None = None,
    child: bool = False,
    submit: str = "Save and continue",
) -> None:
    """Answer some questions of one topic by their visible labels, add notes, submit."""
    expect_topic(page, step)
    for ident, label in answers.items():
        question_group(page, ident, child=child).get_by_label(label, exact=True).check()
    for ident, text in (notes or {}).items():
        group = question_group(page, ident, child=child)
        group.get_by_text("Add a note", exact=True).click()
        group.get_by_role("textbox").fill(text)
    page.get_by_role("button", name=submit, exact=True).click()


def expect_answers(page: Page, answers: dict[str, str], *, child: bool = False) -> None:
    for ident, label in answers.items():
        expect(
            question_group(page, ident, child=child).get_by_label(label, exact=True)
        ).to_be_checked()


def screening_reference(page: Page) -> str:
    """The screening's reference, from the address of a screening page."""
    match = re.search(r"/screenings/([^/]+)/", page.url)
    assert match, page.url
    return match.group(1)


def section(page: Page, heading: str) -> Locator:
    return page.locator("section").filter(
        has=page.get_by_role("heading", level=2, name=heading, exact=True)
    )


# --- answers that make the cases ----------------------------------------------------

# Adult labour: deceptive recruitment (strong + medium), exploitation (strong + medium)
# and coercion at destination (two strong) are each positive by the dimension rule, so
# the adult rule presumes a victim. The other answers are "no", "don't know" or declined.
ADULT_TOPICS: tuple[dict[str, str], ...] = (
    {
        "protection_urgent_medical_need": NO,
        "protection_needs_safe_place_tonight": YES,
        "protection_family_in_danger": UNKNOWN,
        "protection_pregnant": DECLINED,
    },
    {"economic_need_at_recruitment": NO},
    {
        "act_recruited_by_someone": YES,
        "deceived_nature_of_job": YES,
        "deceived_wages": YES,
        "violence_at_recruitment": NO,
    },
    {"act_transported_by_others": YES, "smuggling_paid_for_crossing": NO},
    {"excessive_working_hours": YES, "low_or_no_pay": YES, "hazardous_work": UNKNOWN},
    {
        "documents_confiscated_at_destination": YES,
        "confined_or_watched_at_destination": YES,
        "violence_at_destination": DECLINED,
    },
    {"context_wants_help_now": YES, "protection_fear_of_harm_on_return": NO},
)
ADULT_NOTE = ("protection_pregnant", "Did not want to talk about health with a man present.")
ADULT_ELEMENTS = {
    "Act": ("act_recruited_by_someone", "act_transported_by_others", "deceived_nature_of_job"),
    "Means": (
        "deceived_nature_of_job",
        "deceived_wages",
        "documents_confiscated_at_destination",
        "confined_or_watched_at_destination",
    ),
    "Purpose": ("excessive_working_hours", "low_or_no_pay"),
}


# --- tests --------------------------------------------------------------------------


def test_adult_labour_interview_presumes_a_victim_and_keeps_the_screeners_judgement(
    page: Page, live_server: LiveServer, world: World, sign_in: SignIn, artifacts: Path
) -> None:
    sign_in(page, world.user("A", Role.SCREENER))
    complete_readiness(page, folder=artifacts)
    fill_profile(page, age=30, folder=artifacts)
    reference = screening_reference(page)
    # This screener asks every topic in full rather than the quick screening.
    open_topic(page, 1)

    for step, answers in enumerate(ADULT_TOPICS, start=1):
        expect_topic(page, step)
        expect(page.get_by_text("Child wording is shown")).to_have_count(0)
        notes = None
        if step == 1:
            notes = dict([ADULT_NOTE])
            shot(page, artifacts, 3, "topic-safety")
        if step == 3:
            # The longest topic must fit a phone too.
            page.set_viewport_size(PHONE)
            expect(question_group(page, "deceived_nature_of_job")).to_be_visible()
            shot(page, artifacts, 4, "topic-recruitment-phone")
            assert_fits_phone(page)
            page.set_viewport_size(DESKTOP)
        answer_topic(page, step, answers, notes=notes)

    expect(page).to_have_url(f"{live_server.url}/screenings/{reference}/result/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Screening result")
    outcome = page.get_by_role("heading", level=2, name=re.compile("^Suggested:"))
    expect(outcome).to_have_text("Suggested: presumed victim of trafficking")
    # The first screen: the route in one sentence, at most five key reasons, the flags.
    verdict = page.locator("section.outcome")
    expect(verdict.locator(".route")).to_have_text(
        "Route: an act, means (deception at recruitment, coercion at destination) and purpose "
        "(exploitative conditions, forced labour) are all shown."
    )
    reasons = verdict.locator(".reasons li")
    expect(reasons).to_have_count(5)
    # Strongest first, the means and the purpose before the act.
    expect(reasons.first).to_have_text(statement("documents_confiscated_at_destination"))
    expect(verdict.locator(".flags")).to_contain_text("Forced labour indicated")
    expect(verdict.locator(".flags")).to_contain_text("Needs a safe place tonight")
    steps = section(page, "Next steps")
    shelter = steps.get_by_role("link", name="Find a safe place for tonight")
    expect(shelter).to_have_attribute("href", "/directory/?kind=accommodation")
    items = steps.get_by_role("listitem")
    expect(items.filter(has_text="formal identification")).to_have_count(1)
    expect(items.filter(has_text="reflection and recovery period")).to_have_count(1)
    expect(items.filter(has_text="Offer assistance now")).to_have_count(1)

    # One level down: the elements, and every yes answer once, with what it shows.
    evidence = page.locator("details#evidence")
    evidence.get_by_text("Full evidence", exact=False).first.click()
    expect(evidence.get_by_role("term")).to_have_text(list(ADULT_ELEMENTS))
    for definition in evidence.get_by_role("definition").all():
        expect(definition).to_contain_text("Met")
    for idents in ADULT_ELEMENTS.values():
        for ident in idents:
            expect(evidence.get_by_text(statement(ident), exact=False)).to_have_count(1)
    expect(evidence).to_contain_text("The stricter ILO/EC statistical combination")

    # "Don't know" and declined answers are never "no": they are listed as unexplored.
    expect(evidence).to_contain_text('4 questions were answered "don\'t know" or declined.')
    unexplored = evidence.get_by_role("listitem")
    for ident, label in (("hazardous_work", "don't know"), ("violence_at_destination", "declined")):
        expect(
            unexplored.filter(has_text=question(ident)).filter(has_text=f"({label})")
        ).to_have_count(1)

    version = default_catalogue().ruleset.version
    expect(page.get_by_text(f"Ruleset: {version}", exact=True)).to_be_visible()
    shot(page, artifacts, 5, "result-desktop")

    page.set_viewport_size(PHONE)
    expect(outcome).to_be_visible()
    shot(page, artifacts, 6, "result-phone")
    assert_fits_phone(page)
    page.set_viewport_size(DESKTOP)

    # The screener disagrees with the engine but gives no reason: refused, nothing saved.
    saved = Screening.objects.get(reference=reference)
    judgement = page.get_by_role("group", name=re.compile("Your own judgement"))
    expect(judgement.get_by_label("Presumed victim", exact=True)).to_be_checked()
    judgement.get_by_label("Indicators present", exact=True).check()
    page.get_by_role("button", name="Complete the screening").click()
    say_why = page.get_by_text("You disagree with the suggested result: say why.")
    expect(say_why.first).to_be_visible()
    times_shown = say_why.count()
    expect(page.get_by_role("heading", level=2, name="Your judgement")).to_be_visible()
    expect(judgement.get_by_label("Indicators present", exact=True)).to_be_checked()
    shot(page, artifacts, 7, "judgement-needs-reason")
    unchanged = Screening.objects.get(reference=reference)
    assert unchanged.status == ScreeningStatus.IN_PROGRESS
    assert unchanged.version == saved.version
    assert unchanged.judgement == ""

    # With a reason, the judgement is saved beside the engine's suggestion and shown.
    reason = "She says she chose to stay; the documents were kept only for the visa."
    page.get_by_label("Reason (required when you disagree").fill(reason)
    page.get_by_role("button", name="Complete the screening").click()
    expect(page).to_have_url(f"{live_server.url}/screenings/{reference}/result/")
    expect(page.get_by_role("status")).to_contain_text("Screening completed and saved.")
    own = section(page, "Screener's judgement")
    expect(own).to_contain_text(f"Indicators present — {reason}")
    expect(own).to_contain_text("A completed screening cannot be changed")
    expect(outcome).to_have_text("Suggested: presumed victim of trafficking")
    expect(page.get_by_text(f"Ruleset: {version}", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Complete the screening")).to_have_count(0)
    shot(page, artifacts, 8, "result-completed")

    done = Screening.objects.get(reference=reference)
    assert done.status == ScreeningStatus.COMPLETED
    assert (done.outcome, done.judgement) == ("presumed_victim", "indicators_present")
    assert done.judgement_reason == reason
    assert done.ruleset_version == version
    assert done.notes == {ADULT_NOTE[0]: ADULT_NOTE[1]}

    open_screenings(page)
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row).to_contain_text("Completed")
    expect(row).to_contain_text("Presumed victim")

    # Checked last so the rest of the flow is still exercised: one clear error, not two.
    assert times_shown == 1, f"the 'say why' error is shown {times_shown} times, not once"


def test_child_interview_uses_child_wording_and_needs_no_means(
    page: Page, live_server: LiveServer, world: World, sign_in: SignIn, artifacts: Path
) -> None:
    sign_in(page, world.user("A", Role.SCREENER))
    complete_readiness(page, child=True)
    fill_profile(page, age=15)
    open_topic(page, 1)
    child_topics: dict[int, dict[str, str]] = {
        3: {"act_recruited_by_someone": YES, "deceived_nature_of_job": NO},
        5: {"excessive_working_hours": YES, "forced_begging": YES},
        6: {"violence_at_destination": NO, "threats_of_violence_at_destination": NO},
    }
    for step in range(1, len(TOPICS) + 1):
        expect_topic(page, step)
        expect(
            page.get_by_text("Child wording is shown: the person is or may be a child.")
        ).to_be_visible()
        if step == 5:
            # The gentler wording for a child, never the adult one.
            child_text = question("excessive_working_hours", child=True)
            adult_text = question("excessive_working_hours")
            assert child_text != adult_text
            expect(page.get_by_role("group", name=child_text, exact=True)).to_be_visible()
            expect(page.get_by_text(adult_text, exact=True)).to_have_count(0)
            shot(page, artifacts, 9, "child-topic-work")
        answer_topic(page, step, child_topics.get(step, {}), child=True)

    expect(page.get_by_role("heading", level=2, name=re.compile("^Suggested:"))).to_have_text(
        "Suggested: presumed victim of trafficking"
    )
    expect(page.locator("section.outcome .route")).to_contain_text("a child, an act and purpose")
    evidence = page.locator("details#evidence")
    evidence.get_by_text("Full evidence", exact=False).first.click()
    definitions = evidence.get_by_role("definition")
    expect(evidence.get_by_role("term")).to_have_text(["Act", "Means", "Purpose"])
    expect(definitions.nth(0)).to_contain_text("Met")
    expect(definitions.nth(1)).to_have_text("Not required for a child")
    expect(definitions.nth(2)).to_contain_text("Met")
    expect(evidence).to_contain_text(statement("act_recruited_by_someone"))
    expect(evidence).to_contain_text(statement("forced_begging"))
    expect(page.locator("section.outcome .flags")).to_contain_text(
        "Child at the time of the events"
    )
    first_step = section(page, "Next steps").get_by_role("listitem").first
    expect(first_step).to_contain_text("appoint a guardian and notify child protection")
    shot(page, artifacts, 10, "child-result")


def test_paused_screening_resumes_at_the_first_unanswered_question_with_answers_kept(
    page: Page, live_server: LiveServer, world: World, sign_in: SignIn, artifacts: Path
) -> None:
    sign_in(page, world.user("A", Role.SCREENER))
    complete_readiness(page)
    fill_profile(page, age=24)
    reference = screening_reference(page)
    # The quick screening: the first four questions and one further down are answered,
    # so the first gap is the fifth question.
    expect(page.get_by_role("heading", level=1)).to_have_text("Quick screening")
    first, second, third, fourth, gap, *rest = [i.id for i in engine.gateways()]
    answers = {first: NO, second: DECLINED, third: YES, fourth: UNKNOWN, rest[-1]: NO}
    note = "Asked for a female interpreter next time."
    for ident, label in answers.items():
        question_group(page, ident).get_by_label(label, exact=True).check()
    group = question_group(page, first)
    group.get_by_text("Add a note", exact=True).click()
    group.get_by_role("textbox").fill(note)
    page.get_by_role("button", name="Save and pause", exact=True).click()

    # Paused: back on the list, which says so.
    expect(page).to_have_url(f"{live_server.url}/screenings/")
    expect(page.get_by_role("status")).to_contain_text(
        "Progress saved. You can resume this screening at any time."
    )
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row).to_contain_text("In progress")
    expect(row).to_contain_text("anonymous")
    shot(page, artifacts, 11, "paused-list")

    # Leave for elsewhere, come back through the list: the interview goes on at the first
    # question nobody has answered yet.
    page.get_by_role("link", name="Haven", exact=True).click()
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    open_screenings(page)
    page.get_by_role("link", name=reference).click()
    expect(page).to_have_url(f"{live_server.url}/screenings/{reference}/quick/#q-{gap}")
    expect(question_group(page, gap)).to_be_in_viewport()
    expect_answers(page, answers)
    expect(question_group(page, first).get_by_role("textbox")).to_have_value(note)
    shot(page, artifacts, 12, "resumed-at-first-unanswered", full_page=False)


def test_back_keeps_the_answers_typed_on_the_screen_being_left(
    page: Page, live_server: LiveServer, world: World, sign_in: SignIn, artifacts: Path
) -> None:
    sign_in(page, world.user("A", Role.SCREENER))
    complete_readiness(page)
    fill_profile(page, age=35)
    reference = screening_reference(page)
    open_topic(page, 1)
    answer_topic(page, 1, {"protection_needs_safe_place_tonight": YES})

    # Answers typed on the second screen, then "Back" before anything else.
    typed = {"economic_need_at_recruitment": YES, "family_situation_at_recruitment": DECLINED}
    note = ("economic_need_at_recruitment", "Owes the recruiter for the journey.")
    answer_topic(page, 2, typed, notes=dict([note]), submit="Back")
    expect(page).to_have_url(f"{live_server.url}/screenings/{reference}/topic/safety/")
    expect_topic(page, 1)
    expect_answers(page, {"protection_needs_safe_place_tonight": YES})
    shot(page, artifacts, 14, "back-to-safety")
    saved = Screening.objects.get(reference=reference)
    assert {k: saved.answers.get(k) for k in typed} == {
        "economic_need_at_recruitment": "yes",
        "family_situation_at_recruitment": "declined",
    }
    assert saved.notes == {note[0]: note[1]}

    # Forward again: what was typed before going back is still there.
    page.get_by_role("button", name="Save and continue").click()
    expect_topic(page, 2)
    expect_answers(page, typed)
    expect(question_group(page, note[0]).get_by_role("textbox")).to_have_value(note[1])
    shot(page, artifacts, 15, "forward-again-answers-kept")


def test_rescreening_offers_the_previous_answers_and_warns_of_a_draft_interview_language(
    page: Page, live_server: LiveServer, world: World, sign_in: SignIn, artifacts: Path
) -> None:
    screener = world.user("A", Role.SCREENER)
    first = world.screenings["A"]
    said = {"protection_needs_safe_place_tonight": "yes", "protection_family_in_danger": "no"}
    record_answers(screener, first, "safety", said, {}, expected_version=first.version)
    suggested = engine.evaluate(first.profile, first.answers, "en").outcome
    complete(screener, first, judgement=suggested, reason="", expected_version=first.version)
    first.refresh_from_db()
    person = world.people["A"]

    sign_in(page, screener)
    page.goto(f"{live_server.url}/screenings/new/person/{person.reference}/")
    confidentiality = section(page, "What to tell the person about confidentiality")
    expect(confidentiality).to_contain_text("What you tell me is confidential, within these")
    expect(confidentiality).to_contain_text("only if you agree, or in an emergency")
    shot(page, artifacts, 16, "readiness-confidentiality")
    complete_readiness(page, open_form=False)

    # The profile is offered from the first screening, to confirm.
    expect(page.get_by_text(f"Filled in from screening {first.reference}")).to_be_visible()
    expect(page.get_by_label("Age at the time of the events, if known")).to_have_value("30")
    page.get_by_label("Language of the interview").select_option(label="Burmese")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Quick screening")
    warning = page.get_by_role("note").filter(has_text="Unreviewed machine translation")
    expect(warning).to_contain_text("have not been reviewed in Burmese")
    expect(warning).to_contain_text("Check each one with an interpreter")
    expect(page.get_by_text("This is a re-screening.")).to_be_visible()
    marks = page.locator(".previous-answer")
    # Only the quick screening's questions are on this screen: one of the two answers.
    expect(marks).to_have_count(1)
    expect(marks.first).to_contain_text(f"From screening {first.reference} on")
    expect(marks.first).to_contain_text("confirm with the person")
    shot(page, artifacts, 17, "rescreening-burmese-topic")
    assert Screening.objects.get(person=person, previous_reference=first.reference).answers == {}

    # Saving the page with the person is the confirmation of what it showed.
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quick screening")
    again = Screening.objects.get(person=person, previous_reference=first.reference)
    assert again.answers == {"protection_needs_safe_place_tonight": "yes"}
    expect(page.locator(".previous-answer")).to_have_count(0)


def test_urgent_medical_need_suspends_the_screening_until_the_person_is_well(
    page: Page, live_server: LiveServer, world: World, sign_in: SignIn, artifacts: Path
) -> None:
    sign_in(page, world.user("A", Role.SCREENER))

    # Reported in the readiness checklist: no question is asked at all.
    complete_readiness(page, medical_urgent=True)
    expect(page.get_by_role("heading", level=1)).to_have_text(SUSPENDED_HEADING)
    expect(page.get_by_text("Stop the interview and get them to a doctor")).to_be_visible()
    expect(page.get_by_text("Everything answered so far is saved.")).to_be_visible()
    reference = screening_reference(page)
    assert Screening.objects.get(reference=reference).status == ScreeningStatus.SUSPENDED
    shot(page, artifacts, 13, "suspended")

    page.get_by_role("link", name="Leave it for now").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row).to_contain_text("Suspended for medical care")
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SUSPENDED_HEADING)
    page.get_by_role("button", name="The person is well and willing: resume").click()
    fill_profile(page, age=41)

    # Reported in the quick screening: the interview stops after that screen.
    safety = {"protection_urgent_medical_need": YES, "protection_needs_safe_place_tonight": NO}
    for ident, label in safety.items():
        question_group(page, ident).get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Save and continue", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/screenings/{reference}/suspended/")
    expect(page.get_by_role("heading", level=1)).to_have_text(SUSPENDED_HEADING)
    page.get_by_role("button", name="The person is well and willing: resume").click()
    # The interview goes on at the first question still unanswered.
    gap = next(i.id for i in engine.gateways() if i.id not in safety)
    expect(page).to_have_url(f"{live_server.url}/screenings/{reference}/quick/#q-{gap}")
    assert Screening.objects.get(reference=reference).status == ScreeningStatus.IN_PROGRESS

    # The answers are kept, and saving them again does not suspend a second time.
    expect_answers(page, safety)
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile(f"/screenings/{reference}/quick/"))
    expect_answers(page, safety)


PHONE_390: ViewportSize = {"width": 390, "height": 844}
LABELS = {"yes": YES, "no": NO, "unknown": UNKNOWN, "declined": DECLINED}


def test_adaptive_interview_reaches_the_full_verdict_in_few_questions(
    page: Page, live_server: LiveServer, world: World, sign_in: SignIn, artifacts: Path
) -> None:
    """A worked case answered screen by screen, as its facts say: the quick screening,
    then the follow-ups the engine opens, until the result; the result page reads on a
    390 px phone in English and in Khmer."""
    catalogue = default_catalogue()
    case = next(
        c for c in load_worked_cases(catalogue) if c.id == "fair_recruitment_coercion_on_arrival"
    )
    sign_in(page, world.user("A", Role.SCREENER))
    complete_readiness(page)
    fill_profile(page, age=29)
    reference = screening_reference(page)
    page.set_viewport_size(PHONE_390)
    screens = 0
    while "/result/" not in page.url:
        screens += 1
        assert screens < 12, page.url
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text(re.compile("^(Quick screening|Follow-up questions)$"))
        asked = page.locator("fieldset.question").evaluate_all("els => els.map(e => e.id.slice(2))")
        for ident in asked:
            label = LABELS[case.answer(ident)]
            question_group(page, ident).get_by_label(label, exact=True).check()
        if screens == 1:
            shot(page, artifacts, 18, "quick-screening-390", full_page=False)
            assert_fits_phone_width(page, PHONE_390["width"])
        page.get_by_role("button", name="Save and continue", exact=True).click()

    saved = Screening.objects.get(reference=reference)
    full = full_interview(catalogue, case)
    assert len(saved.answers) < 30, len(saved.answers)
    outcome = page.get_by_role("heading", level=2, name=re.compile("^Suggested:"))
    expect(outcome).to_have_text("Suggested: presumed victim of trafficking")
    assert full.outcome == "presumed_victim"
    expect(page.locator("section.outcome .route")).to_contain_text("coercion at destination")
    shot(page, artifacts, 19, "result-first-screen-en-390", full_page=False)
    assert_fits_phone_width(page, PHONE_390["width"])

    # The interface in Khmer: the verdict, route, reasons and next steps in Khmer too.
    page.get_by_label("Language", exact=True).select_option("km")
    page.get_by_role("button", name="Change", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    km = catalogue.messages["km"]
    expect(page.locator("section.outcome .route")).to_contain_text(
        km["route_coercion_at_destination"]
    )
    expect(page.locator("section.outcome .reasons li").first).to_have_text(
        catalogue.by_id["documents_confiscated_at_destination"].statement_in("km")
    )
    # The interview was in English: the same, in English, one tap away for the person.
    expect(page.locator("details#in-interview-language")).to_have_attribute("lang", "en")
    shot(page, artifacts, 20, "result-first-screen-km-390", full_page=False)
    assert_fits_phone_width(page, PHONE_390["width"])


def assert_fits_phone_width(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide on a {width} px phone"
