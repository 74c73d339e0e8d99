"""`haven bench pages --cases N`: the main pages timed against N fictional cases.

The cases go into a scratch database beside the configured one (a new SQLite file in a
temporary folder, or a new database on the same PostgreSQL server), which is dropped at
the end: the configured database is never read or written. Each page is fetched through
Django's test client as a signed-in user of the right role; the report gives the median
and 95th percentile, the number of queries, and how much slower the page is than its own
SQL run bare (`raw_sql_ratio`: 1 would mean all the time goes to the database).

`haven bench screening` and `haven bench interview` are the screening app's benchmarks;
this command takes over the name (haven.core comes first in INSTALLED_APPS) and hands
those two on unchanged."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import statistics
import tempfile
import time
import warnings
from argparse import ArgumentParser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from haven.accounts.actions import create_user, ensure_organisation
from haven.accounts.models import Organisation, OrganisationType, User
from haven.accounts.roles import Role
from haven.campaigns.models import Campaign
from haven.cases.choices import Industry
from haven.cases.models import Case
from haven.cases.synthetic import build_cases
from haven.community import boundaries
from haven.community.indicators import observable_ids
from haven.community.models import CommunityReport, PeopleSeen
from haven.hotline.choices import CallerType, Channel, LeadSource, Topic
from haven.hotline.models import Call, Lead
from haven.interop import importing as interop_importing
from haven.interop import synthetic as interop_synthetic
from haven.screening.management.commands.bench import Command as ScreeningBench
from haven.stats import actions as statistics_actions
from haven.stats import facts as statistics_facts
from haven.stats import results as statistics_results
from haven.stats import synthetic as statistics_synthetic
from haven.stats.models import IndicatorSource, PersonFact, ResultLevel, ResultsFramework

WORKERS = 20
TIMED_RUNS = 15


@dataclass(frozen=True)
class Timing:
    p50_ms: float
    p95_ms: float
    queries: int
    raw_sql_ratio: float

    def as_json(self) -> dict[str, float | int]:
        return {
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "queries": self.queries,
            "raw_sql_ratio": round(self.raw_sql_ratio, 2),
        }


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


Statement = tuple[str, Any]


class Recorder:
    """Every statement the connection runs, with its parameters (`execute_wrapper`)."""

    def __init__(self) -> None:
        self.statements: list[Statement] = []

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.statements.append((sql, params))
        return execute(sql, params, many, context)

    @property
    def reads(self) -> list[Statement]:
        return [(sql, p) for sql, p in self.statements if sql.lstrip().upper().startswith("SELECT")]


def _raw_sql_ms(statements: list[Statement]) -> float:
    """The recorded reads run again directly, fetched in full, in milliseconds."""
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()
    return (time.perf_counter() - start) * 1000


def get(client: Client, url: str) -> Callable[[], object]:
    """A page fetch to time: anything but 200 stops the benchmark."""

    def fetch() -> object:
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        return response

    return fetch


def _facts_aggregates(organisation: Organisation) -> Callable[[], object]:
    """The baseline the summaries are measured against: three of the page's aggregates
    (the funnel, sex by age, country) grouped straight from one organisation's facts."""

    def run() -> object:
        facts = PersonFact.objects.filter(organisation=organisation)
        steps = ("screened_on", "presumed_on", "first_decision_on", "confirmed_on")
        funnel = facts.aggregate(
            **{s: Count("pk", filter=Q(**{f"{s}__isnull": False})) for s in steps}
        )
        assisted = facts.filter(assisted=True)
        by_sex = list(assisted.values("sex", "age_band").annotate(n=Count("pk")).order_by())
        by_region = list(assisted.values("region").annotate(n=Count("pk")).order_by())
        return funnel, by_sex, by_region

    return run


def measure(work: Callable[[], object], runs: int = TIMED_RUNS) -> Timing:
    work()  # warm caches, templates and the connection
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        work()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    raw = statistics.median(_raw_sql_ms(recorder.reads) for _ in range(3))
    p50 = statistics.median(samples)
    return Timing(p50, _p95(samples), len(recorder.statements), p50 / raw if raw else 0.0)


@contextmanager
def scratch_database() -> Iterator[str]:
    """Point the default connection at a new, empty database for the duration.

    A new connection object stands in for the configured one, which is left as it was
    (not even closed: an in-memory test database would vanish) and put back at the end."""
    configured = connections["default"]
    original = configured.settings_dict
    postgres = configured.vendor == "postgresql"
    folder = None
    if postgres:
        name = f"haven_bench_{secrets.token_hex(4)}"
        _admin_sql(original, f'CREATE DATABASE "{name}"')
    else:
        folder = tempfile.TemporaryDirectory(prefix="haven-bench-")
        name = str(Path(folder.name) / "bench.sqlite3")
    if name == original["NAME"]:
        raise CommandError("The scratch database would be the configured one: refusing.")
    scratch_settings = {**original, "NAME": name, "TEST": {**original.get("TEST", {})}}
    scratch = configured.__class__(scratch_settings, "default")
    connections["default"] = scratch
    try:
        with warnings.catch_warnings():
            # Django warns that overriding DATABASES is unusual: the connection is swapped
            # above, so code reading the setting and code using the connection agree.
            warnings.filterwarnings("ignore", "Overriding setting DATABASES")
            with override_settings(DATABASES={**settings.DATABASES, "default": scratch_settings}):
                yield name
    finally:
        scratch.close()
        connections["default"] = configured
        if postgres:
            _admin_sql(original, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if folder is not None:
            folder.cleanup()


def _admin_sql(database: dict[str, Any], sql: str) -> None:
    # CREATE and DROP DATABASE cannot run in a transaction, nor against the target itself.
    with psycopg.connect(
        dbname="postgres",
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        autocommit=True,
    ) as admin:
        admin.execute(sql.encode())  # the name is ours: haven_bench_<hex>


class Command(ScreeningBench):
    help = (
        "Benchmarks. `haven bench pages --cases N` times the main pages against N fictional "
        "cases in a scratch database; `haven bench screening` and `haven bench interview` "
        "time the screening engine."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "target", choices=["screening", "interview", "pages", "stats", "import"]
        )
        parser.add_argument("--rows", type=int, default=10_000, help="import: HTCDS rows")
        parser.add_argument("--count", type=int, default=2000, help="screening: inputs")
        parser.add_argument("--rounds", type=int, default=5, help="screening: rounds")
        parser.add_argument("--cases", type=int, default=1000, help="pages: fictional cases")
        parser.add_argument("--runs", type=int, default=TIMED_RUNS, help="pages: timed runs")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["target"] == "stats":
            self._stats(options)
            return
        if options["target"] == "import":
            self._import(options)
            return
        if options["target"] != "pages":
            super().handle(*args, **options)
            return
        if options["cases"] < 1:
            raise CommandError("--cases must be at least 1.")
        started = time.perf_counter()
        with scratch_database(), override_settings(DEBUG=False):
            call_command("migrate", verbosity=0, interactive=False)
            users = self._build(options["cases"])
            built = time.perf_counter() - started
            pages = self._measure(users, options["runs"])
        if options["format"] == "json":
            report = {
                "cases": options["cases"],
                "pages": {k: t.as_json() for k, t in pages.items()},
            }
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(f"{options['cases']} fictional cases, built in {built:.1f} s")
        self.stdout.write(
            f"{'page':32} {'p50 ms':>9} {'p95 ms':>9} {'queries':>8} {'÷ raw SQL':>10}"
        )
        for name, t in pages.items():
            self.stdout.write(
                f"{name:32} {t.p50_ms:9.1f} {t.p95_ms:9.1f} {t.queries:8d} {t.raw_sql_ratio:10.1f}"
            )

    def _stats(self, options: dict[str, Any]) -> None:
        """The statistics page, its downloads and the releases against N fictional people,
        each beside the bare SQL it ran (the same run), and the facts refresh."""
        if options["cases"] < 1:
            raise CommandError("--cases must be at least 1.")
        with scratch_database(), override_settings(DEBUG=False):
            call_command("migrate", verbosity=0, interactive=False)
            started = time.perf_counter()
            users = self._build(options["cases"])
            org = users[Role.ANALYST].organisation
            statistics_synthetic.enrich(org, users[Role.SUPERVISOR])
            built = time.perf_counter() - started
            refresh = statistics_facts.refresh()
            analyst = Client()
            analyst.force_login(users[Role.ANALYST])

            framework = self._framework(users[Role.ANALYST])
            index = reverse("statistics:index")
            work: dict[str, Callable[[], object]] = {
                "statistics": get(analyst, index),
                "statistics:year": get(analyst, f"{index}?start=2025-01&end=2025-12"),
                "statistics:region": get(analyst, f"{index}?region=TH"),
                "statistics.csv": get(analyst, reverse("statistics:download", args=["csv"])),
                "raw SQL: 3 aggregates on facts": _facts_aggregates(org),
                "results framework": get(
                    analyst, reverse("statistics:framework", args=[framework.pk])
                ),
            }
            runs = max(3, min(options["runs"], 5))
            timings = {name: measure(fetch, runs) for name, fetch in work.items()}
            releases = {}
            for name, kind in (("release k=11", "k_anonymous"), ("release dp e=1", "dp_counts")):
                start = time.perf_counter()
                release = statistics_actions.prepare(None, kind=kind, k=11, approved=True)
                releases[name] = (time.perf_counter() - start, release.rows)
        self.stdout.write(
            f"{options['cases']} fictional people and cases, built in {built:.1f} s; "
            f"facts refreshed in {refresh.seconds:.1f} s"
        )
        self.stdout.write(
            f"{'page':32} {'p50 ms':>9} {'p95 ms':>9} {'queries':>8} {'÷ raw SQL':>10}"
        )
        for name, t in timings.items():
            self.stdout.write(
                f"{name:32} {t.p50_ms:9.1f} {t.p95_ms:9.1f} {t.queries:8d} {t.raw_sql_ratio:10.1f}"
            )
        for name, (seconds, rows) in releases.items():
            self.stdout.write(f"{name:32} {seconds * 1000:9.1f} ms, {rows} rows")

    def _import(self, options: dict[str, Any]) -> None:
        """`haven htcds import` of N fictional rows into an empty organisation: checking
        alone (the baseline, the same run), the import, and the same file again."""
        if options["rows"] < 1:
            raise CommandError("--rows must be at least 1.")
        content = interop_synthetic.rows(options["rows"])
        with scratch_database(), override_settings(DEBUG=False):
            call_command("migrate", verbosity=0, interactive=False)
            org, _created = ensure_organisation(
                actor=None,
                name="Fictional Import Organisation",
                org_type=OrganisationType.NGO,
                country="TH",
            )
            admin = create_user(
                actor=None,
                organisation_id=org.pk,
                username="bench-importer",
                password=secrets.token_urlsafe(16),
                roles=[Role.ORG_ADMIN],
            )
            timings = {}
            for name, check_only in (("check only", True), ("import", False), ("again", False)):
                start = time.perf_counter()
                report = interop_importing.import_file(
                    admin, content, "bench.csv", check_only=check_only
                )
                timings[name] = (time.perf_counter() - start, report)
                if report.problems:
                    raise CommandError(f"{name}: {report.problems[:3]}")
        self.stdout.write(
            f"{options['rows']} fictional HTCDS rows ({len(content) / 1e6:.1f} MB CSV, "
            "identity columns included)"
        )
        baseline = timings["check only"][0]
        for name, (seconds, report) in timings.items():
            self.stdout.write(
                f"{name:12} {seconds:8.1f} s  {report.rows / seconds:9.0f} rows/s  "
                f"{seconds / baseline:5.1f} x check  created {report.created}, "
                f"skipped {report.skipped}"
            )

    @staticmethod
    def _framework(analyst: User) -> ResultsFramework:
        """A framework whose every indicator Haven computes, over the last full year."""
        framework = statistics_results.create_framework(
            analyst, title="Fictional bench framework", goal="Measure the bench"
        )
        result = statistics_results.add_result(
            analyst,
            framework,
            level=ResultLevel.OUTCOME,
            statement="Fictional outcome",
            expected_version=framework.version,
        )
        year = timezone.localdate().year - 1
        for version, measure in enumerate(statistics_results.MEASURES, start=2):
            spec = statistics_results.IndicatorSpec(
                name=f"Fictional {measure}",
                source=IndicatorSource.COMPUTED,
                measure=measure,
                baseline=0,
                target=1000,
                period_start=dt.date(year, 1, 1),
                period_end=dt.date(year, 12, 31),
            )
            statistics_results.add_indicator(analyst, result, spec, expected_version=version)
        return framework

    def _build(self, count: int) -> dict[Role, User]:
        org, _created = ensure_organisation(
            actor=None,
            name="Fictional Bench Organisation",
            org_type=OrganisationType.NGO,
            country="TH",
        )
        password = secrets.token_urlsafe(16)

        def user(name: str, role: Role) -> User:
            return create_user(
                actor=None,
                organisation_id=org.pk,
                username=name,
                password=password,
                roles=[role],
                translation_languages=["th"] if role == Role.TRANSLATOR else [],
            )

        users = {role: user(f"bench-{role.value}", role) for role in Role}
        workers = [users[Role.CASE_WORKER]]
        workers += [user(f"bench-worker-{n:02d}", Role.CASE_WORKER) for n in range(1, WORKERS)]
        build_cases(org, users[Role.SUPERVISOR], workers, count)
        build_prevention(org, users, count)
        return users

    def _measure(self, users: dict[Role, User], runs: int) -> dict[str, Timing]:
        clients = {}
        for role, user in users.items():
            clients[role] = Client()
            clients[role].force_login(user)
        supervisor = clients[Role.SUPERVISOR]
        case = Case.objects.filter(assigned_to=users[Role.CASE_WORKER]).order_by("pk").first()
        if case is None:
            case = Case.objects.order_by("pk").first()
        assert case is not None  # noqa: S101 - build_cases made at least one

        cases = reverse("cases:list")
        work: dict[str, Callable[[], object]] = {
            f"home:{role.value}": get(clients[role], reverse("core:home")) for role in Role
        }
        calls = reverse("hotline:calls")
        work |= {
            "hotline_calls": get(clients[Role.HOTLINE_OPERATOR], calls),
            "hotline_calls:sos": get(supervisor, f"{calls}?topic=sos"),
            "hotline_volume": get(supervisor, reverse("hotline:volume")),
            "hotline_volume_svg": get(supervisor, reverse("hotline:volume_svg")),
            "leads": get(supervisor, reverse("hotline:leads")),
            "community_mine": get(clients[Role.COMMUNITY_REPORTER], reverse("community:mine")),
            "community_map": get(clients[Role.COORDINATOR], reverse("community:map")),
            "campaigns": get(clients[Role.COORDINATOR], reverse("campaigns:list")),
        }
        work |= {
            "case_list": get(supervisor, cases),
            "case_list:case_worker": get(clients[Role.CASE_WORKER], cases),
            "case_list:filtered": get(supervisor, f"{cases}?status=Active&identification=presumed"),
            "case_list:overdue": get(supervisor, f"{cases}?overdue=yes&sort=changed"),
            "case_list:child_stage": get(supervisor, f"{cases}?child=yes&stage=initial"),
            "people_list": get(supervisor, reverse("people:list")),
            "case_page": get(supervisor, reverse("cases:detail", args=[case.reference])),
            "team": get(supervisor, reverse("cases:team")),
            "due_list": get(supervisor, reverse("cases:due")),
            "due_list:case_worker": get(clients[Role.CASE_WORKER], reverse("cases:due")),
            "haven due": lambda: call_command("due", stdout=StringIO()),
        }
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            return {name: measure(fetch, runs) for name, fetch in work.items()}


def build_prevention(org: Organisation, users: dict[Role, User], count: int) -> None:
    """Fictional prevention records beside `count` cases: as many hotline calls over the
    last year, a fifth as many community reports in Thai districts, a fiftieth as many
    leads, and fifty draft campaigns. Bulk-made: the pages are measured, not the actions."""
    pick = random.Random(count)  # noqa: S311 - fictional data, not security
    now = timezone.now()
    operator = users[Role.HOTLINE_OPERATOR]
    districts = boundaries.country_map("TH")
    places = list(districts.districts) if districts else []
    signs = sorted(observable_ids())
    regions = [place.region for place in places] or [""]

    def calls(n: int) -> Iterator[Call]:
        for _ in range(n):
            region = pick.choice(regions)
            yield Call(
                organisation=org,
                received_at=now - dt.timedelta(minutes=pick.randrange(365 * 24 * 60)),
                channel=pick.choice(Channel.values),
                caller_type=pick.choice(CallerType.values),
                topic=pick.choice(Topic.values),
                language="th",
                country="TH" if region else "",
                region=region,
                recorded_by=operator,
            )

    def reports(n: int) -> Iterator[CommunityReport]:
        for _ in range(n):
            place = pick.choice(places)
            yield CommunityReport(
                organisation=org,
                reporter=users[Role.COMMUNITY_REPORTER],
                observed_on=(now - dt.timedelta(days=pick.randrange(365))).date(),
                country="TH",
                region=place.region,
                district=place.code,
                sector=pick.choice(Industry.values),
                indicators=pick.sample(signs, 2),
                people_seen=pick.choice(PeopleSeen.values),
            )

    def leads(n: int) -> Iterator[Lead]:
        for _ in range(n):
            yield Lead(
                organisation=org,
                source=pick.choice(LeadSource.values),
                country="TH",
                region=pick.choice(regions),
                created_by=operator,
            )

    Call.objects.bulk_create(calls(count), batch_size=5000)
    if places:
        CommunityReport.objects.bulk_create(reports(count // 5), batch_size=5000)
    Lead.objects.bulk_create(leads(max(count // 50, 1)), batch_size=5000)
    Campaign.objects.bulk_create(
        Campaign(
            organisation=org, title=f"Fictional campaign {n}", created_by=users[Role.COORDINATOR]
        )
        for n in range(50)
    )
