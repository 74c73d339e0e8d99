"""`haven loadtest`: a locust load and soak test against a scratch PostgreSQL database.

Steps: create the database `haven_load` on the PostgreSQL server (the configured one when
Haven runs on PostgreSQL, else HAVEN_TEST_POSTGRES or 127.0.0.1:5432), migrate it, build
N fictional cases (`haven.cases.synthetic`) and the public directory's demo providers,
create one account per simulated user and role with a known password and TOTP secret,
serve it with gunicorn on a free port, run locust headless (`loadtest/locustfile.py`),
stop gunicorn, print the figures and the goal check, and drop the database (unless
--keep). The configured database is never read or written.

Needs the `load` extra (`pip install -e '.[load]'`); `make loadtest` installs it.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from argparse import ArgumentParser
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.utils import load_backend
from django.test.utils import override_settings
from psycopg import sql

from haven.accounts.actions import ensure_organisation
from haven.accounts.models import OrganisationType, User
from haven.accounts.roles import Role
from haven.cases.synthetic import build_cases
from haven.directory import demo as directory_demo

DATABASE = "haven_load"
LOCAL_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
# The roles the locustfile signs in as, by the name it uses.
ROLES = {
    "screener": Role.SCREENER,
    "case_worker": Role.CASE_WORKER,
    "supervisor": Role.SUPERVISOR,
}
GOAL_P95_MS = 500.0
AGGREGATED = "Aggregated"


@dataclass(frozen=True)
class PageStats:
    name: str
    method: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float
    max_ms: float


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _server_url() -> str:
    """A URL of the PostgreSQL server to put the scratch database on."""
    configured = settings.DATABASES["default"]
    if configured["ENGINE"] == "django.db.backends.postgresql":
        auth = configured.get("USER") or ""
        if configured.get("PASSWORD"):
            auth += f":{configured['PASSWORD']}"
        host = configured.get("HOST") or "127.0.0.1"
        port = configured.get("PORT") or 5432
        return f"postgres://{auth}@{host}:{port}/postgres"
    return os.environ.get("HAVEN_TEST_POSTGRES") or LOCAL_SERVER


def _with_database(url: str, name: str) -> str:
    base, _sep, _old = url.rpartition("/")
    return f"{base}/{name}"


def _admin(url: str, statement: sql.Composed) -> None:
    # CREATE and DROP DATABASE cannot run in a transaction, nor against the target itself.
    admin_url = _with_database(url, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(statement)


def _drop(url: str) -> None:
    _admin(url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE)))


@contextmanager
def load_database(url: str) -> Iterator[None]:
    """Point the default connection at the scratch database for the duration."""
    configured = connections["default"]
    load_settings = connections.configure_settings(
        {"default": dj_database_url.parse(url, conn_max_age=0)}
    )["default"]
    scratch = load_backend(load_settings["ENGINE"]).DatabaseWrapper(load_settings, "default")
    connections["default"] = scratch
    try:
        with warnings.catch_warnings():
            # The connection is swapped above, so code reading the setting and code using
            # the connection agree.
            warnings.filterwarnings("ignore", "Overriding setting DATABASES")
            with override_settings(DATABASES={**settings.DATABASES, "default": load_settings}):
                yield
    finally:
        scratch.close()
        connections["default"] = configured


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CommandError("gunicorn stopped while starting: see its log.")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:  # noqa: S310 - our own local server
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise CommandError(f"gunicorn did not answer {url}/healthz within {seconds:.0f} s.")


def _ms(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


def read_stats(path: Path) -> list[PageStats]:
    with path.open(newline="") as handle:
        return [
            PageStats(
                name=row["Name"],
                method=row["Type"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                rps=float(row["Requests/s"]),
                p50=_ms(row["50%"]),
                p95=_ms(row["95%"]),
                p99=_ms(row["99%"]),
                max_ms=_ms(row["100%"]),
            )
            for row in csv.DictReader(handle)
        ]


class Command(BaseCommand):
    help = (
        "Load and soak test: N fictional cases in a scratch PostgreSQL database `haven_load`, "
        "served by gunicorn, driven by locust (loadtest/locustfile.py). Needs the `load` extra."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--cases", type=int, default=100_000, help="fictional cases")
        parser.add_argument("--users", type=int, default=50, help="simulated users")
        parser.add_argument("--spawn-rate", type=float, default=5, help="users started per s")
        parser.add_argument("--duration", default="5m", help="locust run time, e.g. 1m, 300s")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
        parser.add_argument(
            "--postgres", default="", help="server URL (default: see the command's help)"
        )
        parser.add_argument(
            "--out",
            default=str(settings.VAR_DIR / "loadtest"),
            help="folder for locust's CSV files and the gunicorn log",
        )
        parser.add_argument("--keep", action="store_true", help="keep the haven_load database")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["cases"] < 1 or options["users"] < 1:
            raise CommandError("--cases and --users must be at least 1.")
        locustfile = settings.PROJECT_DIR / "loadtest" / "locustfile.py"
        if not Path(_bin("locust")).exists():
            raise CommandError("locust is not installed: pip install -e '.[load]'.")
        if not locustfile.exists():
            raise CommandError(f"{locustfile} is missing.")
        server = options["postgres"] or _server_url()
        url = _with_database(server, DATABASE)
        if settings.DATABASES["default"].get("NAME") == DATABASE:
            raise CommandError(f"The configured database is {DATABASE}: refusing.")
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        self._say(f"Scratch database {DATABASE} on {server.rpartition('@')[2]}")
        _drop(url)  # a leftover of a kept or interrupted run: the name is ours
        _admin(url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
        try:
            started = time.perf_counter()
            with load_database(url):
                call_command("migrate", verbosity=0, interactive=False)
                migrated = time.perf_counter()
                self._say(f"Migrated in {migrated - started:.1f} s")
                accounts = self._build(options["cases"], options["users"])
            built = time.perf_counter() - migrated
            self._say(f"{options['cases']} fictional cases built in {built:.1f} s")
            accounts_file = out / "accounts.json"
            accounts_file.write_text(json.dumps(accounts))
            accounts_file.chmod(0o600)
            stats_prefix = out / "locust"
            self._serve_and_run(
                url,
                options,
                locustfile=locustfile,
                accounts=accounts_file,
                stats_prefix=stats_prefix,
                out=out,
            )
        finally:
            if options["keep"]:
                self._say(f"Kept the database {DATABASE} (drop it with DROP DATABASE).")
            else:
                _drop(url)
        self._summary(stats_prefix, out / "gunicorn.log", options)

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def _build(self, cases: int, users: int) -> dict[str, list[dict[str, str]]]:
        org, _created = ensure_organisation(
            actor=None,
            name="Fictional Load Test Organisation",
            org_type=OrganisationType.NGO,
            country="TH",
        )
        password = secrets.token_urlsafe(16)
        hashed = make_password(password)  # hashed once: the same hash serves every account
        accounts: dict[str, list[dict[str, str]]] = {}
        made: dict[str, list[User]] = {}
        for key, role in ROLES.items():
            rows = [
                User(
                    username=f"load-{key.replace('_', '-')}-{n:03d}",
                    organisation=org,
                    roles=[role.value],
                    password=hashed,
                )
                for n in range(1, users + 1)
            ]
            made[key] = User.objects.bulk_create(rows)
            secrets_by_user = {u.pk: generate_totp_secret() for u in made[key]}
            encrypt = get_mfa_adapter().encrypt
            Authenticator.objects.bulk_create(
                Authenticator(
                    user=u, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)}
                )
                for u in made[key]
                for secret in [secrets_by_user[u.pk]]
            )
            accounts[key] = [
                {"username": u.username, "password": password, "totp": secrets_by_user[u.pk]}
                for u in made[key]
            ]
        build_cases(org, made["supervisor"][0], made["case_worker"], cases)
        directory_demo.load()
        return accounts

    def _serve_and_run(
        self,
        url: str,
        options: dict[str, Any],
        *,
        locustfile: Path,
        accounts: Path,
        stats_prefix: Path,
        out: Path,
    ) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "HAVEN_COLLECTED_STATIC": "1",
            "HAVEN_LOG_LEVEL": "WARNING",
        }
        subprocess.run(  # noqa: S603 - our own command, fixed arguments
            [_bin("haven"), "collectstatic", "--no-input", "-v", "0"], env=env, check=True
        )
        port = _free_port()
        host = f"http://127.0.0.1:{port}"
        log = (out / "gunicorn.log").open("wb")
        gunicorn = [
            _bin("gunicorn"),
            "haven.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(options["workers"]),
            "--timeout",
            "120",
            "--forwarded-allow-ips=",
        ]
        self._say(f"gunicorn with {options['workers']} workers on {host}")
        server = subprocess.Popen(gunicorn, env=env, stdout=log, stderr=log)  # noqa: S603
        try:
            _wait_until_up(host, server)
            locust = [
                _bin("locust"),
                "-f",
                str(locustfile),
                "--headless",
                "-u",
                str(options["users"]),
                "-r",
                str(options["spawn_rate"]),
                "-t",
                options["duration"],
                "--host",
                host,
                "--csv",
                str(stats_prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--stop-timeout",
                "30",
            ]
            self._say(
                f"locust: {options['users']} users, {options['spawn_rate']}/s, "
                f"{options['duration']}"
            )
            run_env = {**os.environ, "HAVEN_LOADTEST_ACCOUNTS": str(accounts)}
            # locust exits 1 when any request failed: the summary below says which.
            subprocess.run(locust, env=run_env, check=False)  # noqa: S603
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()

    def _summary(self, prefix: Path, log: Path, options: dict[str, Any]) -> None:
        stats_file = Path(f"{prefix}_stats.csv")
        if not stats_file.exists():
            raise CommandError(f"locust wrote no {stats_file}: see its output above.")
        rows = read_stats(stats_file)
        pages = [r for r in rows if r.name != AGGREGATED]
        total = next((r for r in rows if r.name == AGGREGATED), None)
        write = self.stdout.write
        write("")
        write(
            f"== Load test: {options['cases']} cases, {options['users']} users, "
            f"{options['duration']}, {options['workers']} gunicorn workers =="
        )
        if total is not None:
            write(
                f"{total.requests} requests, {total.rps:.1f} requests/s, "
                f"{total.failures} errors; overall p50 {total.p50:.0f} ms, "
                f"p95 {total.p95:.0f} ms, p99 {total.p99:.0f} ms"
            )
        write(
            f"{'page':38} {'method':6} {'reqs':>6} {'errs':>5} {'p50':>6} {'p95':>6} "
            f"{'p99':>6} {'max':>6}  (ms)"
        )
        for r in pages:
            write(
                f"{r.name:38} {r.method:6} {r.requests:6d} {r.failures:5d} {r.p50:6.0f} "
                f"{r.p95:6.0f} {r.p99:6.0f} {r.max_ms:6.0f}"
            )
        failures_file = Path(f"{prefix}_failures.csv")
        if failures_file.exists():
            with failures_file.open(newline="") as handle:
                for row in csv.DictReader(handle):
                    write(
                        f"  error x{row['Occurrences']}: {row['Method']} {row['Name']}: "
                        f"{row['Error']}"
                    )
        errors = total.failures if total is not None else sum(r.failures for r in pages)
        write("")
        write(f"{'PASS' if errors == 0 else 'FAIL'} errors: {errors} (goal 0)")
        for r in pages:
            verdict = "PASS" if r.p95 < GOAL_P95_MS else "FAIL"
            write(f"{verdict} p95 {r.name} ({r.method}): {r.p95:.0f} ms (goal < 500 ms)")
        slow = [r for r in pages if r.p95 >= GOAL_P95_MS]
        overall = "PASS" if errors == 0 and not slow and pages else "FAIL"
        write(f"{overall} goal: 0 errors and p95 under 500 ms on every page")
        if log.exists() and b"Traceback" in log.read_bytes():
            write(f"Server errors were logged: see the tracebacks in {log}")
        write(f"locust CSV files: {prefix}_*.csv")
