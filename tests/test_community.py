"""Community reports: each rule of record_report called directly (message, nothing saved),
who sees which report, and the map's counts under the disclosure rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from haven.accounts.actions import create_user
from haven.accounts.roles import Role
from haven.audit.models import Action, AuditEntry
from haven.cases.choices import Industry
from haven.community import boundaries
from haven.community.actions import record_report, turn_into_lead
from haven.community.contacts import has_email_address, has_phone_number
from haven.community.models import CommunityReport, PeopleSeen
from haven.community.views import TABLE_ROWS
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.core.places import is_region
from haven.hotline.models import Lead
from tests.personas import HavenTestCase


def mae_sot() -> boundaries.District:
    found = next(d for d in boundaries.country_map("TH").districts if d.name == "Mae Sot")  # type: ignore[union-attr]
    return found


def report_input(**changes: Any) -> dict[str, Any]:
    district = mae_sot()
    values: dict[str, Any] = {
        "observed_on": timezone.localdate(),
        "country": "TH",
        "region": district.region,
        "district": district.code,
        "sector": Industry.A.value,
        "indicators": ["context_always_escorted", "context_lives_at_workplace"],
        "seen": "Workers in the fields never leave; a man watches them all day.",
        "people_seen": PeopleSeen.SEVERAL.value,
    }
    values.update(changes)
    return values


class BoundaryTests(HavenTestCase):
    def test_every_district_joins_a_province_of_its_country(self) -> None:
        for country, at_least in (("TH", 900), ("VN", 700), ("ID", 500)):
            country_map = boundaries.country_map(country)
            assert country_map is not None
            self.assertEqual(country_map.level, "district")
            self.assertGreater(len(country_map.districts), at_least)
            for district in country_map.districts:
                self.assertTrue(is_region(country, district.region), district.name)

    def test_cambodia_is_vendored_at_province_level(self) -> None:
        country_map = boundaries.country_map("KH")
        assert country_map is not None
        self.assertEqual(country_map.level, "province")
        self.assertEqual(len(country_map.districts), 25)


class ContactDetailTests(HavenTestCase):
    def test_phone_numbers_in_any_script_and_grouping_are_found(self) -> None:
        for text in (
            "call 081 234 5678",
            "+66 81-234-5678",
            "+855 12 345 678",
            "(02) 123-4567",
            "๐๘๑-๒๓๔-๕๖๗๘",
            "ទូរស័ព្ទ ០១២ ៣៤៥ ៦៧៨",
            "ဖုန်း ၀၉ ၄၅၆ ၇၈၉ ၀၁၂",
            "0812345678",
        ):
            with self.subTest(text=text):
                self.assertTrue(has_phone_number(text))

    def test_counts_dates_and_house_numbers_are_not_phone_numbers(self) -> None:
        for text in ("about 15 workers", "seen 2026-12-05 at 3pm", "house 123/45", "12 people"):
            with self.subTest(text=text):
                self.assertFalse(has_phone_number(text))

    def test_email_addresses_are_found(self) -> None:
        for text in ("write to boss@example.com", "x \uff20 mail.example.org"):
            with self.subTest(text=text):
                self.assertTrue(has_email_address(text))


class RecordReportTests(HavenTestCase):
    def setUp(self) -> None:
        self.reporter = self.world.user("A", Role.COMMUNITY_REPORTER)

    def assert_refused(self, message: str, **changes: Any) -> None:
        reports, audit = CommunityReport.objects.count(), AuditEntry.objects.count()
        with self.assertRaises(RefusedError) as raised:
            record_report(self.reporter, **report_input(**changes))
        self.assertEqual(raised.exception.message, message)
        self.assertEqual(CommunityReport.objects.count(), reports)
        self.assertEqual(AuditEntry.objects.count(), audit)

    def test_a_report_is_recorded_with_its_audit_row(self) -> None:
        report = record_report(self.reporter, **report_input())
        self.assertEqual(report.organisation, self.reporter.organisation)
        self.assertEqual(report.district, mae_sot().code)
        entry = AuditEntry.objects.latest("seq")
        self.assertEqual(entry.action, Action.COMMUNITY_REPORT)
        self.assertEqual(entry.object_ref, str(report.pk))
        self.assertNotIn("never leave", str(entry.changed_fields))

    def test_phone_numbers_in_several_scripts_are_refused(self) -> None:
        message = (
            "Do not write phone numbers in a report. Remove the number and describe only "
            "what you saw."
        )
        for seen in ("call +66 81 234 5678", "๐๘๑-๒๓๔-๕๖๗๘", "០១២ ៣៤៥ ៦៧៨", "၀၉ ၄၅၆ ၇၈၉ ၀၁၂"):
            with self.subTest(seen=seen):
                self.assert_refused(message, seen=seen)

    def test_email_addresses_are_refused(self) -> None:
        self.assert_refused(
            "Do not write e-mail addresses in a report. Remove the address and describe "
            "only what you saw.",
            seen="the agent is agent@example.com",
        )

    def test_unknown_district_is_refused(self) -> None:
        self.assert_refused("Choose a district of the province from the list.", district="nowhere")

    def test_district_of_another_province_is_refused(self) -> None:
        self.assert_refused("Choose a district of the province from the list.", region="TH-10")

    def test_future_day_is_refused(self) -> None:
        self.assert_refused(
            "The day you saw it cannot be in the future.",
            observed_on=timezone.localdate() + dt.timedelta(days=1),
        )

    def test_indicator_not_observable_is_refused(self) -> None:
        self.assert_refused(
            "Tick only signs from the list.",
            indicators=["context_always_escorted", "excessive_working_hours"],
        )

    def test_no_sign_is_refused(self) -> None:
        self.assert_refused("Tick at least one sign you saw.", indicators=[])

    def test_unknown_sector_is_refused(self) -> None:
        self.assert_refused("Choose a kind of work from the list.", sector="Z_Nothing")

    def test_exact_count_is_refused(self) -> None:
        self.assert_refused("Choose about how many people you saw.", people_seen="7")

    def test_other_roles_cannot_record(self) -> None:
        self.reporter = self.world.user("A", Role.CASE_WORKER)
        self.assert_refused("Your role does not allow this")


class VisibilityTests(HavenTestCase):
    def setUp(self) -> None:
        self.reporter = self.world.user("A", Role.COMMUNITY_REPORTER)
        self.mine = record_report(self.reporter, **report_input(seen="mine"))
        # A second reporter of the same group.
        other = create_user(
            actor=None,
            organisation_id=self.reporter.organisation_id,
            username="a-second-reporter",
            password="x" * 20,
            roles=[Role.COMMUNITY_REPORTER.value],
        )
        self.theirs = record_report(other, **report_input(seen="theirs"))

    def test_reporter_sees_only_own_reports(self) -> None:
        page = self.client_for("A", Role.COMMUNITY_REPORTER).get(reverse("community:mine"))
        self.assertContains(page, "mine")
        self.assertNotContains(page, "theirs")

    def test_reporter_reaches_nothing_else(self) -> None:
        client = self.client_for("A", Role.COMMUNITY_REPORTER)
        self.assertEqual(client.get(reverse("community:map")).status_code, 403)
        self.assertEqual(client.get(reverse("people:list")).status_code, 403)

    def test_coordinator_sees_the_district_reports(self) -> None:
        client = self.client_for("A", Role.COORDINATOR)
        page = client.get(reverse("community:district", args=[mae_sot().code]))
        self.assertContains(page, "mine")
        self.assertContains(page, "theirs")

    def test_other_organisation_sees_none(self) -> None:
        client = self.client_for("B", Role.COORDINATOR)
        page = client.get(reverse("community:district", args=[mae_sot().code]))
        self.assertNotContains(page, "mine")

    def test_unknown_district_is_not_found(self) -> None:
        client = self.client_for("A", Role.COORDINATOR)
        self.assertEqual(
            client.get(reverse("community:district", args=["nowhere"])).status_code, 404
        )


class MapTests(HavenTestCase):
    def setUp(self) -> None:
        reporter = self.world.user("A", Role.COMMUNITY_REPORTER)
        for _n in range(12):
            record_report(reporter, **report_input(seen=""))

    def test_map_shades_the_district_and_hides_small_counts(self) -> None:
        client = self.client_for("A", Role.COORDINATOR)
        page = client.get(reverse("community:map"))
        self.assertContains(page, "Mae Sot: 10")  # 12 rounded to a multiple of 5
        self.assertContains(page, "geoBoundaries")

    @override_settings(HAVEN_STATS_THRESHOLD=20)
    def test_small_counts_are_hidden(self) -> None:
        page = self.client_for("A", Role.COORDINATOR).get(reverse("community:map"))
        self.assertContains(page, "Mae Sot: ·")
        self.assertNotContains(page, "Mae Sot: 10")

    def test_filters_narrow_and_bad_filters_do_not_break_the_page(self) -> None:
        client = self.client_for("A", Role.COORDINATOR)
        page = client.get(reverse("community:map"), {"sector": Industry.F.value})
        self.assertContains(page, "Mae Sot: 0")
        page = client.get(reverse("community:map"), {"start": "not a date", "country": "XX"})
        self.assertEqual(page.status_code, 200)

    def test_map_query_count_does_not_grow(self) -> None:
        client = self.client_for("A", Role.COORDINATOR)
        client.get(reverse("community:map"))
        with self.assertNumQueries(6):
            client.get(reverse("community:map"))

    def test_new_report_form_records_a_report(self) -> None:
        client = self.client_for("A", Role.COMMUNITY_REPORTER)
        self.assertEqual(client.get(reverse("community:new")).status_code, 200)
        data = report_input(seen="by the form")
        response = client.post(reverse("community:new"), data)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(CommunityReport.objects.filter(people_seen=PeopleSeen.SEVERAL).exists())
        response = client.post(reverse("community:new"), {**data, "seen": "081 234 5678"})
        self.assertContains(response, "Do not write phone numbers", status_code=400)

    def test_places_lists_the_districts_of_a_province(self) -> None:
        client = self.client_for("A", Role.COMMUNITY_REPORTER)
        page = client.get(reverse("community:places"), {"country": "TH", "region": "TH-63"})
        self.assertContains(page, "Mae Sot")


class TurnIntoLeadTests(HavenTestCase):
    def setUp(self) -> None:
        self.report = record_report(
            self.world.user("A", Role.COMMUNITY_REPORTER), **report_input(seen="")
        )
        self.coordinator = self.world.user("A", Role.COORDINATOR)

    def assert_unchanged(self, actor: Any, message: str | None, version: int = 1) -> None:
        leads, audit = Lead.objects.count(), AuditEntry.objects.count()
        error = ConcurrentEditError if message is None else RefusedError
        with self.assertRaises(error) as raised:
            turn_into_lead(actor, self.report, expected_version=version)
        if message is not None:
            self.assertEqual(raised.exception.message, message)  # type: ignore[attr-defined]
        self.assertEqual(Lead.objects.count(), leads)
        self.assertEqual(AuditEntry.objects.count(), audit)
        self.report.refresh_from_db()

    def test_a_report_becomes_a_community_lead_once(self) -> None:
        lead = turn_into_lead(self.coordinator, self.report, expected_version=1)
        self.report.refresh_from_db()
        self.assertEqual(self.report.lead, lead)
        self.assertEqual(lead.source, "community")
        self.assertEqual(lead.district, mae_sot().code)
        self.assertIn(mae_sot().region, lead.region)
        self.assert_unchanged(self.coordinator, "This report is already a lead.", version=2)

    def test_a_stale_version_is_refused(self) -> None:
        self.assert_unchanged(self.coordinator, None, version=5)
        self.assertIsNone(self.report.lead_id)

    def test_only_lead_managers_may(self) -> None:
        for role in (Role.COMMUNITY_REPORTER, Role.CASE_WORKER):
            with self.subTest(role=role.value):
                self.assert_unchanged(self.world.user("A", role), "Your role does not allow this")

    def test_another_organisation_cannot(self) -> None:
        self.assert_unchanged(
            self.world.user("B", Role.COORDINATOR), "Your role does not allow this"
        )

    def test_the_district_page_turns_a_report_into_a_lead(self) -> None:
        client = self.client_for("A", Role.COORDINATOR)
        page = client.get(reverse("community:district", args=[mae_sot().code]))
        self.assertContains(page, "Turn into a lead")
        response = client.post(reverse("community:lead", args=[self.report.pk]), {"version": "1"})
        self.report.refresh_from_db()
        assert self.report.lead_id is not None
        self.assertRedirects(
            response,
            reverse("hotline:lead_detail", args=[self.report.lead_id]),
            fetch_redirect_response=False,
        )


class MapDisclosureTests(HavenTestCase):
    def test_a_lone_small_count_hides_another_so_the_total_gives_nothing_away(self) -> None:
        reporter = self.world.user("A", Role.COMMUNITY_REPORTER)
        for _n in range(12):
            record_report(reporter, **report_input(seen=""))
        thailand = boundaries.country_map("TH")
        assert thailand is not None
        mae_sai = next(d for d in thailand.districts if d.name == "Mae Sai")
        record_report(reporter, **report_input(district=mae_sai.code, region=mae_sai.region))
        page = self.client_for("A", Role.COORDINATOR).get(reverse("community:map"))
        self.assertContains(page, "Mae Sai: ·")
        self.assertContains(page, "Mae Sot: ·")


class ListQueryTests(HavenTestCase):
    def test_report_lists_do_not_query_per_report(self) -> None:
        reporter = self.world.user("A", Role.COMMUNITY_REPORTER)
        for _n in range(30):
            record_report(reporter, **report_input(seen=""))
        mine = self.client_for("A", Role.COMMUNITY_REPORTER)
        district = self.client_for("A", Role.COORDINATOR)
        district_url = reverse("community:district", args=[mae_sot().code])
        mine.get(reverse("community:mine"))
        district.get(district_url)
        with self.assertNumQueries(7):  # session and user, count, page, session saved
            mine.get(reverse("community:mine"))
        with self.assertNumQueries(7):
            district.get(district_url)


class MapScaleTests(HavenTestCase):
    def test_the_table_lists_the_busiest_districts_and_says_how_many_more(self) -> None:
        org, reporter = self.world.orgs["A"], self.world.user("A", Role.COMMUNITY_REPORTER)
        country_map = boundaries.country_map("TH")
        assert country_map is not None
        places = country_map.districts[: TABLE_ROWS + 5]
        CommunityReport.objects.bulk_create(
            CommunityReport(
                organisation=org,
                reporter=reporter,
                observed_on=timezone.localdate(),
                country="TH",
                region=place.region,
                district=place.code,
                sector=Industry.values[0],
                indicators=[],
                people_seen="1",
                seen="",
            )
            for index, place in enumerate(places)
            for _copy in range(20 if index == len(places) - 1 else 12)
        )
        page = self.client_for("A", Role.COORDINATOR).get(reverse("community:map"))
        self.assertContains(page, "5 more districts with reports are on the map")
        table = page.content.decode().split('class="map-table"')[1]
        self.assertIn(places[-1].name, table.split("</tr>")[1])  # the busiest comes first
