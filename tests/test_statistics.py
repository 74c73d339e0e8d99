"""Statistics and releases: facts from the records, disclosure control on everything that
leaves, scope by role and organisation, bad input refused, and releases that re-identify
nobody (k-anonymity, no identifiers, consent only, noise at the stated scale)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import statistics as pystats
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from haven.accounts.roles import Role
from haven.assistance.models import FollowUp, Service
from haven.audit.models import Action, AuditEntry
from haven.cases.synthetic import build_cases
from haven.core.errors import RefusedError
from haven.people.models import Person
from haven.referrals.models import Referral
from haven.stats import actions, facts, results, summary, synthetic, tables
from haven.stats.models import (
    FactTag,
    IndicatorSource,
    PersonFact,
    Release,
    ReleaseKind,
    ReleaseStatus,
    ResultIndicator,
    ResultLevel,
    Summary,
)
from haven.stats.summary import Filters
from tests.personas import HavenTestCase

CANARY = "Canary Zzyzx Fictional"


class Load(HavenTestCase):
    """Organisation A gets 400 fictional people with a case, screening and steps each;
    B keeps its single person, so every count of B's is small."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        world = cls.world
        a = world.orgs["A"]
        supervisor = world.user("A", Role.SUPERVISOR)
        build_cases(a, supervisor, [world.user("A", Role.CASE_WORKER)], 400, first_number=90_000)
        synthetic.enrich(a, supervisor)
        Person.objects.filter(pk=world.people["A"].pk).update(full_name=CANARY)
        facts.refresh()

    def page(self, org: str, role: Role, query: str = "") -> str:
        response = self.client_for(org, role).get(reverse("statistics:index") + query)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()


class FactTests(Load):
    def test_one_fact_per_person_with_the_funnel_from_the_records(self) -> None:
        self.assertEqual(PersonFact.objects.count(), Person.objects.count())
        a = PersonFact.objects.filter(organisation=self.world.orgs["A"])
        screened = a.filter(screened_on__isnull=False).count()
        presumed = a.filter(presumed_on__isnull=False).count()
        first = a.filter(first_decision_on__isnull=False).count()
        self.assertGreater(screened, presumed)
        self.assertGreater(presumed, first)
        self.assertGreater(first, 0)
        self.assertFalse(a.filter(presumed_on__isnull=False, screened_on__isnull=True).exists())

    def test_the_facts_hold_no_identity(self) -> None:
        names = {f.name for f in PersonFact._meta.get_fields()}
        for never in ("full_name", "reference", "date_of_birth", "documents", "summary"):
            self.assertNotIn(never, names)


class SummaryTests(Load):
    """The pages read summary counts; they must be what counting the facts and records
    gives, for every period and country a reader can ask for."""

    def analyst(self) -> Any:
        return self.world.user("A", Role.ANALYST)

    def facts(self) -> Any:
        return PersonFact.objects.filter(organisation=self.world.orgs["A"])

    def test_the_funnel_and_its_medians_are_the_facts(self) -> None:
        for filters in (
            Filters(),
            Filters(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)),
            Filters(region="TH"),
        ):
            with self.subTest(filters=filters):
                found = summary.read(self.analyst(), filters, ("funnel", "funnel_days"))
                facts = self.facts()
                if filters.start and filters.end:
                    facts = facts.filter(first_contact__range=(filters.start, filters.end))
                if filters.region:
                    facts = facts.filter(region=filters.region)
                for earlier, later in itertools.pairwise(summary.STEPS):
                    reached = facts.filter(**{f"{later}__isnull": False})
                    self.assertEqual(found["funnel"].get((later, ""), 0), reached.count())
                    both = reached.filter(**{f"{earlier}__isnull": False})
                    days = [(b - a).days for a, b in both.values_list(earlier, later)]
                    histogram = {
                        int(d): n for (s, d), n in found["funnel_days"].items() if s == later
                    }
                    expected = float(pystats.median(days)) if days else None
                    self.assertEqual(summary.median(histogram), (expected, len(days)))

    def test_people_and_assistance_cells_are_the_records(self) -> None:
        found = summary.read(
            self.analyst(), Filters(), ("sex_age", "exploitation", "services_stage")
        )
        assisted = self.facts().filter(assisted=True)
        for row in assisted.values("sex", "age_band").annotate(n=Count("pk")):
            self.assertEqual(found["sex_age"][row["sex"], row["age_band"]], row["n"])
        self.assertEqual(sum(found["sex_age"].values()), assisted.count())
        tags = FactTag.objects.filter(fact__in=assisted, dimension="exploitation")
        self.assertEqual(sum(found["exploitation"].values()), tags.count())
        services = Service.objects.filter(case__organisation=self.world.orgs["A"])
        self.assertEqual(sum(found["services_stage"].values()), services.count())

    def test_another_organisations_reader_gets_none_of_it(self) -> None:
        other = summary.read(self.world.user("B", Role.ANALYST), Filters(), ("sex_age",))
        self.assertLess(sum(other["sex_age"].values()), 5)
        self.assertEqual(
            summary.read(self.world.user("A", Role.CASE_WORKER), Filters(), ("met",)), {}
        )

    def test_median_days_to_accept_overall_and_by_type_of_receiving_organisation(self) -> None:
        org, month = self.world.orgs["A"], dt.date(2026, 1, 1)
        Summary.objects.bulk_create(
            Summary(organisation=org, month=month, region="TH", table="accept_days", **cells)
            for cells in (
                {"row": "Shelter", "column": "2", "n": 6},
                {"row": "Shelter", "column": "4", "n": 6},
                {"row": "LegalService", "column": "10", "n": 3},
            )
        )
        found = dict(tables.median_days_to_accept(self.analyst(), Filters()))
        # 15 answers in all: the median is the 8th, 4 days. Shelters' 12: between the 6th
        # (2) and the 7th (4). Legal services have 3: hidden.
        self.assertEqual(found["All receiving organisations"], 4)
        self.assertEqual(found["Shelter"], 3)
        self.assertIsNone(found["Legal service"])

    def test_the_median_of_a_histogram(self) -> None:
        self.assertEqual(summary.median({}), (None, 0))
        self.assertEqual(summary.median({3: 1}), (3.0, 1))
        self.assertEqual(summary.median({1: 1, 5: 1}), (3.0, 2))
        self.assertEqual(summary.median({1: 2, 9: 1}), (1.0, 3))
        self.assertEqual(summary.median({2: 5, 4: 5}), (3.0, 10))


class PageTests(Load):
    def test_each_reader_sees_their_scope_and_small_counts_are_hidden(self) -> None:
        analyst_a = self.page("A", Role.ANALYST)
        self.assertIn("Identification funnel", analyst_a)
        self.assertIn("How to read this", analyst_a)
        self.assertIn("not the number of people trafficked", analyst_a)
        self.assertNotIn(CANARY, analyst_a)
        # B has one person: every count is below the threshold.
        analyst_b = self.page("B", Role.ANALYST)
        self.assertIn("hidden", analyst_b)
        self.assertNotIn(">1<", analyst_b.replace(" ", ""))

    def test_other_roles_have_no_statistics(self) -> None:
        for role in (Role.SCREENER, Role.CASE_WORKER, Role.TRANSLATOR, Role.ORG_ADMIN):
            response = self.client_for("A", role).get(reverse("statistics:index"))
            self.assertEqual(response.status_code, 403, role)

    def test_bad_filters_get_a_message_and_no_numbers(self) -> None:
        client = self.client_for("A", Role.ANALYST)
        for query in ("?start=2026-05&end=2026-01", "?start=May", "?region=XX"):
            response = client.get(reverse("statistics:index") + query)
            self.assertEqual(response.status_code, 400, query)
            self.assertNotContains(response, "Identification funnel", status_code=400)
        bad = client.get(reverse("statistics:download", args=["csv"]) + "?start=2026-13")
        self.assertEqual(bad.status_code, 400)

    def test_an_empty_period_says_so(self) -> None:
        content = self.page("A", Role.ANALYST, "?start=2001-01&end=2001-02")
        self.assertIn("Nobody in this period.", content)

    def test_downloads_carry_the_same_protected_numbers_and_are_audited(self) -> None:
        client = self.client_for("B", Role.ANALYST)
        before = AuditEntry.objects.filter(action=Action.STATISTICS_EXPORT).count()
        data = client.get(reverse("statistics:download", args=["csv"])).content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(data)))
        numbers = [cell for row in rows for cell in row if cell.isdigit()]
        self.assertTrue(all(int(n) == 0 or int(n) >= 10 for n in numbers), numbers)
        self.assertIn("[c]", data)
        xlsx = client.get(reverse("statistics:download", args=["xlsx"]))
        book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
        values = [c for s in book.worksheets for r in s.iter_rows(values_only=True) for c in r]
        self.assertIn("[c]", values)
        self.assertFalse([v for v in values if isinstance(v, int) and 0 < v < 10])
        after = AuditEntry.objects.filter(action=Action.STATISTICS_EXPORT).count()
        self.assertEqual(after, before + 2)

    def test_the_pdf_report_in_khmer(self) -> None:
        client = self.client_for("A", Role.ANALYST)
        client.cookies["django_language"] = "km"
        response = client.get(reverse("statistics:report"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        reader = PdfReader(io.BytesIO(response.content))
        self.assertGreater(len(reader.pages), 1)

    def test_a_chart_is_svg_of_the_protected_table(self) -> None:
        client = self.client_for("A", Role.ANALYST)
        response = client.get(reverse("statistics:chart", args=["exploitation"]))
        self.assertEqual(response["Content-Type"], "image/svg+xml")
        self.assertIn(b"<svg", response.content)
        missing = client.get(reverse("statistics:chart", args=["nothing"]))
        self.assertEqual(missing.status_code, 404)

    def test_query_count_does_not_grow_with_the_people(self) -> None:
        client = self.client_for("A", Role.ANALYST)
        client.get(reverse("statistics:index"))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("statistics:index"))
        # Session and user, the latest refresh, the regions, one summary read per group
        # and the median: pinned, so a query per table or per row cannot creep back.
        self.assertLessEqual(len(queries), 12)


def _rows(release: Release) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(bytes(release.content).decode())))


class ReleaseRuleTests(Load):
    def prepare(self, **kwargs: object) -> Release:
        return actions.prepare(
            self.world.user("A", Role.ANALYST), kind=ReleaseKind.K_ANONYMOUS, **kwargs
        )

    def test_a_k_anonymous_release_reidentifies_nobody(self) -> None:
        release = self.prepare(k=11)
        rows = _rows(release)
        self.assertTrue(rows)
        combos = Counter(tuple(r[q] for q in actions.QUASI_IDENTIFIERS) for r in rows)
        self.assertGreaterEqual(min(combos.values()), 11)
        text = bytes(release.content).decode()
        self.assertNotIn(CANARY, text)
        self.assertNotIn("Fictional Person", text)
        self.assertNotIn("HVN-", text)
        meta = release.metadata
        for key in ("quasi_identifiers", "k", "generalisation", "suppressed", "period"):
            self.assertIn(key, meta)
        self.assertEqual(meta["k"], 11)

    def test_only_people_whose_consent_allows_research(self) -> None:
        release = self.prepare(k=2)
        consenting = PersonFact.objects.filter(
            organisation=self.world.orgs["A"], research_consent=True
        ).count()
        self.assertEqual(release.rows + release.metadata["suppressed"]["records"], consenting)
        self.assertGreater(release.metadata["excluded_without_research_consent"], 0)

    def test_bad_parameters_change_nothing(self) -> None:
        before = Release.objects.count()
        for bad in ({"k": 1}, {"k": 5000}):
            with self.assertRaises(RefusedError):
                self.prepare(**bad)
        with self.assertRaises(RefusedError):
            actions.prepare(
                self.world.user("A", Role.ANALYST), kind=ReleaseKind.DP_COUNTS, epsilon=0
            )
        self.assertEqual(Release.objects.count(), before)

    def test_a_second_person_approves_once_and_only_then_it_can_be_downloaded(self) -> None:
        analyst = self.world.user("A", Role.ANALYST)
        release = self.prepare(k=11)
        with self.assertRaises(RefusedError):
            actions.content_for(analyst, release)
        with self.assertRaises(RefusedError):
            actions.decide(analyst, release, approve=True, expected_version=release.version)
        admin = self.world.user("A", Role.ORG_ADMIN)
        with self.assertRaises(RefusedError):
            actions.decide(admin, release, approve=True, expected_version=99)
        with self.assertRaises(PermissionDenied):
            actions.decide(
                self.world.user("B", Role.ORG_ADMIN),
                release,
                approve=True,
                expected_version=release.version,
            )
        decided = actions.decide(admin, release, approve=True, expected_version=release.version)
        self.assertEqual(decided.status, ReleaseStatus.APPROVED)
        with self.assertRaises(RefusedError):
            actions.decide(admin, decided, approve=False, expected_version=decided.version)
        self.assertEqual(actions.content_for(analyst, decided), bytes(release.content))
        with self.assertRaises(PermissionDenied):
            actions.content_for(self.world.user("A", Role.COORDINATOR), decided)
        audited = AuditEntry.objects.filter(object_type="release", object_ref=str(release.pk))
        self.assertEqual(
            sorted(audited.values_list("action", flat=True)),
            sorted([Action.RELEASE_REQUEST, Action.RELEASE_DECIDE, Action.RELEASE_DOWNLOAD]),
        )

    def test_an_analyst_releases_only_their_organisation(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.prepare(
                self.world.user("A", Role.ANALYST),
                kind=ReleaseKind.K_ANONYMOUS,
                organisation=self.world.orgs["B"],
            )
        with self.assertRaises(PermissionDenied):
            actions.prepare(self.world.user("A", Role.CASE_WORKER), kind=ReleaseKind.K_ANONYMOUS)

    def test_dp_counts_differ_from_the_truth_by_the_stated_noise(self) -> None:
        release = actions.prepare(
            self.world.user("A", Role.ANALYST), kind=ReleaseKind.DP_COUNTS, epsilon=1.0
        )
        self.assertEqual(release.metadata["scale"], 1.0)
        noisy = {
            tuple(r[d] for d in actions.DP_DIMENSIONS): int(r["count"]) for r in _rows(release)
        }
        truth = Counter(
            actions.dp_cell(r)
            for r in actions.records(PersonFact.objects.filter(organisation=self.world.orgs["A"]))
        )
        # Every cell is listed, empty ones too: which combinations occur is not given away.
        self.assertLessEqual(set(truth), set(noisy))
        self.assertGreater(len(noisy), len(truth))
        errors = [abs(noisy[k] - truth.get(k, 0)) for k in noisy]
        self.assertGreater(sum(errors), 0)
        self.assertLess(sum(errors) / len(errors), 3.0)


class CommandTests(Load):
    def test_haven_release_writes_the_file_and_its_metadata(self) -> None:
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        output = folder / "r.csv"
        out = io.StringIO()
        call_command("release", "--k", "11", "--output", str(output), stdout=out)
        meta = json.loads((folder / "r.meta.json").read_text())
        for key in ("quasi_identifiers", "k", "generalisation", "suppressed", "period"):
            self.assertIn(key, meta)
        self.assertIn("ruleset_version", meta)
        self.assertIn("code_version", meta)
        rows = list(csv.DictReader(output.open()))
        combos = Counter(tuple(r[q] for q in meta["quasi_identifiers"]) for r in rows)
        self.assertTrue(not combos or min(combos.values()) >= 11)
        self.assertNotIn(CANARY, output.read_text())
        self.assertEqual(Release.objects.get().status, ReleaseStatus.APPROVED)

    def test_bad_arguments_write_nothing(self) -> None:
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        for args in (
            ["--k", "1"],
            ["--dp", "--epsilon", "0"],
            ["--dp", "--epsilon", "50"],
            ["--from", "2026-05", "--to", "2026-01"],
            ["--from", "May"],
        ):
            with self.subTest(args=args), self.assertRaises(CommandError):
                call_command("release", *args, "--output", str(folder / "r.csv"))
        self.assertEqual(list(folder.iterdir()), [])
        self.assertFalse(Release.objects.exists())

    def test_stats_refresh(self) -> None:
        out = io.StringIO()
        call_command("stats", "refresh", stdout=out)
        self.assertIn("statistics refreshed", out.getvalue())


class ResultsFrameworkTests(Load):
    def spec(self, **changes: object) -> results.IndicatorSpec:
        base = {
            "name": "People presumed to be victims",
            "source": IndicatorSource.COMPUTED,
            "measure": "presumed",
            "baseline": 50,
            "target": 400,
            "period_start": dt.date(2020, 1, 1),
            "period_end": summary.last_day(timezone.localdate()),
        }
        return results.IndicatorSpec(**{**base, **changes})  # type: ignore[arg-type]

    def test_a_framework_reports_achieved_against_target_under_disclosure(self) -> None:
        analyst = self.world.user("A", Role.ANALYST)
        framework = results.create_framework(analyst, title="2026", goal="Identify and help")
        outcome = results.add_result(
            analyst,
            framework,
            level=ResultLevel.OUTCOME,
            statement="Victims identified early",
            expected_version=1,
        )
        results.add_indicator(analyst, outcome, self.spec(), expected_version=2)
        results.add_indicator(
            analyst,
            outcome,
            self.spec(
                name="Hotline calls",
                source=IndicatorSource.MANUAL,
                measure="",
                manual_value=7,
                manual_source="Hotline log",
            ),
            expected_version=3,
        )
        ((_result, rows),) = results.progress(framework)
        computed, manual = rows
        presumed = PersonFact.objects.filter(
            organisation=self.world.orgs["A"], presumed_on__isnull=False
        ).count()
        self.assertEqual(computed.achieved, 5 * round(presumed / 5))
        self.assertEqual((computed.baseline, computed.target), (50, 400))
        self.assertIsNotNone(computed.percent)
        self.assertIsNone(manual.achieved)  # 7 is below the threshold: hidden
        page = self.client_for("A", Role.SUPERVISOR).get(
            reverse("statistics:framework", args=[framework.pk])
        )
        self.assertContains(page, "Victims identified early")
        self.assertContains(page, "hidden")
        pdf = self.client_for("A", Role.ANALYST).get(
            reverse("statistics:framework_pdf", args=[framework.pk])
        )
        self.assertEqual(pdf["Content-Type"], "application/pdf")

    def test_every_measure_counts_what_it_says(self) -> None:
        """Each computed indicator, read from the summaries, against counting the facts
        and records directly over the same whole months."""
        start, end = dt.date(2024, 1, 1), dt.date(2025, 12, 31)
        org = self.world.orgs["A"]
        facts = PersonFact.objects.filter(organisation=org)
        people = Person.objects.filter(fact__organisation=org)

        def reached(step: str) -> int:
            return facts.filter(**{f"{step}__range": (start, end)}).count()

        assisted = facts.filter(assisted=True, first_contact__range=(start, end))
        referrals = Referral.objects.filter(
            direction="outgoing", case__person__in=people, sent_at__date__range=(start, end)
        )
        expected = {
            "screened": reached("screened_on"),
            "indicators": reached("indicators_on"),
            "presumed": reached("presumed_on"),
            "first_decisions": reached("first_decision_on"),
            "first_on_target": facts.filter(
                first_decision_on__range=(start, end), first_on_target=True
            ).count(),
            "final_decisions": reached("final_decision_on"),
            "confirmed": reached("confirmed_on"),
            "assisted": assisted.count(),
            "children_assisted": assisted.filter(child=True).count(),
            "services_delivered": Service.objects.filter(
                case__person__in=people, status="delivered", on__range=(start, end)
            ).count(),
            "referrals_sent": referrals.count(),
            "referrals_completed": referrals.filter(status="completed").count(),
            "follow_ups_kept": FollowUp.objects.filter(
                case__person__in=people, done_on__isnull=False, due_on__range=(start, end)
            ).count(),
            "returns": reached("returned_on"),
        }
        self.assertEqual(set(expected), set(results.MEASURES))
        rows = Summary.objects.filter(organisation=org)
        for key, measure in results.MEASURES.items():
            found = summary.cells(rows, Filters(start, end), [measure.table])
            self.assertEqual(measure.count(found), expected[key], key)
        self.assertGreater(expected["presumed"], 0)

    def test_a_figure_entered_by_hand_later(self) -> None:
        analyst = self.world.user("A", Role.ANALYST)
        framework = results.create_framework(analyst, title="2026", goal="Reach people")
        output = results.add_result(
            analyst, framework, level=ResultLevel.OUTPUT, statement="Calls", expected_version=1
        )
        manual = self.spec(name="Hotline calls", source=IndicatorSource.MANUAL, measure="")
        calls = results.add_indicator(analyst, output, manual, expected_version=2)
        computed = results.add_indicator(analyst, output, self.spec(), expected_version=3)
        for act in (
            lambda: results.record_value(
                analyst, computed, value=40, source="Log", expected_version=4
            ),
            lambda: results.record_value(analyst, calls, value=40, source=" ", expected_version=4),
            lambda: results.record_value(
                analyst, calls, value=40, source="Log", expected_version=3
            ),
        ):
            with self.assertRaises(RefusedError):
                act()
        with self.assertRaises(PermissionDenied):
            results.record_value(
                self.world.user("B", Role.ANALYST),
                calls,
                value=40,
                source="Log",
                expected_version=4,
            )
        calls.refresh_from_db()
        self.assertIsNone(calls.manual_value)
        client = self.client_for("A", Role.ANALYST)
        url = reverse("statistics:framework_value", args=[framework.pk])
        sent = {"value-indicator": calls.pk, "value-version": 4}
        response = client.post(
            url, {**sent, "value-manual_value": 40, "value-manual_source": "Log"}
        )
        self.assertEqual(response.status_code, 302)
        calls.refresh_from_db()
        self.assertEqual((calls.manual_value, calls.manual_source), (40, "Log"))
        ((_result, rows),) = results.progress(framework)
        self.assertEqual(rows[0].achieved, 40)

    def test_the_rules_hold_in_the_actions(self) -> None:
        analyst = self.world.user("A", Role.ANALYST)
        framework = results.create_framework(analyst, title="2026", goal="Identify and help")
        with self.assertRaises(PermissionDenied):
            results.create_framework(self.world.user("A", Role.SUPERVISOR), title="x", goal="y")
        with self.assertRaises(PermissionDenied):
            results.add_result(
                self.world.user("B", Role.ANALYST),
                framework,
                level=ResultLevel.OUTPUT,
                statement="x",
                expected_version=1,
            )
        with self.assertRaises(RefusedError):
            results.add_result(
                analyst, framework, level=ResultLevel.OUTPUT, statement="x", expected_version=9
            )
        output = results.add_result(
            analyst, framework, level=ResultLevel.OUTPUT, statement="x", expected_version=1
        )
        for bad in (
            self.spec(name=" "),
            self.spec(measure="nothing"),
            self.spec(period_end=dt.date(2019, 1, 31)),
            self.spec(period_start=dt.date(2020, 1, 15)),
            self.spec(period_end=dt.date(2026, 6, 30) - dt.timedelta(days=1)),
            self.spec(source=IndicatorSource.MANUAL, manual_value=3, manual_source=""),
        ):
            with self.assertRaises(RefusedError):
                results.add_indicator(analyst, output, bad, expected_version=2)
        self.assertFalse(ResultIndicator.objects.exists())
        coordinator = self.world.user("B", Role.COORDINATOR)
        mechanism = results.create_framework(coordinator, title="NRM", goal="All")
        self.assertIsNone(mechanism.organisation_id)


class ChartTableTests(Load):
    def test_every_table_has_its_chart_built_alone(self) -> None:
        analyst = self.world.user("A", Role.ANALYST)
        every = tables.all_tables(analyst, Filters())
        for slug, table in every.items():
            alone = tables.one_table(analyst, Filters(), slug)
            self.assertIsNotNone(alone, slug)
            self.assertEqual(alone, table)
        self.assertIsNone(tables.one_table(analyst, Filters(), "nothing"))
