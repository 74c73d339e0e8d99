"""Demo data: one obviously fictional running campaign with its six steps filled and a
public poster (a small PDF made here, never a committed binary), over the regions and days
where the demo hotline has more calls. Its end date has passed: it waits for its latest
indicator values before it can end. Safe to run again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from haven.accounts.models import User
from haven.accounts.roles import Role
from haven.campaigns import actions
from haven.campaigns.models import Campaign
from haven.core.pdf import render_pdf

TITLE = "Check before you go (DEMO, fictional)"
# Where and when the demo hotline (haven.hotline.demo) took more calls during its
# fictional campaign: 40 to 25 days ago, in these provinces of Cambodia.
REGIONS = ["KH-12", "KH-3", "KH-1", "KH-22", "KH-2", "KH-13"]
DAYS_AGO = (40, 25)


def seed(users: dict[Role, User]) -> None:
    """The campaign in the users' organisation, run by its coordinator."""
    coordinator = users[Role.COORDINATOR]
    if Campaign.objects.filter(organisation_id=coordinator.organisation_id, title=TITLE).exists():
        return
    today = timezone.localdate()
    start, end = (today - dt.timedelta(days=days) for days in DAYS_AGO)
    c = actions.create_campaign(
        coordinator,
        title=TITLE,
        start_date=start,
        end_date=end,
        success="Twice as many job-offer checks on the hotline from the six provinces.",
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
        for_whom="Young people aged 18 to 30 in the six provinces",
        by_when=end,
    )
    c = Campaign.objects.get(pk=c.pk)
    c = actions.save_audience(
        coordinator,
        c,
        expected_version=c.version,
        audience="Young job seekers and their parents",
        country="KH",
        regions=REGIONS,
        languages=["km"],
        other_languages="",
        literacy="mixed",
        media=["radio", "social", "posters"],
    )
    message = actions.add_message(
        coordinator,
        c,
        expected_version=c.version,
        language="km",
        text="ពិនិត្យការងារមុនពេលចេញដំណើរ៖ ហៅទូរសព្ទខ្សែជំនួយ (DEMO)",
        pretest="Demo focus groups: 9 of 10 understood the number to call.",
    )
    c = Campaign.objects.get(pk=c.pk)
    actions.approve_message(coordinator, c, message.pk, expected_version=c.version)
    c = Campaign.objects.get(pk=c.pk)
    poster = render_pdf("campaigns/demo_poster_pdf.html", {"title": TITLE}, "km")
    material = actions.add_material(
        coordinator,
        c,
        expected_version=c.version,
        title="Check before you go: poster (DEMO)",
        language="km",
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
