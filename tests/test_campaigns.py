"""Information campaigns: each rule of the six steps called on its action directly (the
message, and nothing changed), file checks on materials, what the public sees, and the
pages' answers to bad input and to another organisation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from haven.accounts.actions import ensure_organisation
from haven.accounts.models import Organisation, OrganisationType, User
from haven.accounts.roles import Role
from haven.audit.models import Action, AuditEntry
from haven.campaigns import actions, calls, storage
from haven.campaigns.models import Campaign, Dissemination, Material, Message, Status
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.hotline.models import Call
from tests.personas import HavenTestCase

PDF = b"%PDF-1.4\n% a poster\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
START, END = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


class CampaignTestCase(HavenTestCase):
    @property
    def coordinator(self) -> User:
        return self.world.user("A", Role.COORDINATOR)

    def fresh(self, campaign: Campaign) -> Campaign:
        return Campaign.objects.get(pk=campaign.pk)

    def new(self, **changes: Any) -> Campaign:
        values: dict[str, Any] = {
            "title": "Safe jobs abroad",
            "start_date": START,
            "end_date": END,
            "success": "More calls asking to check a job offer before leaving",
        }
        return actions.create_campaign(self.coordinator, **{**values, **changes})

    def ready(self, *, harm: str = "Actors only, with consent; no survivor shown") -> Campaign:
        """A draft with steps 1 to 4 complete and one approved message."""
        actor = self.coordinator
        campaign = self.new()
        campaign = actions.save_getting_started(
            actor,
            campaign,
            expected_version=campaign.version,
            situation="Recruiters promise factory work abroad",
            partners="Provincial labour office",
            budget="USD 4,000",
            risks="Recruiters may threaten outreach staff",
            harm_to_people_shown=harm,
        )
        actions.add_objective(
            actor,
            campaign,
            expected_version=campaign.version,
            change="Young job seekers check offers with the hotline",
            for_whom="Job seekers aged 18 to 30",
            by_when=END,
        )
        campaign = self.fresh(campaign)
        campaign = actions.save_audience(
            actor,
            campaign,
            expected_version=campaign.version,
            audience="Young job seekers",
            country="TH",
            regions=["TH-50", "TH-57"],
            languages=["th", "my"],
            other_languages="",
            literacy="mixed",
            media=["radio", "social"],
        )
        message = actions.add_message(
            actor,
            campaign,
            expected_version=campaign.version,
            language="th",
            text="Check the job offer before you go: call the hotline.",
            pretest="Understood by 9 of 10 in two focus groups",
        )
        campaign = self.fresh(campaign)
        actions.approve_message(actor, campaign, message.pk, expected_version=campaign.version)
        return self.fresh(campaign)

    def assert_refused(self, message: str, call: Any, campaign: Campaign | None = None) -> None:
        before = self.fresh(campaign) if campaign else None
        entries = AuditEntry.objects.count()
        with self.assertRaises(RefusedError) as caught:
            call()
        self.assertIn(message, caught.exception.message)
        self.assertEqual(AuditEntry.objects.count(), entries)
        if campaign and before:
            after = self.fresh(campaign)
            self.assertEqual(after.version, before.version)
            self.assertEqual(after.status, before.status)


class CampaignRuleTests(CampaignTestCase):
    def test_end_date_must_follow_start(self) -> None:
        self.assert_refused(
            "The end date must be after the start date.",
            lambda: self.new(start_date=END, end_date=START),
        )
        self.assertFalse(Campaign.objects.exists())

    def test_a_role_without_campaigns_is_refused(self) -> None:
        self.assert_refused(
            "Your role does not allow changing this campaign.",
            lambda: actions.create_campaign(
                self.world.user("A", Role.CASE_WORKER), title="x", start_date=None, end_date=None
            ),
        )

    def test_another_organisation_cannot_change_it(self) -> None:
        campaign = self.new()
        self.assert_refused(
            "Your role does not allow changing this campaign.",
            lambda: actions.save_findings(
                self.world.user("B", Role.COORDINATOR),
                campaign,
                expected_version=campaign.version,
                findings="x",
            ),
            campaign,
        )

    def test_an_empty_draft_cannot_start(self) -> None:
        campaign = self.new()
        self.assert_refused(
            "Approve at least one message (step 4).",
            lambda: actions.start_campaign(
                self.coordinator, campaign, expected_version=campaign.version
            ),
            campaign,
        )

    def test_start_needs_the_risk_to_people_shown(self) -> None:
        campaign = self.ready(harm="")
        self.assert_refused(
            "Assess the risk to the people shown and how it is avoided (step 1).",
            lambda: actions.start_campaign(
                self.coordinator, campaign, expected_version=campaign.version
            ),
            campaign,
        )

    def test_start_needs_an_approved_message(self) -> None:
        campaign = self.ready()
        Message.objects.filter(campaign=campaign).update(approved_at=None, approved_by=None)
        self.assert_refused(
            "Approve at least one message (step 4).",
            lambda: actions.start_campaign(
                self.coordinator, campaign, expected_version=campaign.version
            ),
            campaign,
        )

    def test_start_needs_dates_and_regions(self) -> None:
        campaign = self.ready()
        Campaign.objects.filter(pk=campaign.pk).update(end_date=None, regions=[])
        campaign = self.fresh(campaign)
        for message in ("Set the start and end dates.", "Choose the regions the campaign"):
            self.assert_refused(
                message,
                lambda: actions.start_campaign(
                    self.coordinator, campaign, expected_version=campaign.version
                ),
                campaign,
            )

    def test_a_ready_campaign_starts_and_it_is_audited(self) -> None:
        campaign = self.ready()
        started = actions.start_campaign(
            self.coordinator, campaign, expected_version=campaign.version
        )
        self.assertEqual(started.status, Status.RUNNING)
        entry = AuditEntry.objects.filter(action=Action.CAMPAIGN_STATUS).get()
        self.assertEqual(entry.object_ref, str(campaign.pk))

    def test_a_stale_version_changes_nothing(self) -> None:
        campaign = self.ready()
        with self.assertRaises(ConcurrentEditError):
            actions.start_campaign(
                self.coordinator, campaign, expected_version=campaign.version - 1
            )
        self.assertEqual(self.fresh(campaign).status, Status.DRAFT)

    def test_a_message_is_not_disseminated_before_it_is_approved(self) -> None:
        campaign = self.ready()
        draft = actions.add_message(
            self.coordinator,
            campaign,
            expected_version=campaign.version,
            language="my",
            text="A draft in Burmese",
            pretest="",
        )
        campaign = self.fresh(campaign)
        self.assert_refused(
            "A message may not be disseminated before it is approved.",
            lambda: actions.add_dissemination(
                self.coordinator,
                campaign,
                expected_version=campaign.version,
                message_pk=draft.pk,
                channel="radio",
                starts_on=START,
                ends_on=END,
                regions=["TH-50"],
                material_pk=None,
                quantity=None,
            ),
            campaign,
        )
        self.assertFalse(Dissemination.objects.exists())

    def test_a_message_is_approved_only_after_its_pretest(self) -> None:
        campaign = self.ready()
        draft = actions.add_message(
            self.coordinator,
            campaign,
            expected_version=campaign.version,
            language="my",
            text="Untested",
            pretest="",
        )
        campaign = self.fresh(campaign)
        self.assert_refused(
            "Record the pre-test results before approving the message.",
            lambda: actions.approve_message(
                self.coordinator, campaign, draft.pk, expected_version=campaign.version
            ),
            campaign,
        )
        self.assertIsNone(Message.objects.get(pk=draft.pk).approved_at)

    def test_dissemination_stays_in_the_campaign_regions(self) -> None:
        campaign = self.ready()
        approved = campaign.messages.get()
        self.assert_refused(
            "Choose among the campaign's regions (step 3).",
            lambda: actions.add_dissemination(
                self.coordinator,
                campaign,
                expected_version=campaign.version,
                message_pk=approved.pk,
                channel="radio",
                starts_on=START,
                ends_on=END,
                regions=["TH-10"],
                material_pk=None,
                quantity=None,
            ),
            campaign,
        )

    def test_regions_belong_to_the_country(self) -> None:
        campaign = self.new()
        self.assert_refused(
            "Choose regions of the campaign's country from the list.",
            lambda: actions.save_audience(
                self.coordinator,
                campaign,
                expected_version=campaign.version,
                audience="x",
                country="TH",
                regions=["KH-12"],
                languages=["km"],
                other_languages="",
                literacy="low",
                media=["radio"],
            ),
            campaign,
        )

    def _running(self) -> Campaign:
        campaign = self.ready()
        actions.add_indicator(
            self.coordinator,
            campaign,
            expected_version=campaign.version,
            kind="hotline",
            description="Calls asking to check a job offer",
            baseline=Decimal(40),
            target=Decimal(80),
        )
        campaign = self.fresh(campaign)
        return actions.start_campaign(self.coordinator, campaign, expected_version=campaign.version)

    def test_cannot_end_without_latest_values_or_a_reason(self) -> None:
        campaign = self._running()
        self.assert_refused(
            "Record the latest value of every indicator (step 6)",
            lambda: actions.end_campaign(
                self.coordinator, campaign, expected_version=campaign.version, no_values_reason=""
            ),
            campaign,
        )
        ended = actions.end_campaign(
            self.coordinator,
            campaign,
            expected_version=campaign.version,
            no_values_reason="The survey reports in June",
        )
        self.assertEqual(ended.status, Status.ENDED)

    def test_ends_once_every_indicator_has_its_latest_value(self) -> None:
        campaign = self._running()
        indicator = campaign.indicators.get()
        actions.record_indicator_value(
            self.coordinator,
            campaign,
            indicator.pk,
            expected_version=campaign.version,
            latest=Decimal(71),
            latest_on=timezone.localdate(),
        )
        campaign = self.fresh(campaign)
        ended = actions.end_campaign(
            self.coordinator, campaign, expected_version=campaign.version, no_values_reason=""
        )
        self.assertEqual(ended.status, Status.ENDED)

    def test_a_draft_cannot_end(self) -> None:
        campaign = self.new()
        self.assert_refused(
            "cannot become",
            lambda: actions.end_campaign(
                self.coordinator, campaign, expected_version=campaign.version, no_values_reason="x"
            ),
            campaign,
        )

    def test_an_ended_campaign_keeps_its_steps_but_takes_findings(self) -> None:
        campaign = self._running()
        campaign = actions.end_campaign(
            self.coordinator, campaign, expected_version=campaign.version, no_values_reason="Late"
        )
        self.assert_refused(
            "This campaign has ended",
            lambda: actions.edit_basics(
                self.coordinator,
                campaign,
                expected_version=campaign.version,
                title="Renamed",
                start_date=START,
                end_date=END,
                success="x",
            ),
            campaign,
        )
        saved = actions.save_findings(
            self.coordinator, campaign, expected_version=campaign.version, findings="Calls rose"
        )
        self.assertEqual(saved.findings, "Calls rose")


class RunningCampaignRuleTests(CampaignTestCase):
    """A running campaign keeps what it needed to start."""

    def setUp(self) -> None:
        campaign = self.ready()
        self.running = actions.start_campaign(
            self.coordinator, campaign, expected_version=campaign.version
        )

    def test_keeps_its_dates_and_success(self) -> None:
        c = self.running
        for changes, message in (
            ({"end_date": None}, "A running campaign needs its start and end dates."),
            ({"success": ""}, "A running campaign needs its definition of success."),
        ):
            values = {"title": c.title, "start_date": START, "end_date": END, "success": "x"}
            values.update(changes)
            self.assert_refused(
                message,
                lambda v=values: actions.edit_basics(
                    self.coordinator, c, expected_version=c.version, **v
                ),
                c,
            )

    def test_keeps_its_harm_assessment(self) -> None:
        c = self.running
        self.assert_refused(
            "keeps its assessment of the risk to the people shown",
            lambda: actions.save_getting_started(
                self.coordinator,
                c,
                expected_version=c.version,
                situation="s",
                partners="",
                budget="",
                risks="r",
                harm_to_people_shown="  ",
            ),
            c,
        )

    def test_keeps_a_region_and_an_objective(self) -> None:
        c = self.running
        self.assert_refused(
            "A running campaign keeps at least one region.",
            lambda: actions.save_audience(
                self.coordinator,
                c,
                expected_version=c.version,
                audience="a",
                country="TH",
                regions=[],
                languages=["th"],
                other_languages="",
                literacy="low",
                media=["radio"],
            ),
            c,
        )
        objective = c.objectives.get()
        self.assert_refused(
            "A running campaign keeps at least one objective.",
            lambda: actions.remove_objective(
                self.coordinator, c, objective.pk, expected_version=c.version
            ),
            c,
        )

    def test_other_bad_input_is_refused(self) -> None:
        c = self.running
        indicator = actions.add_indicator(
            self.coordinator,
            c,
            expected_version=c.version,
            kind="reach",
            description="People reached",
            baseline=Decimal(0),
            target=Decimal(1000),
        )
        c = self.fresh(c)
        cases: list[tuple[str, Any]] = [
            (
                "An objective cannot be due before the campaign starts.",
                lambda: actions.add_objective(
                    self.coordinator,
                    c,
                    expected_version=c.version,
                    change="x",
                    for_whom="y",
                    by_when=START - dt.timedelta(days=1),
                ),
            ),
            (
                "A value cannot be measured in the future.",
                lambda: actions.record_indicator_value(
                    self.coordinator,
                    c,
                    indicator.pk,
                    expected_version=c.version,
                    latest=Decimal(5),
                    latest_on=timezone.localdate() + dt.timedelta(days=2),
                ),
            ),
            (
                "Name the other languages.",
                lambda: actions.save_audience(
                    self.coordinator,
                    c,
                    expected_version=c.version,
                    audience="a",
                    country="TH",
                    regions=["TH-50"],
                    languages=["other"],
                    other_languages="",
                    literacy="low",
                    media=["radio"],
                ),
            ),
            (
                "Choose one of the languages offered.",
                lambda: actions.add_message(
                    self.coordinator,
                    c,
                    expected_version=c.version,
                    language="xx",
                    text="t",
                    pretest="",
                ),
            ),
            (
                "Give a number of reasonable size.",
                lambda: actions.add_indicator(
                    self.coordinator,
                    c,
                    expected_version=c.version,
                    kind="reach",
                    description="d",
                    baseline=Decimal("1e20"),
                    target=Decimal(1),
                ),
            ),
        ]
        for message, call in cases:
            with self.subTest(message=message):
                self.assert_refused(message, call, c)


class MaterialTests(CampaignTestCase):
    def add(self, campaign: Campaign, filename: str, content: bytes, **changes: Any) -> Material:
        values: dict[str, Any] = {"title": "Poster", "language": "th", "public": True}
        return actions.add_material(
            self.coordinator,
            campaign,
            expected_version=self.fresh(campaign).version,
            filename=filename,
            content=content,
            **{**values, **changes},
        )

    def stored(self) -> set[str]:
        return {p.name for p in Path(settings.CAMPAIGN_MATERIALS_DIR).glob("*")}

    def test_the_content_decides_the_type_not_the_name(self) -> None:
        campaign = self.new()
        before = self.stored()
        for filename, content, message in (
            ("poster.pdf", b"<html>not a pdf</html>", "PDF, PNG, JPEG, MP3 and OGG files only"),
            ("poster.pdf", PNG, "does not match its content"),
            ("poster.exe", PDF, "does not match its content"),
            ("poster.pdf", b"", "The file is empty."),
            ("poster.pdf", PDF + b"0" * storage.MAX_BYTES, "The file is too large"),
        ):
            with self.subTest(filename=filename, message=message):
                self.assert_refused(
                    message,
                    lambda name=filename, body=content: self.add(campaign, name, body),
                    campaign,
                )
        self.assertFalse(Material.objects.exists())
        self.assertEqual(self.stored(), before)

    def test_each_kind_is_recognised(self) -> None:
        for content, kind in (
            (PDF, "pdf"),
            (PNG, "png"),
            (b"\xff\xd8\xff\xe0JFIF", "jpeg"),
            (b"ID3\x04\0\0", "mp3"),
            (b"\xff\xfb\x90\x00", "mp3"),
            (b"OggS\0\x02", "ogg"),
        ):
            with self.subTest(kind=kind):
                self.assertEqual(storage.sniff(content), kind)

    def test_stored_under_a_token_and_removed_with_its_row(self) -> None:
        campaign = self.new()
        material = self.add(campaign, "Poster.PDF", PDF)
        self.assertEqual(storage.read(material.token), PDF)
        self.assertNotIn("Poster", material.token)
        campaign = self.fresh(campaign)
        with self.captureOnCommitCallbacks(execute=True):
            actions.remove_material(
                self.coordinator, campaign, material.pk, expected_version=campaign.version
            )
        self.assertNotIn(material.token, self.stored())

    def test_the_public_sees_only_public_material_of_running_campaigns(self) -> None:
        running = self._started()
        shown = self.add(running, "shown.pdf", PDF, title="Shown in Thai")
        shown_en = self.add(running, "en.pdf", PDF, title="Shown in English", language="en")
        private = self.add(running, "private.pdf", PDF, title="Staff only", public=False)
        draft = self.new(title="Draft")
        drafted = self.add(draft, "draft.pdf", PDF, title="Draft poster")
        training, _created = ensure_organisation(
            actor=None, name="Training", org_type=OrganisationType.NGO, country="TH"
        )
        Organisation.objects.filter(pk=training.pk).update(is_training=True)
        trained = self.add(self._started(), "t.pdf", PDF, title="Training poster")
        Campaign.objects.filter(pk=trained.campaign_id).update(organisation=training)

        page = Client().get(reverse("campaigns:information"), HTTP_ACCEPT_LANGUAGE="th")
        text = page.content.decode()
        self.assertEqual(page.status_code, 200)
        self.assertIn("Shown in Thai", text)
        self.assertLess(text.index("Shown in Thai"), text.index("Shown in English"))
        for hidden in ("Staff only", "Draft poster", "Training poster", "Safe jobs abroad"):
            self.assertNotIn(hidden, text)
        for material, status in ((shown, 200), (shown_en, 200), (private, 404), (drafted, 404)):
            with self.subTest(material=material.title):
                url = reverse("campaigns:public_material", args=[material.token])
                response = Client().get(url)
                self.assertEqual(response.status_code, status)
        self.assertEqual(
            Client().get(reverse("campaigns:public_material", args=[trained.token])).status_code,
            404,
        )

    def _started(self) -> Campaign:
        campaign = self.ready()
        return actions.start_campaign(self.coordinator, campaign, expected_version=campaign.version)


class CampaignPageTests(CampaignTestCase):
    def test_bad_dates_on_the_new_page_save_nothing(self) -> None:
        client = self.client_for("A", Role.COORDINATOR)
        response = client.post(
            reverse("campaigns:new"),
            {"title": "x", "start_date": "2026-05-01", "end_date": "2026-04-01"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "The end date must be after the start date.", status_code=400)
        self.assertFalse(Campaign.objects.exists())
        response = client.post(reverse("campaigns:new"), {"title": "", "start_date": "nonsense"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Campaign.objects.exists())

    def test_a_bad_upload_is_refused_with_a_message(self) -> None:
        campaign = self.new()
        client = self.client_for("A", Role.COORDINATOR)
        upload = SimpleUploadedFile("poster.pdf", b"MZ\x90\x00 not a poster")
        response = client.post(
            reverse("campaigns:materials", args=[campaign.pk]),
            {"version": campaign.version, "title": "P", "language": "th", "file": upload},
        )
        self.assertContains(response, "PDF, PNG, JPEG, MP3 and OGG files only", status_code=400)
        self.assertFalse(Material.objects.exists())

    def test_another_organisations_campaign_is_not_found(self) -> None:
        campaign = self.new()
        client = self.client_for("B", Role.COORDINATOR)
        for name in ("campaigns:detail", "campaigns:audience", "campaigns:calls"):
            with self.subTest(url=name):
                response = client.get(reverse(name, args=[campaign.pk]))
                self.assertEqual(response.status_code, 404)

    def test_the_overview_shows_what_is_missing_to_start(self) -> None:
        campaign = self.new()
        response = self.client_for("A", Role.COORDINATOR).get(
            reverse("campaigns:detail", args=[campaign.pk])
        )
        self.assertContains(response, "Approve at least one message (step 4).")

    def test_the_list_takes_the_same_queries_for_more_campaigns(self) -> None:
        client = self.client_for("A", Role.COORDINATOR)
        url = reverse("campaigns:list")
        counts = []
        for more in (2, 25):
            for number in range(more):
                self.new(title=f"Campaign {number}")
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(client.get(url).status_code, 200)
            counts.append(len(captured))
        # Session and user with their organisation (2), the count and the page (2), the
        # session's save (3).
        self.assertEqual(counts, [7, 7])

    def test_a_step_page_takes_the_same_queries_for_more_rows(self) -> None:
        campaign = self.ready()
        client = self.client_for("A", Role.COORDINATOR)
        counts = []
        for more in (1, 6):
            for number in range(more):
                campaign = self.fresh(campaign)
                message = actions.add_message(
                    self.coordinator,
                    campaign,
                    expected_version=campaign.version,
                    language="km",
                    text=f"Draft {number}",
                    pretest="Understood",
                )
                approver = self.world.user("A", Role.SUPERVISOR)
                campaign = self.fresh(campaign)
                actions.approve_message(
                    approver, campaign, message.pk, expected_version=campaign.version
                )
            for name in ("campaigns:detail", "campaigns:messages"):
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(reverse(name, args=[campaign.pk]))
                self.assertEqual(response.status_code, 200)
                counts.append(len(captured))
        # Session and user (2), the campaign and its five kinds of rows with the messages'
        # approvers (6), the session's save (3).
        self.assertEqual(counts, [11, 11, 11, 11])


class CallPeriodTests(CampaignTestCase):
    def test_before_and_after_are_as_long_as_the_campaign(self) -> None:
        before, during, after = calls.periods(START, END)
        self.assertEqual(during[:2], (START, END))
        self.assertEqual(before[1] - before[0], END - START)
        self.assertEqual(after[1] - after[0], END - START)
        self.assertEqual(before[1] + dt.timedelta(days=1), START)
        self.assertEqual(after[0], END + dt.timedelta(days=1))


class CallChartTests(CampaignTestCase):
    def _calls(self, day: dt.date, topic: str, region: str, number: int) -> None:
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())
        Call.objects.bulk_create(
            Call(
                organisation=self.world.orgs["A"],
                received_at=noon,
                channel="phone",
                caller_type="unknown",
                topic=topic,
                language="th",
                country="TH",
                region=region,
                recorded_by=self.world.user("A", Role.HOTLINE_OPERATOR),
            )
            for _n in range(number)
        )

    def test_calls_by_topic_around_the_campaign_with_small_counts_hidden(self) -> None:
        campaign = self.ready()
        self._calls(START + dt.timedelta(days=3), "job_offer", "TH-50", 30)
        self._calls(START - dt.timedelta(days=3), "sos", "TH-57", 3)
        self._calls(START + dt.timedelta(days=3), "job_offer", "TH-10", 40)  # elsewhere
        chart = calls.campaign_calls(self.world.user("A", Role.SUPERVISOR), campaign)
        assert chart is not None
        by_topic = dict(chart.topics)
        self.assertEqual(by_topic["Job offer check"], (0, 30, 0))
        self.assertEqual(by_topic["SOS"], (None, 0, 0))
        client = self.client_for("A", Role.SUPERVISOR)
        page = client.get(reverse("campaigns:calls", args=[campaign.pk]))
        self.assertContains(page, "Correlation is not impact.")
        self.assertContains(page, "hidden")
        svg = client.get(reverse("campaigns:calls_svg", args=[campaign.pk]))
        self.assertEqual(svg["Content-Type"], "image/svg+xml")
        self.assertIn(b"Campaign", svg.content)

    def test_no_chart_without_dates_or_regions(self) -> None:
        campaign = self.new(end_date=None)
        self.assertIsNone(calls.campaign_calls(self.coordinator, campaign))
        response = self.client_for("A", Role.COORDINATOR).get(
            reverse("campaigns:calls_svg", args=[campaign.pk])
        )
        self.assertEqual(response.status_code, 404)

    def test_the_hotlines_chart_marks_the_campaigns_its_reader_may_see(self) -> None:
        campaign = self.ready()
        actions.start_campaign(self.coordinator, campaign, expected_version=campaign.version)
        self.new(title="A draft never ran")
        query = {"start": (START - dt.timedelta(days=5)).isoformat(), "end": END.isoformat()}
        own = self.client_for("A", Role.SUPERVISOR)
        page = own.get(reverse("hotline:volume"), query)
        self.assertContains(page, campaign.title)
        self.assertContains(page, "Correlation is not impact.")
        self.assertNotContains(page, "A draft never ran")
        self.assertIn(
            campaign.title.encode(), own.get(reverse("hotline:volume_svg"), query).content
        )
        other = self.client_for("B", Role.SUPERVISOR).get(reverse("hotline:volume"), query)
        self.assertNotContains(other, campaign.title)

    def test_a_period_not_yet_over_is_said_to_be_still_counting(self) -> None:
        today = timezone.localdate()
        for start, end, unfinished in (
            (START, END, False),
            (today - dt.timedelta(days=5), today + dt.timedelta(days=5), True),
        ):
            chart = calls.CallChart(
                periods=calls.periods(start, end), topics=(), totals=(0, 0, 0), deployment=False
            )
            self.assertEqual(chart.unfinished, unfinished, start)
