"""Haven under load: screeners, case workers, supervisors and public directory readers.

Run by `haven loadtest` (`make loadtest`), which builds the data, writes the accounts to
the JSON file named by HAVEN_LOADTEST_ACCOUNTS ({"screener": [{"username", "password",
"totp"}, ...], "case_worker": [...], "supervisor": [...]}) and starts gunicorn. Each
simulated staff user signs in once (password, then a TOTP code) with an account of its
own: a code is accepted once per time step and per account, and five failures lock it.

Requests are named by page ("case page", "screening quick: save"), never by URL, so the
figures group by page whatever the references. Forms are read from the pages (CSRF token,
version fields, choices), never guessed.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyotp
from locust import HttpUser, between, task
from locust.exception import StopUser

ACCOUNTS: dict[str, list[dict[str, str]]] = json.loads(
    Path(os.environ.get("HAVEN_LOADTEST_ACCOUNTS", "var/loadtest/accounts.json")).read_text()
)
_NEXT_ACCOUNT: dict[str, Iterator[int]] = {role: itertools.count() for role in ACCOUNTS}

CASE_LINK = re.compile(r'href="/cases/(CAS-[A-Z0-9]{3}-[A-Z0-9]{3})/"')
PROVIDER_LINK = re.compile(r'href="/directory/providers/(\d+)/"')
SCREENING_PATH = re.compile(r"^/screenings/(SCR-[A-Z0-9]{3}-[A-Z0-9]{3})/([a-z-]*)/?")
HTMX = {"HX-Request": "true"}

# --- Forms, as the page gives them -----------------------------------------------------


class Form:
    def __init__(self, action: str) -> None:
        self.action = action
        self.values: dict[str, list[str]] = {}  # what the browser would send untouched
        self.choices: dict[str, list[str]] = {}  # radio, checkbox and select options
        self.names: set[str] = set()

    def data(self, **changes: Any) -> dict[str, Any]:
        """The form's own values with `changes` on top (a list for a multiple choice)."""
        sent: dict[str, Any] = {k: v if len(v) > 1 else v[0] for k, v in self.values.items()}
        sent.update(changes)
        return sent


class FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""))
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            form.names.add(name)
            if kind in {"radio", "checkbox"}:
                form.choices.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form.values.setdefault(name, []).append(a.get("value", "on"))
            else:
                form.values.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            form.names.add(name)
            self._select, self._select_first, self._select_chosen = name, None, False
            form.choices.setdefault(name, [])
        elif tag == "option" and self._select:
            value = a.get("value", "")
            form.choices[self._select].append(value)
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                form.values.setdefault(self._select, []).append(value)
                self._select_chosen = True
        elif tag == "textarea" and name:
            form.names.add(name)
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        form = self._form
        if tag == "form":
            self._form = None
        elif form is None:
            return
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                form.values[self._select] = [self._select_first]
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            form.values[self._textarea] = [text.removeprefix("\n")]
            self._textarea = None


def form_with(html: str, field: str) -> Form:
    """The page's form that has `field` (pages also hold the sign-out form)."""
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if field in form.names:
            return form
    raise ValueError(f"no form with a {field!r} field on the page")


def path_of(location: str) -> str:
    return urlsplit(location).path


# --- Users ------------------------------------------------------------------------------


class StaffUser(HttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 5)

    def on_start(self) -> None:
        accounts = ACCOUNTS[self.role]
        number = next(_NEXT_ACCOUNT[self.role])
        if number >= len(accounts):
            # Sharing an account would trip the one-code-per-step rule: stay out instead.
            raise StopUser
        self.account = accounts[number]
        self.sign_in()

    def sign_in(self) -> None:
        page = self.client.get("/accounts/login/", name="sign-in: password form")
        form = form_with(page.text, "login")
        answer = self.post(
            "/accounts/login/",
            form.data(login=self.account["username"], password=self.account["password"]),
            "sign-in: password",
            to="/accounts/login/code/",
        )
        if answer is None:
            raise StopUser
        totp = pyotp.TOTP(self.account["totp"])
        for _attempt in range(2):
            page = self.client.get("/accounts/login/code/", name="sign-in: code form")
            form = form_with(page.text, "code")
            with self.client.post(
                "/accounts/login/code/",
                data=form.data(code=totp.now()),
                name="sign-in: code",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code == 302:
                    response.success()
                    return
                # Refused: this account's code for this step was used already (a run
                # started again within the step). The next step's code is new.
                response.success()
            time.sleep(totp.interval - time.time() % totp.interval + 0.5)
        raise StopUser

    def post(
        self, url: str, data: dict[str, Any], name: str, *, to: str | None = None
    ) -> str | None:
        """POST a form; success is a redirect (to a path starting with `to`, if given).

        Returns the redirect's path, or None when the answer was anything else."""
        with self.client.post(
            url, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            location = path_of(response.headers.get("Location", ""))
            if response.status_code != 302:
                response.failure(f"{response.status_code} instead of a redirect")
                return None
            if to is not None and not location.startswith(to):
                response.failure(f"redirected to {location}, expected {to}")
                return None
            response.success()
            return location


class Screener(StaffUser):
    """A frontline screener running a screening interview from start to result."""

    weight = 3
    role = "screener"

    @task(5)
    def interview(self) -> None:
        page = self.client.get("/screenings/new/", name="screening start")
        form = form_with(page.text, "consent")
        readiness = form.data(
            private_space="on",
            same_sex_offered="on",
            interpreter="none",
            rights_explained="on",
            may_decline_explained="on",
            consent="consent",
            medical_checked="on",
        )
        location = self.post("/screenings/new/", readiness, "screening start: save")
        match = SCREENING_PATH.match(location or "")
        if match is None or match.group(2) != "profile":
            return
        base = f"/screenings/{match.group(1)}/"
        self.wait()  # type: ignore[no-untyped-call]
        page = self.client.get(f"{base}profile/", name="screening profile")
        form = form_with(page.text, "interview_language")
        exploitation = random.choice(form.choices.get("exploitation", [""]))  # noqa: S311
        location = self.post(
            f"{base}profile/",
            form.data(interview_language="en", exploitation=exploitation),
            "screening profile: save",
            to=base,
        )
        for _screen in range(10):  # the quick screening, then the follow-ups a few at a time
            step = SCREENING_PATH.match(location or "")
            if step is None or step.group(2) not in {"quick", "follow-up"}:
                break
            screen = "screening quick" if step.group(2) == "quick" else "screening follow-up"
            self.wait()  # type: ignore[no-untyped-call]
            page = self.client.get(f"{base}{step.group(2)}/", name=screen)
            if not page.ok:
                return
            location = self.post(
                f"{base}{step.group(2)}/", self.answers(page.text), f"{screen}: save", to=base
            )
        if location != f"{base}result/":
            return  # suspended (an urgent need) or refused: the interview stops here
        self.wait()  # type: ignore[no-untyped-call]
        page = self.client.get(f"{base}result/", name="screening result")
        form = form_with(page.text, "judgement")
        if self.post(f"{base}result/", form.data(), "screening result: complete", to=base):
            self.client.get(f"{base}result/", name="screening result (completed)")

    @task(1)
    def my_screenings(self) -> None:
        self.client.get("/screenings/", name="screening list")

    def answers(self, html: str) -> dict[str, Any]:
        form = form_with(html, "version")
        changes: dict[str, str] = {}
        for name, options in form.choices.items():
            if not name.startswith("a_"):
                continue
            roll = random.random()  # noqa: S311 - simulated answers
            wanted = "yes" if roll < 0.2 else "unknown" if roll < 0.3 else "no"
            changes[name] = wanted if wanted in options else options[0]
        return form.data(**changes)


class CaseWorker(StaffUser):
    """A case worker going through their cases: list, filters, case page, edits."""

    weight = 4
    role = "case_worker"

    def on_start(self) -> None:
        super().on_start()
        self.cases: list[str] = []
        # A closed case is read-only (edits are refused): edits go to active cases.
        page = self.client.get("/cases/?status=Active", name="case list: active")
        self.open_cases: list[str] = CASE_LINK.findall(page.text)
        self.case_list()

    def case_list(self) -> None:
        page = self.client.get("/cases/", name="case list")
        self.cases = CASE_LINK.findall(page.text) or self.cases

    def pick(self, *, editable: bool = False) -> str | None:
        cases = self.open_cases if editable else self.cases
        return random.choice(cases) if cases else None  # noqa: S311

    @task(3)
    def filtered_list(self) -> None:
        query = random.choice(  # noqa: S311
            [
                "status=Active",
                "identification=presumed",
                "overdue=yes&sort=changed",
                "status=FollowUp&sort=reference",
                "child=yes",
                "stage=initial",
            ]
        )
        self.client.get(f"/cases/?{query}", name="case list: filtered (htmx)", headers=HTMX)

    @task(2)
    def back_to_list(self) -> None:
        self.case_list()

    @task(6)
    def case_page(self) -> None:
        if reference := self.pick():
            self.client.get(f"/cases/{reference}/", name="case page")

    @task(2)
    def edit_summary(self) -> None:
        reference = self.pick(editable=True)
        if reference is None:
            return
        url = f"/cases/{reference}/edit/"
        page = self.client.get(url, name="case edit")
        if not page.ok:
            return
        form = form_with(page.text, "summary")
        summary = f"Fictional load-test note {random.randint(1, 10**6)}."  # noqa: S311
        if self.post(url, form.data(summary=summary), "case edit: save", to=f"/cases/{reference}/"):
            self.client.get(f"/cases/{reference}/", name="case page")

    @task(1)
    def journey_step(self) -> None:
        reference = self.pick(editable=True)
        if reference is None:
            return
        url = f"/cases/{reference}/journey/new/"
        page = self.client.get(url, name="journey step")
        if not page.ok:
            return
        form = form_with(page.text, "stage")
        stage = random.choice(form.choices["stage"] or ["Recruitment"])  # noqa: S311
        data = form.data(stage=stage, place="Fictional town", description="Load-test step.")
        self.post(url, data, "journey step: save", to=f"/cases/{reference}/")

    @task(1)
    def due(self) -> None:
        self.client.get("/cases/due/", name="due list (case worker)")


class Supervisor(StaffUser):
    """A supervisor watching the team: home page, team page, due list."""

    weight = 1
    role = "supervisor"

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="home (supervisor)")

    @task(2)
    def team(self) -> None:
        self.client.get("/cases/team/", name="team")

    @task(2)
    def due(self) -> None:
        self.client.get("/cases/due/", name="due list (supervisor)")

    @task(1)
    def overdue(self) -> None:
        self.client.get("/cases/due/?overdue=1", name="due list: overdue (supervisor)")


class PublicReader(HttpUser):
    """Someone looking for help in the public directory, without an account."""

    weight = 2
    wait_time = between(2, 8)

    def on_start(self) -> None:
        self.providers: list[str] = []
        self.kinds: list[str] = []
        self.directory()

    @task(4)
    def directory(self) -> None:
        page = self.client.get("/directory/", name="directory")
        self.providers = PROVIDER_LINK.findall(page.text) or self.providers
        if not self.kinds and page.ok:
            form = form_with(page.text, "kind")
            self.kinds = [k for k in form.choices.get("kind", []) if k]

    @task(3)
    def search(self) -> None:
        kind = random.choice(self.kinds) if self.kinds else ""  # noqa: S311
        self.client.get(f"/directory/?kind={kind}", name="directory: search")

    @task(4)
    def provider(self) -> None:
        if self.providers:
            pk = random.choice(self.providers)  # noqa: S311
            self.client.get(f"/directory/providers/{pk}/", name="directory: provider")

    @task(1)
    def pdf(self) -> None:
        self.client.get("/directory/pdf/?lang=en", name="directory: PDF")
