"""Shared test helpers: raw database scans and real two-step sign-in."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pyotp
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from haven.accounts.actions import authenticator_secret
from haven.accounts.models import User
from haven.cases.models import Case
from haven.people.actions import EDITABLE_FIELDS
from haven.people.models import Person, PersonIndex
from tests.personas import PASSWORD


def _as_text(value: object) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def raw_rows() -> Iterator[tuple[str, str, str]]:
    """Every value of every column of every table, as text: (table, column, value)."""
    quote = connection.ops.quote_name
    introspection = connection.introspection
    with connection.cursor() as cursor:
        for table in introspection.table_names(cursor):
            columns = [c.name for c in introspection.get_table_description(cursor, table)]
            select = ", ".join(quote(c) for c in columns)
            cursor.execute(f"SELECT {select} FROM {quote(table)}")
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is not None:
                        yield table, column, _as_text(value)


def used_code(user: User, code: str) -> bool:
    """Whether allauth has marked this code used for the account (its replay guard)."""
    return cache.get(f"allauth.mfa.totp.used?user={user.pk}&code={code}") == "y"


def totp_code(user: User) -> str:
    """A code the server will accept now: the current step's, else a neighbour's unused one."""
    totp = pyotp.TOTP(authenticator_secret(user))
    step = totp.timecode(dt.datetime.now(tz=dt.UTC))
    for candidate in (step, step + 1, step - 1):
        code = totp.generate_otp(candidate)
        if not used_code(user, code):
            return code
    raise AssertionError("every code of the tolerance window is spent")


def sign_in(client: Client, user: User, password: str = PASSWORD) -> None:
    """Sign in through both real steps: password, then a TOTP code."""
    response = client.post(reverse("account_login"), {"login": user.username, "password": password})
    assert response.status_code == 302, response.content[:500]
    assert response["Location"] == reverse("mfa_authenticate"), response["Location"]
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})
    assert response.status_code == 302, response.content[:500]


TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def page_title(html: str) -> str:
    match = TITLE.search(html)
    return match.group(1) if match else ""


def person_state(reference: str) -> dict[str, Any]:
    """Everything an edit could change on a person, to prove a refused edit changed nothing."""
    person = Person.objects.get(reference=reference)
    state = {name: getattr(person, name) for name in EDITABLE_FIELDS}
    state.update(version=person.version, age_band=person.age_band, updated_at=person.updated_at)
    state["index"] = sorted(PersonIndex.objects.filter(person=person).values_list("kind", "digest"))
    return state


def case_state(reference: str) -> dict[str, Any]:
    case = Case.objects.get(reference=reference)
    return {
        "summary": case.summary,
        "opened_on": case.opened_on,
        "assigned_to": case.assigned_to_id,
        "version": case.version,
        "updated_at": case.updated_at,
    }


FormData = dict[str, str | list[str]]

HIDDEN_VERSION = re.compile(r'<input\b[^>]*\bname="version"[^>]*>')
VALUE = re.compile(r'\bvalue="(\d+)"')


def hidden_version(response: HttpResponse) -> int:
    """The version the page's form will send back, read from the rendered hidden input."""
    tag = HIDDEN_VERSION.search(response.content.decode())
    assert tag is not None, "the edit form has no hidden version field"
    value = VALUE.search(tag.group(0))
    assert value is not None, f"the hidden version field has no value: {tag.group(0)}"
    return int(value.group(1))


def _as_posted(value: Any) -> str | list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def form_as_sent(response: HttpResponse) -> FormData:
    """What a browser would send back from the edit page, unchanged."""
    forms = [response.context["form"]]
    documents = response.context.get("documents")
    if documents is not None:
        forms += [documents.management_form, *documents.forms]
    data: FormData = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is not None:
                data[field.html_name] = _as_posted(value)
    return data


def home_section(response: HttpResponse, anchor: str) -> str:
    """The HTML of the home page's card with that id ("incoming", "outgoing", "intake")."""
    html = response.content.decode()
    start = html.index(f'<section class="card" id="{anchor}">')
    return html[start : html.index("</section>", start)]
