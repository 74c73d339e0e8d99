"""Demo data: one obviously fictional running campaign with its six steps filled, a public
poster (a small PDF made here, never a committed binary), and hotline calls in its regions
before and during it, so that its call chart shows something. Safe to run again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from haven.accounts.models import User
from haven.accounts.roles import Role
from haven.campaigns import actions
from haven.campaigns.models import Campaign
from haven.core.pdf import render_pdf
from haven.hotline.actions import log_call

TITLE = "Check before you go (DEMO, fictional)"
REGIONS = ["TH-50", "TH-57"]  # Chiang Mai, Chiang Rai
# Calls per topic before and during the campaign: enough to pass disclosure control for
# the main topics, a few small counts that stay hidden.
CALLS = {
    "before": {"job_offer": 14, "safe_migration": 12, "sos": 3},
    "during": {"job_offer": 33, "safe_migration": 19, "sos": 4, "tip": 2},
}


def _calls(operator: User, start: dt.date, days: int, counts: dict[str, int]) -> None:
    tz = timezone.get_current_timezone()
    number = 0
    for topic, how_many in counts.items():
        for _n in range(how_many):
            day = start + dt.timedelta(days=number % days)
            log_call(
                operator,
                channel="phone",
                caller_type="unknown",
                topic=topic,
                language="th",
                outcome="advice_only",
                country="TH",
                region=REGIONS[number % len(REGIONS)],
                received_at=dt.datetime.combine(day, dt.time(9 + number % 8), tzinfo=tz),
            )
            number += 1


def seed(users: dict[Role, User]) -> None:
    """The campaign in the users' organisation, run by its coordinator."""
    coordinator = users[Role.COORDINATOR]
    if Campaign.objects.filter(organisation_id=coordinator.organisation_id, title=TITLE).exists():
        return
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=28), today + dt.timedelta(days=27)
    _calls(users[Role.HOTLINE_OPERATOR], start - dt.timedelta(days=28), 28, CALLS["before"])
    _calls(users[Role.HOTLINE_OPERATOR], start, 28, CALLS["during"])
    c = actions.create_campaign(
        coordinator,
        title=TITLE,
        start_date=start,
        end_date=end,
        success="Twice as many job-offer checks on the hotline from the two provinces.",
    )
    c = actions.save_getting_started(
        coordinator,
        c,
        expected_version=c.version,
        situation="Demo: fictional research found recruiters on social media offering "
        "factory work abroad with fees paid by the employer.",
        partners="Demo provincial labour office; demo youth radio station.",
        budget="USD 3,500 (fictional)",
        risks="Recruiters may pressure outreach staff at markets.",
        harm_to_people_shown="Drawings only; no survivor, no real face, no real place.",
    )
    actions.add_objective(
        coordinator,
        c,
        expected_version=c.version,
        change="Job seekers check an offer with the hotline before paying any fee",
        for_whom="Young people aged 18 to 30 in the two provinces",
        by_when=end,
    )
    c = Campaign.objects.get(pk=c.pk)
    c = actions.save_audience(
        coordinator,
        c,
        expected_version=c.version,
        audience="Young job seekers and their parents",
        country="TH",
        regions=REGIONS,
        languages=["th", "my"],
        other_languages="",
        literacy="mixed",
        media=["radio", "social", "posters"],
    )
    message = actions.add_message(
        coordinator,
        c,
        expected_version=c.version,
        language="th",
        text="ตรวจสอบงานก่อนไป: โทรสายด่วน (DEMO)",
        pretest="Demo focus groups: 9 of 10 understood the number to call.",
    )
    c = Campaign.objects.get(pk=c.pk)
    actions.approve_message(coordinator, c, message.pk, expected_version=c.version)
    c = Campaign.objects.get(pk=c.pk)
    poster = render_pdf("campaigns/demo_poster_pdf.html", {"title": TITLE}, "th")
    material = actions.add_material(
        coordinator,
        c,
        expected_version=c.version,
        title="Check before you go: poster (DEMO)",
        language="th",
        public=True,
        filename="poster.pdf",
        content=poster,
    )
    c = Campaign.objects.get(pk=c.pk)
    actions.add_dissemination(
        coordinator,
        c,
        expected_version=c.version,
        message_pk=message.pk,
        channel="print",
        starts_on=start,
        ends_on=end,
        regions=REGIONS,
        material_pk=material.pk,
        quantity=2000,
    )
    c = Campaign.objects.get(pk=c.pk)
    actions.add_indicator(
        coordinator,
        c,
        expected_version=c.version,
        kind="hotline",
        description="Job-offer checks on the hotline per month",
        baseline=Decimal(14),
        target=Decimal(28),
    )
    c = Campaign.objects.get(pk=c.pk)
    actions.start_campaign(coordinator, c, expected_version=c.version)
