"""Cases found fast at a country's scale: query counts that do not grow with the number of
cases, bounded due lists, the case list's filters and keyset pages, `haven bench pages`."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from io import StringIO
from itertools import count
from unittest import mock

from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test import Client, TransactionTestCase
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from haven.accounts.roles import Role
from haven.assistance.models import FollowUp
from haven.cases.due import SHOWN, due_items
from haven.cases.listing import PAGE_SIZE
from haven.cases.models import Case, CaseStatus
from haven.cases.synthetic import build_cases
from haven.core import crypto
from haven.identification.status import IdentificationStatus
from haven.people.models import Person
from tests import app_role
from tests.helpers import raw_rows
from tests.personas import HavenTestCase

_numbers = count(1000)

# Queries per page, pinned. Each stays the same with 5 or 50 more cases (below). Every page
# starts with the session and the user (2) and ends with the session's save (3); the due
# lists read two counts and one query per kind of item (7, or 3 when only overdue). Unread
# notifications are one query for everyone; the intake queue (count and first five) and
# incoming referrals (count and first five) two each, for those who see them.
# The session's user comes with their organisation (haven.accounts.backends): one query.
HOME = {
    Role.SCREENER: 7,
    Role.CASE_WORKER: 22,
    Role.SUPERVISOR: 25,  # with the SOS alerts waiting for a supervisor (haven.hotline): 1
    Role.DETERMINATION_OFFICER: 19,
    Role.COORDINATOR: 8,
    Role.ANALYST: 6,
    Role.ORG_ADMIN: 6,
    Role.SYSTEM_ADMIN: 6,
    Role.INTAKE_OFFICER: 8,
}
PAGES = {
    "case_list": 7,
    "case_list_filtered": 7,
    # 24, with shelter stays and named feedback (haven.care): 2; the justice part: 3
    # (completed screenings, any arrest, team access); the age assessments, which also
    # decide whether the case is a child's (haven.cases.children): 1
    "case_page": 30,
    "team": 15,
    "due_list": 14,  # counts (2), then one page of items (7)
}


def today() -> dt.date:
    return timezone.localdate()


class ScaleTestCase(HavenTestCase):
    def add_cases(self, n: int) -> None:
        """`n` fictional cases in organisation A, held by its case worker, many overdue."""
        first = next(_numbers) * 1000
        worker = self.world.user("A", Role.CASE_WORKER)
        build_cases(self.world.orgs["A"], worker, [worker], n, first_number=first, seed=first)

    def queries(self, client: Client, url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return len(captured)

    def page_urls(self) -> dict[str, tuple[Role, str]]:
        case = self.world.cases["A"].reference
        return {
            "case_list": (Role.SUPERVISOR, reverse("cases:list")),
            "case_list_filtered": (
                Role.SUPERVISOR,
                reverse("cases:list") + "?status=Active&identification=presumed&overdue=yes"
                "&child=yes&stage=initial&sort=changed",
            ),
            "case_page": (Role.SUPERVISOR, reverse("cases:detail", args=[case])),
            "team": (Role.SUPERVISOR, reverse("cases:team")),
            "due_list": (Role.SUPERVISOR, reverse("cases:due")),
        }


class QueryCountTests(ScaleTestCase):
    def counts(self) -> dict[str, int]:
        found = {
            f"home:{role.value}": self.queries(self.client_for("A", role), reverse("core:home"))
            for role in HOME
        }
        for name, (role, url) in self.page_urls().items():
            found[name] = self.queries(self.client_for("A", role), url)
        return found

    def test_page_queries_do_not_grow_with_the_number_of_cases(self) -> None:
        self.add_cases(5)
        few = self.counts()
        self.add_cases(45)
        many = self.counts()
        self.assertEqual(few, many)
        pinned = {f"home:{role.value}": n for role, n in HOME.items()} | PAGES
        self.maxDiff = None
        self.assertEqual(many, pinned)


class DueListTests(ScaleTestCase):
    def test_home_shows_counts_and_the_twenty_most_overdue_with_a_link(self) -> None:
        self.add_cases(120)
        worker = self.world.user("A", Role.CASE_WORKER)
        everything = due_items(Case.objects.filter(assigned_to=worker), today())
        self.assertGreater(len(everything), SHOWN)
        page = self.client_for("A", Role.CASE_WORKER).get(reverse("core:home"))
        summary = page.context["due"]
        self.assertEqual(summary.items, everything[:SHOWN])
        self.assertEqual(summary.total, len(everything))
        self.assertContains(page, reverse("cases:due"))
        dates = [item.due_on for item in summary.items]
        self.assertEqual(dates, sorted(dates))

    def test_due_list_pages_through_exactly_what_haven_due_reports(self) -> None:
        self.add_cases(120)
        client = self.client_for("A", Role.SUPERVISOR)
        for overdue, flag in ((True, "?overdue=1"), (False, "")):
            seen = []
            url = reverse("cases:due") + flag
            while url:
                page = client.get(url)
                seen += page.context["items"]
                self.assertLessEqual(len(page.context["items"]), PAGE_SIZE)
                next_url = page.context["next_url"]
                url = reverse("cases:due") + next_url if next_url else ""
            org_cases = Case.objects.filter(organisation=self.world.orgs["A"])
            self.assertEqual(seen, due_items(org_cases, today(), overdue_only=overdue))
        report = StringIO()
        call_command("due", "--format", "json", stdout=report)
        org_report = next(
            o
            for o in json.loads(report.getvalue())["organisations"]
            if o["organisation"] == "Test organisation A"
        )
        overdue_cases = [i["case"] for i in org_report["items"] if i["case"]]
        self.assertEqual(
            overdue_cases,
            [i.case.reference for i in due_items(org_cases, today(), overdue_only=True)],
        )

    def test_a_broken_page_position_shows_the_first_page(self) -> None:
        page = self.client_for("A", Role.SUPERVISOR).get(reverse("cases:due") + "?after=nonsense")
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "showing the first")

    def test_due_kinds_agree_with_the_models_own_facts(self) -> None:
        self.add_cases(200)
        now, soon = today(), today() + dt.timedelta(days=7)
        expected = set()
        for case in Case.objects.filter(organisation=self.world.orgs["A"]):
            if case.awaits_first_decision and case.first_decision_due <= soon:  # type: ignore[operator]
                overdue = case.first_decision_overdue(now)
                expected.add(
                    ("first_decision_overdue" if overdue else "first_decision_due", case.pk)
                )
            if case.final_decision_overdue(now):
                expected.add(("final_decision_overdue", case.pk))
            if case.reflection_ends_between(now, soon):
                expected.add(("reflection_ending", case.pk))
            if case.closure_pending and not case.is_closed:
                expected.add(("closure_pending", case.pk))
        for follow_up in FollowUp.objects.filter(case__organisation=self.world.orgs["A"]):
            if follow_up.is_missed(now):
                expected.add(("follow_up_missed", follow_up.case_id))
            elif follow_up.is_due_by(now, soon):
                expected.add(("follow_up_due", follow_up.case_id))
        found = {
            (item.kind, item.case.pk)
            for item in due_items(Case.objects.filter(organisation=self.world.orgs["A"]), now)
        }
        self.assertEqual(found, expected)

    def test_team_page_lists_twenty_overdue_items_and_counts_them_all(self) -> None:
        self.add_cases(120)
        page = self.client_for("A", Role.SUPERVISOR).get(reverse("cases:team"))
        summary = page.context["due"]
        self.assertEqual(len(summary.items), SHOWN)
        org_cases = Case.objects.filter(organisation=self.world.orgs["A"])
        overdue = len(due_items(org_cases, today(), overdue_only=True))
        self.assertEqual(sum(row["overdue"] for row in page.context["rows"]), overdue)
        self.assertEqual(summary.overdue, overdue)


class CaseListTests(ScaleTestCase):
    def listed(self, query: str = "", role: Role = Role.SUPERVISOR) -> list[str]:
        """Every reference the list shows for `query`, following its "more" links."""
        client = self.client_for("A", role)
        url, seen = reverse("cases:list") + query, []
        while url:
            page = client.get(url)
            self.assertEqual(page.status_code, 200)
            seen += [case.reference for case in page.context["page"].cases]
            next_url = page.context["next_url"]
            url = reverse("cases:list") + next_url if next_url else ""
        return seen

    def test_each_sort_pages_through_every_case_once_in_order(self) -> None:
        self.add_cases(60)
        org_cases = Case.objects.filter(organisation=self.world.orgs["A"])
        orders = {
            "opened": ("-opened_on", "-pk"),
            "changed": ("-updated_at", "-pk"),
            "reference": ("reference",),
        }
        for sort, order in orders.items():
            with self.subTest(sort=sort):
                expected = list(org_cases.order_by(*order).values_list("reference", flat=True))
                self.assertEqual(self.listed(f"?sort={sort}"), expected)

    def test_filters_narrow_the_list(self) -> None:
        self.add_cases(80)
        org_cases = Case.objects.filter(organisation=self.world.orgs["A"])
        worker = self.world.user("A", Role.CASE_WORKER)
        cases = {
            "?status=FollowUp": org_cases.filter(status=CaseStatus.FOLLOW_UP),
            "?identification=presumed": org_cases.filter(
                identification_status=IdentificationStatus.PRESUMED
            ),
            f"?worker={worker.pk}": org_cases.filter(assigned_to=worker),
            "?worker=none": org_cases.filter(assigned_to__isnull=True),
            "?child=yes": org_cases.filter(person__age_band__in=("0-11", "12-17")),
            "?stage=initial": org_cases.filter(objectives__stage="initial").distinct(),
        }
        for query, expected in cases.items():
            with self.subTest(query=query):
                self.assertEqual(sorted(self.listed(query)), sorted(c.reference for c in expected))

    def test_overdue_filter_lists_the_cases_haven_due_reports(self) -> None:
        self.add_cases(80)
        org_cases = Case.objects.filter(organisation=self.world.orgs["A"])
        overdue = {i.case.reference for i in due_items(org_cases, today(), overdue_only=True)}
        self.assertTrue(overdue)
        self.assertEqual(set(self.listed("?overdue=yes")), overdue)

    def test_exact_reference_finds_one_case(self) -> None:
        reference = self.world.cases["A"].reference
        self.assertEqual(self.listed(f"?reference={reference.lower()}"), [reference])
        self.assertEqual(self.listed("?reference=CAS-ZZZ-ZZZ"), [])

    def test_unknown_filter_values_are_ignored_with_a_message(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        for query in ("?status=Lost", "?worker=999999", "?sort=age", "?after=x,y", "?child=maybe"):
            with self.subTest(query=query):
                page = client.get(reverse("cases:list") + query)
                self.assertEqual(page.status_code, 200)
                self.assertContains(page, "Ignored, as the value is not one this list knows")
                self.assertIn(self.world.cases["A"].reference, self.listed(""))

    def test_htmx_asks_for_the_results_alone(self) -> None:
        page = self.client_for("A", Role.SUPERVISOR).get(
            reverse("cases:list") + "?status=Active", headers={"HX-Request": "true"}
        )
        self.assertTemplateUsed(page, "cases/_list_results.html")
        self.assertTemplateNotUsed(page, "cases/list.html")
        self.assertNotContains(page, "<html")

    def test_the_filter_form_uses_htmx_attributes_not_script(self) -> None:
        page = self.client_for("A", Role.SUPERVISOR).get(reverse("cases:list"))
        self.assertContains(page, 'hx-get="/cases/"')
        self.assertContains(page, 'hx-target="#case-results"')

    def test_a_case_worker_lists_only_their_cases(self) -> None:
        self.add_cases(30)
        worker = self.world.user("A", Role.CASE_WORKER)
        mine = Case.objects.filter(Q(assigned_to=worker) | Q(created_by=worker)).values_list(
            "reference", flat=True
        )
        self.assertEqual(sorted(self.listed("", Role.CASE_WORKER)), sorted(mine))


class BenchTests(TransactionTestCase):
    """The bench creates and drops a scratch database: as the owner, on PostgreSQL."""

    owner = app_role.as_owner()

    @classmethod
    def setUpClass(cls) -> None:
        cls.owner.__enter__()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        cls.owner.__exit__(None, None, None)

    def test_bench_pages_reports_every_page_in_json(self) -> None:
        out = StringIO()
        call_command(
            "bench", "pages", "--cases", "50", "--runs", "2", "--format", "json", stdout=out
        )
        report = json.loads(out.getvalue())
        self.assertEqual(report["cases"], 50)
        expected = {f"home:{role.value}" for role in Role} | {
            "case_list",
            "case_list:filtered",
            "case_page",
            "team",
            "due_list",
            "haven due",
        }
        self.assertLessEqual(expected, set(report["pages"]))
        for name, timing in report["pages"].items():
            with self.subTest(page=name):
                self.assertEqual(set(timing), {"p50_ms", "p95_ms", "queries", "raw_sql_ratio"})
                self.assertGreater(timing["queries"], 0)
                self.assertLessEqual(timing["p50_ms"], timing["p95_ms"])
        # The scratch database is gone and the configured one was not touched.
        self.assertFalse(
            Case.objects.filter(summary__isnull=False, reference__startswith="CAS-222").exists()
        )


TOKEN = re.compile(r"hv1\$[A-Za-z0-9]+\$[A-Za-z0-9+/=]+")


class KeyRotationAtScaleTests(ScaleTestCase):
    def new_ring(self) -> crypto.KeyRing:
        old = crypto.key_ring()
        return crypto.KeyRing(
            primary="k9",
            data_keys={**old.data_keys, "k9": os.urandom(32)},
            index_key=old.index_key,
            audit_key=old.audit_key,
        )

    def tokens(self) -> list[str]:
        """Every sealed value: whole columns, and those inside JSON (second-factor secrets)."""
        return [token for _t, _c, v in raw_rows() for token in TOKEN.findall(v)]

    def test_rotation_stopped_midway_leaves_values_readable_and_a_rerun_finishes(self) -> None:
        self.add_cases(30)
        before = {c.pk: c.summary for c in Case.objects.all()}
        real_reseal, calls = crypto.reseal, count()

        def reseal_then_stop(tokens: list[str], context: str) -> list[str]:
            if next(calls) == 3:
                raise KeyboardInterrupt
            return real_reseal(tokens, context)

        with override_settings(HAVEN_KEYS_JSON=self.new_ring().to_json()):
            crypto.reset_key_ring_cache()
            try:
                with (
                    mock.patch.object(crypto, "reseal", reseal_then_stop),
                    self.assertRaises(KeyboardInterrupt),
                ):
                    call_command("keys", "rotate", "--batch", "7", stdout=StringIO())
                halfway = self.tokens()
                self.assertTrue(any(t.startswith("hv1$k9$") for t in halfway))
                self.assertTrue(any(not t.startswith("hv1$k9$") for t in halfway))
                self.assertEqual({c.pk: c.summary for c in Case.objects.all()}, before)
                stale = sum(1 for t in halfway if not t.startswith("hv1$k9$"))

                out = StringIO()
                call_command("keys", "rotate", "--batch", "7", stdout=out)
                self.assertIn(f"Re-encrypted {stale} values under key k9", out.getvalue())
                self.assertTrue(all(t.startswith("hv1$k9$") for t in self.tokens()))
                self.assertEqual({c.pk: c.summary for c in Case.objects.all()}, before)
                person = Person.objects.get(pk=self.world.people["A"].pk)
                self.assertEqual(person.full_name, "Fixture Person A")

                again = StringIO()
                call_command("keys", "rotate", stdout=again)
                self.assertIn("Re-encrypted 0 values", again.getvalue())
            finally:
                crypto.reset_key_ring_cache()

    def test_no_progress_bar_when_not_on_a_terminal(self) -> None:
        with override_settings(HAVEN_KEYS_JSON=self.new_ring().to_json()):
            crypto.reset_key_ring_cache()
            try:
                out = StringIO()
                call_command("keys", "rotate", stdout=out)
            finally:
                crypto.reset_key_ring_cache()
        self.assertNotIn("\r", out.getvalue())
        self.assertNotIn("[#", out.getvalue())
