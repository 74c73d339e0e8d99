"""Bad input: forms fed with hypothesis-generated and oversized input never answer 500 and
never save a partial record.

Every example runs in its own transaction (hypothesis.extra.django.TestCase rolls each one
back), so the row counts taken before a request are the counts of the shared world only.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, currently_in_test_context, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from haven.accounts.roles import Role
from haven.audit.chain import verify
from haven.audit.models import Action, AuditEntry
from haven.cases.actions import request_closure
from haven.cases.choices import ClosureReason
from haven.cases.models import Case, CaseStatus
from haven.core.reference import COMMON_LANGUAGES, DOCUMENT_TYPES, Gender
from haven.people.forms import MAX_DOCUMENTS
from haven.people.models import IndexKind, Person, PersonIndex
from tests.closed_cases import everything_about
from tests.helpers import case_state, person_state
from tests.personas import PASSWORD, HavenTestCase

Value = str | list[str]
FormData = dict[str, Value]

# Anything but a server error. 413 is allowed for a front proxy; Django itself answers 400.
ACCEPTED_STATUSES = frozenset({200, 302, 400, 403, 404, 413})
PERSON_DETAIL = "people:detail"
CASE_DETAIL = "cases:detail"

FUZZ = hypothesis_settings(
    max_examples=50,
    deadline=None,
    database=None,  # nothing written under the project; a failure prints its example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ_SLOW = hypothesis_settings(FUZZ, max_examples=35)  # the forms that render ~250 options

# --- Values ------------------------------------------------------------------------------

TODAY = timezone.localdate()

TRICKY: list[str] = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",  # right-to-left override
    "\u05e9\u05dc\u05d5\u05dd",  # Hebrew, right to left
    "e\u0301\u0301\u0301\u0301",  # stacked combining marks
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",  # emoji family (ZWJ sequence)
    "\ufeff",
    "\u200b",
    "\ud7ff\ue000\uffff",
    "\U0010ffff",
    "\r\n",
    "None",
    "null",
    "0",
    "-1",
    "9999",
    "abc",
    "NaN",
    "1e309",
    "\u0661\u0662",  # Arabic-Indic digits
    "\uff16",  # fullwidth 6
    "\u00b2",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "HVN-222-222",
]


def _repeat(seed: str, size: int) -> str:
    return (seed * (size // len(seed) + 1))[:size]


LONG_TEXT = st.builds(_repeat, st.text(min_size=1, max_size=8), st.integers(10_000, 300_000))
NUMBERS = st.one_of(
    st.integers().map(str),
    st.integers(-(10**40), 10**40).map(str),
    st.floats().map(str),
    st.integers(4_000, 6_000).map(lambda n: "9" * n),  # past int()'s digit limit
)


def _odd_format(day: dt.date, style: int) -> str:
    formats = ["%d/%m/%Y", "%m/%d/%y", "%d %B %Y", "%Y%m%d", "%Y-%j", "%A"]
    return day.strftime(formats[style % len(formats)])


ODD_DATES = st.one_of(
    st.dates().map(dt.date.isoformat),
    st.builds(_odd_format, st.dates(), st.integers(0, 5)),
    st.datetimes().map(dt.datetime.isoformat),
    st.integers(1, 40_000).map(lambda n: (TODAY + dt.timedelta(days=n)).isoformat()),
    st.tuples(st.integers(-99_999, 99_999), st.integers(-5, 40), st.integers(-5, 40)).map(
        lambda t: f"{t[0]}-{t[1]}-{t[2]}"
    ),
    st.sampled_from(
        ["2024-02-30", "0000-00-00", "9999-12-31", "10000-01-01", "1899-12-31", "yesterday"]
    ),
)
GARBAGE: st.SearchStrategy[str] = st.one_of(
    st.text(), st.sampled_from(TRICKY), LONG_TEXT, NUMBERS, ODD_DATES
)
GARBAGE_OR_MANY: st.SearchStrategy[Value] = st.one_of(
    GARBAGE, st.lists(GARBAGE, min_size=2, max_size=4)
)
EXTRA_KEYS = st.dictionaries(st.text(min_size=1, max_size=30), GARBAGE_OR_MANY, max_size=4)
BAD_COUNTS = st.one_of(
    st.sampled_from(["9999", "-1", "abc", "", " ", "1.5", "1e3", "0x10", "\uff16", "-99999"]),
    st.sampled_from(["99999999999999999999999", "7", "1000"]),
    NUMBERS,
    GARBAGE,
)
ENCODINGS = st.sampled_from(["urlencoded", "multipart"])

COUNTRIES = ["TH", "MM", "KH", "VN", "LA", "ID", "PH", "CN"]
OTHER_LANGUAGES = ["hmn", "kac", "ksw", "shn", "mnw"]
# Text a person could type: any script, marks, emoji, RTL; no control characters.
TYPED = st.characters(exclude_categories=("Cs", "Cc"))


def typed_text(min_size: int = 0, max_size: int = 100) -> st.SearchStrategy[str]:
    text = st.text(TYPED, min_size=min_size, max_size=max_size)
    return text.filter(str.strip) if min_size else text


def iso(day: dt.date) -> str:
    return day.isoformat()


# Per field: values that are each valid on their own (they may still clash with another).
PERSON_FIELDS: dict[str, st.SearchStrategy[Value]] = {
    "full_name": typed_text(1, 200),
    "given_name": typed_text(max_size=100),
    "family_name": typed_text(max_size=100),
    "aliases": st.lists(typed_text(max_size=40), max_size=10).map("\n".join),
    "date_of_birth": st.dates(dt.date(1900, 1, 1), TODAY).map(iso),
    "estimated_age": st.integers(0, 120).map(str),
    "age_basis": typed_text(1, 500),
    "phone": st.from_regex(r"\+?[0-9 ]{3,20}", fullmatch=True),
    "address": typed_text(max_size=500),
    "gender": st.sampled_from(Gender.values),
    "citizenship": st.lists(st.sampled_from(COUNTRIES), max_size=3),
    "languages": st.lists(st.sampled_from(COMMON_LANGUAGES), max_size=3),
    "other_languages": st.lists(st.sampled_from(OTHER_LANGUAGES), max_size=3).map(", ".join),
}
DOCUMENT_FIELDS: dict[str, st.SearchStrategy[Value]] = {
    "doc_type": st.sampled_from([code for code, _label in DOCUMENT_TYPES]),
    "number": st.from_regex(r"[A-Z0-9][A-Z0-9 -]{0,20}", fullmatch=True),
    "country": st.sampled_from(["", *COUNTRIES]),
}
CASE_FIELDS: dict[str, st.SearchStrategy[Value]] = {
    "opened_on": st.dates(dt.date(2000, 1, 1), TODAY).map(iso),
    "summary": typed_text(max_size=300),
}
SEARCH_FIELDS: dict[str, st.SearchStrategy[Value]] = {
    "name": typed_text(1, 200),
    "document": st.from_regex(r"[A-Z0-9 -]{1,30}", fullmatch=True),
}


def _as_list(value: Value) -> list[str]:
    return value if isinstance(value, list) else [value]


@st.composite
def odd_value(draw: st.DrawFn, valid: st.SearchStrategy[Value]) -> Value:
    """Garbage, or the field sent several times (valid and garbage values mixed)."""
    if draw(st.booleans()):
        return draw(GARBAGE)
    values = draw(st.lists(st.one_of(valid, GARBAGE), min_size=2, max_size=4))
    return [v for value in values for v in _as_list(value)]


@st.composite
def wild(draw: st.DrawFn, valid: Mapping[str, st.SearchStrategy[Value]]) -> FormData:
    """Every field independently valid, garbage, several values, or missing."""
    data: FormData = {}
    for name, strategy in valid.items():
        kind = draw(st.sampled_from(["valid", "odd", "missing"]))
        if kind == "valid":
            data[name] = draw(strategy)
        elif kind == "odd":
            data[name] = draw(odd_value(strategy))
    return data


@st.composite
def spoiled(
    draw: st.DrawFn, coherent: st.SearchStrategy[FormData], known: Mapping[str, Any]
) -> FormData:
    """A payload that would be saved, with up to two fields made odd or left out."""
    data = draw(coherent)
    for name in draw(st.lists(st.sampled_from(sorted(known)), max_size=2, unique=True)):
        if draw(st.booleans()):
            data.pop(name, None)
        else:
            data[name] = draw(odd_value(known[name]))
    return data


def payloads(
    coherent: st.SearchStrategy[FormData], known: Mapping[str, st.SearchStrategy[Value]]
) -> st.SearchStrategy[FormData]:
    """Half near-valid (so the save path runs with odd values), half wild; extra keys."""
    known_data = st.one_of(spoiled(coherent, known), wild(known))
    return st.builds(lambda extra, data: {**extra, **data}, EXTRA_KEYS, known_data)


@st.composite
def coherent_person(draw: st.DrawFn) -> FormData:
    data: FormData = {
        "full_name": draw(PERSON_FIELDS["full_name"]),
        "gender": draw(PERSON_FIELDS["gender"]),
    }
    optional = ["given_name", "family_name", "aliases", "phone", "address"]
    optional += ["citizenship", "languages", "other_languages"]
    for name in optional:
        if draw(st.booleans()):
            data[name] = draw(PERSON_FIELDS[name])
    age = draw(st.sampled_from(["unknown", "date_of_birth", "estimate"]))
    if age == "date_of_birth":
        data["date_of_birth"] = draw(PERSON_FIELDS["date_of_birth"])
    elif age == "estimate":
        data["estimated_age"] = draw(PERSON_FIELDS["estimated_age"])
        data["age_basis"] = draw(PERSON_FIELDS["age_basis"])
    rows = draw(st.integers(0, MAX_DOCUMENTS))
    data.update(management_form(rows))
    for i in range(rows):
        for name, strategy in DOCUMENT_FIELDS.items():
            data[f"doc-{i}-{name}"] = draw(strategy)
    return data


def management_form(rows: int) -> FormData:
    return {
        "doc-TOTAL_FORMS": str(rows),
        "doc-INITIAL_FORMS": "0",
        "doc-MIN_NUM_FORMS": "0",
        "doc-MAX_NUM_FORMS": "1000",
    }


# Field names the person form reads, each with a valid value; management-form counts get
# garbled counts as their odd values, and one row more than allowed is a valid-looking row.
PERSON_KNOWN: dict[str, st.SearchStrategy[Value]] = {
    **PERSON_FIELDS,
    **{name: st.one_of(BAD_COUNTS, st.just(value)) for name, value in management_form(1).items()},
    **{
        f"doc-{i}-{name}": strategy
        for i in (0, 1, MAX_DOCUMENTS)  # first rows, and one past the last allowed
        for name, strategy in DOCUMENT_FIELDS.items()
    },
}
PERSON_PAYLOADS = payloads(coherent_person(), PERSON_KNOWN)


@st.composite
def coherent_case(draw: st.DrawFn, assignees: list[str]) -> FormData:
    data: FormData = {name: draw(strategy) for name, strategy in CASE_FIELDS.items()}
    data["assigned_to"] = draw(st.sampled_from(["", *assignees]))
    # The person already has an active case: unconfirmed, the form warns and saves nothing.
    data["confirmed_second_case"] = draw(st.sampled_from(["", "on"]))
    return data


@st.composite
def coherent_search(draw: st.DrawFn) -> FormData:
    names = draw(st.lists(st.sampled_from(sorted(SEARCH_FIELDS)), min_size=1, unique=True))
    return {name: draw(SEARCH_FIELDS[name]) for name in names}


SEARCH_PAYLOADS = payloads(coherent_search(), SEARCH_FIELDS)


# --- Requests and checks -----------------------------------------------------------------


def describe(data: Mapping[str, Value]) -> str:
    """The input, short enough to read: long values are cut and their length given."""

    def cut(value: str) -> str:
        return repr(value) if len(value) <= 60 else f"{value[:40]!r}... ({len(value)} chars)"

    parts = []
    for key, value in data.items():
        shown = f"[{', '.join(map(cut, value))}]" if isinstance(value, list) else cut(value)
        parts.append(f"{cut(key)}: {shown}")
    return "{" + ", ".join(parts) + "}"


def send(client: Client, path: str, data: FormData, encoding: str) -> HttpResponse:
    """POST `data`; a crash or a 5xx fails the test and names the input."""
    try:
        if encoding == "urlencoded":
            response = client.post(
                path,
                urlencode(data, doseq=True),
                content_type="application/x-www-form-urlencoded",
            )
        else:
            response = client.post(path, data)
    except Exception as exc:
        raise AssertionError(
            f"POST {path} ({encoding}) raised {type(exc).__name__}: {exc!s:.300} "
            f"for input {describe(data)}"
        ) from exc
    assert response.status_code in ACCEPTED_STATUSES, (
        f"POST {path} ({encoding}) answered {response.status_code} for input {describe(data)}"
    )
    outcome = resolve(response["Location"]).view_name if response.status_code == 302 else ""
    if currently_in_test_context():  # shown by --hypothesis-show-statistics
        event(f"answered {response.status_code} {outcome}")
    return response


def redirected_to(response: HttpResponse, view_name: str) -> bool:
    """A redirect to `view_name` (for example the detail page of the saved record)."""
    if response.status_code != 302:
        return False
    return resolve(response["Location"]).view_name == view_name


def row_counts() -> dict[str, int]:
    return {
        "Person": Person.objects.count(),
        "PersonIndex": PersonIndex.objects.count(),
        "Case": Case.objects.count(),
        "AuditEntry": AuditEntry.objects.count(),
    }


def last_seq() -> int:
    entry = AuditEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def new_actions(seq: int) -> list[str]:
    """The actions of the audit rows written after `seq`, oldest first."""
    return list(
        AuditEntry.objects.filter(seq__gt=seq).order_by("seq").values_list("action", flat=True)
    )


def assert_nothing_saved(before: dict[str, int], seq: int, data: FormData) -> None:
    assert row_counts() == before, f"rows changed for input {describe(data)}"
    assert new_actions(seq) == [], f"audit rows written for input {describe(data)}"


@pytest.fixture(autouse=True)
def _quiet_oversize_warnings() -> Iterator[None]:
    # Oversized bodies are the point here; Django logs each one on django.security.
    logger = logging.getLogger("django.security")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


# --- Hypothesis: every form, any input ---------------------------------------------------


class FuzzedFormsTests(HypothesisTestCase, HavenTestCase):
    """Each example: one POST, then the counts, the record and the audit chain are checked."""

    def supervisor(self) -> Client:
        return self.client_for("A", Role.SUPERVISOR)

    @FUZZ_SLOW
    @given(data=PERSON_PAYLOADS, encoding=ENCODINGS)
    def test_person_create_never_crashes_and_saves_all_or_nothing(
        self, data: FormData, encoding: str
    ) -> None:
        client = self.supervisor()
        before, seq = row_counts(), last_seq()
        response = send(client, reverse("people:create"), data, encoding)
        if not redirected_to(response, PERSON_DETAIL):
            # 413: a body over HAVEN_MAX_REQUEST_BYTES is refused before it is read.
            assert response.status_code in (400, 413), describe(data)
            assert_nothing_saved(before, seq, data)
            return
        after = row_counts()
        assert after["Person"] == before["Person"] + 1, describe(data)
        assert after["Case"] == before["Case"]
        assert new_actions(seq) == [Action.PERSON_CREATE], describe(data)
        assert verify().ok
        person = Person.objects.get(reference=response["Location"].split("/")[2])
        submitted = _as_list(data["full_name"])[-1]
        assert person.full_name == submitted.strip(), describe(data)

    @FUZZ_SLOW
    @given(payload=PERSON_PAYLOADS, version=st.data(), encoding=ENCODINGS)
    def test_person_edit_never_crashes_and_changes_all_or_nothing(
        self, payload: FormData, version: st.DataObject, encoding: str
    ) -> None:
        reference = self.world.people["A"].reference
        client = self.supervisor()
        before, seq, state = row_counts(), last_seq(), person_state(reference)
        data = {**payload, **self.draw_version(version, state["version"])}
        response = send(client, reverse("people:edit", args=[reference]), data, encoding)
        if not redirected_to(response, PERSON_DETAIL):
            assert_nothing_saved(before, seq, data)
            assert person_state(reference) == state, describe(data)
            return
        assert verify().ok
        after = person_state(reference)
        assert row_counts()["Person"] == before["Person"]
        if after["version"] == state["version"]:
            assert after == state, describe(data)
            assert new_actions(seq) == []
        else:
            assert after["version"] == state["version"] + 1
            assert new_actions(seq) == [Action.PERSON_UPDATE], describe(data)

    @FUZZ
    @given(data=SEARCH_PAYLOADS, encoding=ENCODINGS)
    def test_person_search_never_crashes_or_writes_records(
        self, data: FormData, encoding: str
    ) -> None:
        client = self.supervisor()
        before, seq = row_counts(), last_seq()
        response = send(client, reverse("people:search"), data, encoding)
        assert response.status_code in {200, 400}, describe(data)
        after = row_counts()
        assert {k: v for k, v in after.items() if k != "AuditEntry"} == {
            k: v for k, v in before.items() if k != "AuditEntry"
        }
        assert new_actions(seq) in ([], [Action.PERSON_SEARCH]), describe(data)
        assert verify().ok

    @FUZZ
    @given(data=st.data(), encoding=ENCODINGS)
    def test_case_create_never_crashes_and_saves_all_or_nothing(
        self, data: st.DataObject, encoding: str
    ) -> None:
        payload = data.draw(self.case_payloads())
        person = self.world.people["A"]
        client = self.supervisor()
        before, seq = row_counts(), last_seq()
        response = send(client, reverse("cases:create", args=[person.reference]), payload, encoding)
        if not redirected_to(response, CASE_DETAIL):
            # 200: the warning that the person already has an active case.
            assert response.status_code in {200, 400}, describe(payload)
            assert_nothing_saved(before, seq, payload)
            return
        after = row_counts()
        assert after["Case"] == before["Case"] + 1, describe(payload)
        assert after["Person"] == before["Person"]
        assert new_actions(seq) == [Action.CASE_CREATE], describe(payload)
        assert verify().ok

    @FUZZ
    @given(data=st.data(), encoding=ENCODINGS)
    def test_case_edit_never_crashes_and_changes_all_or_nothing(
        self, data: st.DataObject, encoding: str
    ) -> None:
        reference = self.world.cases["A"].reference
        client = self.supervisor()
        before, seq, state = row_counts(), last_seq(), case_state(reference)
        payload = data.draw(self.case_payloads())
        payload.update(self.draw_version(data, state["version"]))
        response = send(client, reverse("cases:edit", args=[reference]), payload, encoding)
        if not redirected_to(response, CASE_DETAIL):
            assert_nothing_saved(before, seq, payload)
            assert case_state(reference) == state, describe(payload)
            return
        assert verify().ok
        after = case_state(reference)
        assert row_counts() == {**before, "AuditEntry": row_counts()["AuditEntry"]}
        if after["version"] == state["version"]:
            assert after == state, describe(payload)
            assert new_actions(seq) == []
        else:
            assert after["version"] == state["version"] + 1
            assert new_actions(seq) == [Action.CASE_UPDATE], describe(payload)

    @FUZZ
    @given(data=st.data(), encoding=ENCODINGS)
    def test_password_step_never_crashes_and_only_audits_failures(
        self, data: st.DataObject, encoding: str
    ) -> None:
        usernames = sorted(user.username for user in self.world.users.values())
        known: dict[str, st.SearchStrategy[Value]] = {
            "login": st.one_of(st.sampled_from(usernames), st.text(max_size=150)),
            "password": st.one_of(st.just(PASSWORD), st.text(max_size=256)),
        }
        coherent = st.fixed_dictionaries(
            {"login": st.sampled_from(usernames), "password": known["password"]}
        )
        payload = data.draw(payloads(coherent, known))
        before, seq = row_counts(), last_seq()
        response = send(Client(), reverse("account_login"), payload, encoding)
        self.assert_sign_in_step_left_records_alone(before, seq, payload)
        if response.status_code == 302:
            assert response["Location"] in {reverse("mfa_authenticate"), reverse("accounts:enrol")}
            assert _as_list(payload["password"])[-1] == PASSWORD, describe(payload)
        else:
            # 413: a body over HAVEN_MAX_REQUEST_BYTES is refused before it is read.
            assert response.status_code in {200, 400, 413}, describe(payload)

    @FUZZ
    @given(data=st.data(), encoding=ENCODINGS)
    def test_code_step_never_crashes_and_only_audits_failures(
        self, data: st.DataObject, encoding: str
    ) -> None:
        known: dict[str, st.SearchStrategy[Value]] = {
            "code": st.from_regex(r"[0-9 ]{4,12}", fullmatch=True),
        }
        coherent = st.fixed_dictionaries({"code": st.from_regex(r"[0-9]{6}", fullmatch=True)})
        payload = data.draw(payloads(coherent, known))
        client = Client()
        pending = data.draw(st.booleans(), label="password step done")
        if pending:
            screener = self.world.user("A", Role.SCREENER).username
            client.post(reverse("account_login"), {"login": screener, "password": PASSWORD})
        before, seq = row_counts(), last_seq()
        response = send(client, reverse("mfa_authenticate"), payload, encoding)
        self.assert_sign_in_step_left_records_alone(before, seq, payload)
        if not pending:
            assert response.status_code == 302, describe(payload)
            assert response["Location"] == reverse("account_login")
            assert new_actions(seq) == []

    # -- helpers --

    def case_payloads(self) -> st.SearchStrategy[FormData]:
        own, other = (str(self.world.user(org, Role.CASE_WORKER).pk) for org in ("A", "B"))
        known = {**CASE_FIELDS, "assigned_to": st.sampled_from(["", own, other])}
        return payloads(coherent_case([own]), known)

    @staticmethod
    def draw_version(data: st.DataObject, current: int) -> FormData:
        kind = data.draw(
            st.sampled_from(["current", "stale", "ahead", "garbage", "missing", "several"]),
            label="version",
        )
        if kind == "missing":
            return {}
        if kind == "garbage":
            return {"version": data.draw(GARBAGE)}
        if kind == "several":
            return {"version": [str(current), str(current + 1)]}
        offset = {"current": 0, "stale": -1, "ahead": 1}[kind]
        return {"version": str(current + offset)}

    @staticmethod
    def assert_sign_in_step_left_records_alone(
        before: dict[str, int], seq: int, data: FormData
    ) -> None:
        after = row_counts()
        for model in ("Person", "PersonIndex", "Case"):
            assert after[model] == before[model], describe(data)
        allowed = {Action.LOGIN_FAILED, Action.LOCKED}
        assert set(new_actions(seq)) <= allowed, describe(data)
        assert verify().ok


# --- Plain cases: each refusal named, with its message, and nothing saved ----------------


def valid_person(**overrides: Value) -> FormData:
    data: FormData = {
        "full_name": "Nguy\u1ec5n Th\u1ecb Lan",
        "given_name": "Lan",
        "family_name": "Nguy\u1ec5n",
        "aliases": "Lan N.\nLani",
        "date_of_birth": "1990-04-01",
        "estimated_age": "",
        "age_basis": "",
        "phone": "+66 81 234 5678",
        "address": "Mae Sot",
        "gender": Gender.FEMININE,
        "citizenship": ["VN"],
        "languages": ["vi", "th"],
        "other_languages": "hmn",
        "doc-TOTAL_FORMS": "1",
        "doc-INITIAL_FORMS": "0",
        "doc-MIN_NUM_FORMS": "0",
        "doc-MAX_NUM_FORMS": "1000",
        "doc-0-doc_type": "passport",
        "doc-0-number": "C1234567",
        "doc-0-country": "VN",
    }
    data.update(overrides)
    return data


def documents(count: int) -> FormData:
    data: FormData = {
        "doc-TOTAL_FORMS": str(count),
        "doc-INITIAL_FORMS": "0",
        "doc-MIN_NUM_FORMS": "0",
        "doc-MAX_NUM_FORMS": "1000",
    }
    for i in range(count):
        data.update(
            {f"doc-{i}-doc_type": "passport", f"doc-{i}-number": f"P{i:07}", f"doc-{i}-country": ""}
        )
    return data


class RefusedInputTests(HavenTestCase):
    """Known bad input: refused with a message the user can act on, and nothing saved."""

    def post_refused(self, data: FormData, encoding: str = "urlencoded") -> HttpResponse:
        client = Client(raise_request_exception=False)
        client.force_login(self.world.user("A", Role.SUPERVISOR))
        before, seq = row_counts(), last_seq()
        response = send(client, reverse("people:create"), data, encoding)
        self.assertEqual(response.status_code, 400, describe(data))
        assert_nothing_saved(before, seq, data)
        return response

    def assert_message(self, response: HttpResponse, message: str) -> None:
        self.assertContains(response, escape(message), status_code=400)

    def test_the_valid_baseline_is_saved(self) -> None:
        # Each refusal below changes one thing in this payload, so this must succeed.
        client = self.client_for("A", Role.SUPERVISOR)
        before = row_counts()
        response = client.post(reverse("people:create"), valid_person())
        self.assertEqual(response.status_code, 302)
        self.assertTrue(redirected_to(response, PERSON_DETAIL))
        self.assertEqual(row_counts()["Person"], before["Person"] + 1)
        self.assertTrue(verify().ok)

    def test_full_name_of_201_characters_is_refused(self) -> None:
        response = self.post_refused(valid_person(full_name="x" * 201))
        self.assert_message(response, "Ensure this value has at most 200 characters (it has 201).")

    def test_estimated_age_without_a_basis_is_refused(self) -> None:
        response = self.post_refused(
            valid_person(date_of_birth="", estimated_age="30", age_basis="  ")
        )
        self.assert_message(response, "Say what the age estimate is based on.")

    def test_date_of_birth_in_the_future_is_refused(self) -> None:
        tomorrow = TODAY + dt.timedelta(days=1)
        response = self.post_refused(valid_person(date_of_birth=tomorrow.isoformat()))
        self.assert_message(response, "Enter a date of birth between 1900 and today.")

    def test_seven_document_rows_are_refused(self) -> None:
        response = self.post_refused(valid_person(**documents(MAX_DOCUMENTS + 1)))
        self.assert_message(response, f"Please submit at most {MAX_DOCUMENTS} forms.")

    def test_six_document_rows_are_accepted(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        response = client.post(reverse("people:create"), valid_person(**documents(MAX_DOCUMENTS)))
        self.assertEqual(response.status_code, 302)
        person = Person.objects.get(reference=response["Location"].split("/")[2])
        self.assertEqual(len(person.documents), MAX_DOCUMENTS)

    def test_garbled_document_counts_never_crash_or_save(self) -> None:
        for total in ("9999", "abc", "", "99999999999999999999999", "9" * 5000):
            for encoding in ("urlencoded", "multipart"):
                with self.subTest(total=total[:30], encoding=encoding):
                    self.post_refused(valid_person(**{"doc-TOTAL_FORMS": total}), encoding)

    def test_negative_document_count_drops_the_rows_and_saves_no_document(self) -> None:
        # Django reads a negative TOTAL_FORMS as "no rows": the rows sent are ignored and
        # the person is saved without documents (nor document index entries).
        client = self.client_for("A", Role.SUPERVISOR)
        response = client.post(reverse("people:create"), valid_person(**{"doc-TOTAL_FORMS": "-1"}))
        self.assertTrue(redirected_to(response, PERSON_DETAIL))
        person = Person.objects.get(reference=response["Location"].split("/")[2])
        self.assertEqual(person.documents, [])
        self.assertFalse(person.index_entries.filter(kind=IndexKind.DOCUMENT).exists())

    def test_body_over_the_upload_limit_is_a_400_and_saves_nothing(self) -> None:
        padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
        for encoding in ("urlencoded", "multipart"):
            for field in ("address", "padding"):
                with self.subTest(encoding=encoding, field=field):
                    self.post_refused(valid_person(**{field: padding}), encoding)

    def test_body_over_the_limit_with_csrf_checks_on_is_a_400(self) -> None:
        # In production the CSRF middleware reads the body first; it must still be a 400.
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        client.force_login(self.world.user("A", Role.SUPERVISOR))
        client.get(reverse("people:create"))
        token = client.cookies[settings.CSRF_COOKIE_NAME].value
        data = valid_person(csrfmiddlewaretoken=token, padding="x" * 300_000)
        before, seq = row_counts(), last_seq()
        response = send(client, reverse("people:create"), data, "urlencoded")
        self.assertEqual(response.status_code, 400)
        assert_nothing_saved(before, seq, data)

    def test_too_many_fields_is_a_400_and_saves_nothing(self) -> None:
        extra: FormData = {f"extra{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)}
        self.post_refused(valid_person(**extra))

    def test_nul_character_in_full_name_is_refused(self) -> None:
        for encoding in ("urlencoded", "multipart"):
            with self.subTest(encoding=encoding):
                response = self.post_refused(valid_person(full_name="Lan\x00Nguyen"), encoding)
                self.assert_message(response, "Null characters are not allowed.")

    def test_unknown_language_code_is_refused_and_named(self) -> None:
        response = self.post_refused(valid_person(other_languages="hmn, zzq, kac"))
        self.assert_message(response, "Not an ISO 639 language code: zzq")
        self.assertNotContains(response, "code: hmn", status_code=400)

    def test_ten_aliases_of_200_characters_with_browser_line_breaks_are_accepted(self) -> None:
        # Browsers send textarea line breaks as CRLF: the length limit must allow for them.
        aliases = "\r\n".join(chr(ord("A") + i) * 200 for i in range(10))
        client = self.client_for("A", Role.SUPERVISOR)
        response = client.post(reverse("people:create"), valid_person(aliases=aliases))
        self.assertEqual(
            response.status_code, 302, response.context and response.context["form"].errors
        )
        person = Person.objects.get(reference=response["Location"].split("/")[2])
        self.assertEqual(len(person.aliases), 10)

    def test_edit_with_bad_input_leaves_the_person_unchanged(self) -> None:
        reference = self.world.people["A"].reference
        client = self.client_for("A", Role.SUPERVISOR)
        state, counts, seq = person_state(reference), row_counts(), last_seq()
        bad = [
            {"full_name": "x" * 201},
            {"date_of_birth": (TODAY + dt.timedelta(days=1)).isoformat()},
            {"estimated_age": "30", "date_of_birth": "", "age_basis": ""},
            {"other_languages": "zzq"},
            documents(MAX_DOCUMENTS + 1),
            {"full_name": "Lan\x00Nguyen"},
        ]
        for change in bad:
            with self.subTest(change=describe(change)):
                data = valid_person(version=str(state["version"]), **change)
                response = client.post(reverse("people:edit", args=[reference]), data)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(person_state(reference), state)
        self.assertEqual(row_counts(), counts)
        self.assertEqual(new_actions(seq), [])


class CaseBadInputTests(HavenTestCase):
    """Bad words and foreign ids in a case's URLs and forms: a clear answer, nothing saved."""

    def setUp(self) -> None:
        self.case = Case.objects.get(pk=self.world.cases["A"].pk)

    def request_closure(self) -> Case:
        request_closure(
            self.world.user("A", Role.CASE_WORKER),
            self.case,
            to=CaseStatus.CLOSED,
            reason=ClosureReason.GOALS_MET,
            details="",
            expected_version=self.case.version,
        )
        self.case.refresh_from_db()
        return self.case

    def test_a_closure_decision_other_than_its_two_words_is_404(self) -> None:
        case = self.request_closure()
        approve = reverse("cases:close_decide", args=[case.reference, "approve"])
        client = self.client_for("A", Role.SUPERVISOR)
        before = everything_about(case)
        for word in ("refused", "APPROVE", "yes", "approve2", "reject", "0"):
            with self.subTest(word=word):
                url = approve.replace("/approve/", f"/{word}/")
                response = client.post(url, {"version": case.version})
                self.assertEqual(response.status_code, 404)
                self.assertEqual(everything_about(case), before)
        self.assertTrue(Case.objects.get(pk=case.pk).closure_pending)
        refuse = reverse("cases:close_decide", args=[case.reference, "refuse"])
        self.assertEqual(client.post(refuse, {"version": case.version}).status_code, 302)
        self.assertFalse(Case.objects.get(pk=case.pk).closure_pending)

    def test_an_unknown_case_status_is_refused_with_a_message(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        before = everything_about(self.case)
        for word in ("Deleted", "active", "Closed"):
            with self.subTest(word=word):
                url = reverse("cases:status", args=[self.case.reference, word])
                response = client.post(url, {"version": self.case.version}, follow=True)
                self.assertEqual(response.status_code, 200)
                shown = [str(m) for m in response.context["messages"]]
                self.assertEqual(len(shown), 1, shown)
                self.assertTrue(shown[0].startswith(("A case cannot move", "Closing a case")))
                self.assertEqual(everything_about(self.case), before)

    def test_an_assignee_of_another_organisation_is_refused_by_the_form(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        url = reverse("cases:edit", args=[self.case.reference])
        before = everything_about(self.case)
        for assignee in (
            self.world.user("B", Role.CASE_WORKER),
            self.world.user("A", Role.SCREENER),
        ):
            with self.subTest(assignee=assignee.username):
                response = client.post(
                    url,
                    {
                        "opened_on": "2026-01-05",
                        "summary": "Changed",
                        "assigned_to": assignee.pk,
                        "version": self.case.version,
                    },
                )
                self.assertContains(response, "Select a valid choice", status_code=400)
                self.assertContains(response, "Nothing was saved", status_code=400)
                self.assertEqual(everything_about(self.case), before)
