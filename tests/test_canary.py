"""A personal-data canary walks through the app and must never surface where it should not.

The marker name goes into a person record; then a scripted walk signs in for real, creates,
views, edits, searches, opens a case, browses the audit trail, forces a server error and
signs out. The marker must never appear in captured logs, response headers, URLs, page
titles or audit rows.
"""

from __future__ import annotations

import logging
import uuid
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from haven.accounts.roles import Role
from haven.audit.models import AuditEntry
from haven.cases.models import Case
from haven.people.models import Person
from haven.screening import engine
from haven.screening.models import Screening
from tests.helpers import page_title, raw_rows, sign_in
from tests.personas import READY, World, consent_data


@pytest.mark.django_db
def test_personal_data_canary_never_leaks(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    canary = "Canary" + uuid.uuid4().hex[:10]
    khmer_canary = "ស្រីពៅ" + canary
    seen_urls: list[str] = []
    seen_headers: list[str] = []
    seen_titles: list[str] = []
    bodies: list[str] = []

    def note(response: object, url: str) -> str:
        seen_urls.append(url)
        seen_headers.extend(f"{k}: {v}" for k, v in response.items())  # type: ignore[attr-defined]
        body = response.content.decode("utf-8", "replace")  # type: ignore[attr-defined]
        seen_titles.append(page_title(body))
        bodies.append(body)
        return body

    worker = Client(raise_request_exception=False)
    sign_in(worker, world.user("A", Role.CASE_WORKER))

    form = {
        "full_name": khmer_canary,
        "aliases": canary + "alias",
        "phone": "+855" + canary,
        "gender": "Feminine",
        "doc-TOTAL_FORMS": "1",
        "doc-INITIAL_FORMS": "0",
        "doc-0-doc_type": "passport",
        "doc-0-number": canary + "DOC",
    }
    url = reverse("people:create")
    response = worker.post(url, form)
    note(response, url)
    assert response.status_code == 302
    person = Person.objects.get(reference=response["Location"].split("/")[2])

    for url in (
        reverse("core:home"),
        reverse("people:list"),
        reverse("people:detail", kwargs={"reference": person.reference}),
        reverse("people:edit", kwargs={"reference": person.reference}),
    ):
        body = note(worker.get(url), url)
    assert khmer_canary in body  # the edit form does show identity, to its allowed user

    url = reverse("people:edit", kwargs={"reference": person.reference})
    edited = {**form, "full_name": khmer_canary + "x", "version": str(person.version)}
    note(worker.post(url, edited), url)
    url = reverse("people:search")
    body = note(worker.post(url, {"name": khmer_canary + "x"}), url)
    assert person.reference in body
    note(worker.post(url, {"name": canary}, headers={"HX-Request": "true"}), url)

    url = reverse("cases:create", kwargs={"reference": person.reference})
    response = worker.post(url, {"opened_on": "2026-03-01", "summary": canary + " notes"})
    note(response, url)
    case_url = response["Location"]
    note(worker.get(case_url), case_url)

    # A screening of the person, with the canary in a note and in who was present.
    url = reverse("screening:start_for_person", kwargs={"reference": person.reference})
    readiness = {k: ("on" if v is True else v) for k, v in READY.items() if v is not False}
    response = worker.post(url, {**readiness, "present": "support worker " + canary})
    note(response, url)
    screening = Screening.objects.get(person=person)
    url = reverse("screening:profile", args=[screening.reference])
    profile = {"age_at_events": "30", "exploitation": "labour", "interview_language": "en"}
    note(worker.post(url, {**profile, "version": screening.version}), url)
    screening.refresh_from_db()
    url = reverse("screening:topic", args=[screening.reference, "safety"])
    ident = engine.indicators_for("safety")[0].id
    answer = {f"a_{ident}": "no", f"n_{ident}": canary + " note", "version": screening.version}
    note(worker.post(url, {**answer, "next": ""}), url)
    for url in (
        reverse("screening:list"),
        reverse("screening:topic", args=[screening.reference, "safety"]),
        reverse("screening:result", args=[screening.reference]),
    ):
        note(worker.get(url), url)
    screening.refresh_from_db()
    assert screening.notes[ident] == canary + " note"

    # Consent, a referral with the canary in what is asked, the packet seen by the other
    # organisation, and its letter.
    case = Case.objects.get(person=person)
    provider = world.providers["B"]
    url = reverse("referrals:consent_add", kwargs={"reference": case.reference})
    consent = {
        k: ("on" if v is True else v) for k, v in consent_data(provider).items() if v is not False
    }
    consent = {
        **consent,
        "recipient_provider": str(provider.pk),
        "categories": ["identity", "contact"],
    }
    consent.pop("recipient_provider_id")
    note(worker.post(url, consent), url)
    url = reverse("referrals:new", kwargs={"reference": case.reference})
    referral_form = {
        "service": str(world.services_listed["B"].pk),
        "purpose": "assistance",
        "reason": "Other",
        "details": canary + " request",
        "categories": ["identity", "contact"],
        "channel": "haven",
    }
    note(worker.post(url, {**referral_form, "preview": ""}), url)
    response = worker.post(url, {**referral_form, "send": ""})
    note(response, url)
    referral_url = response["Location"]
    note(worker.get(referral_url), referral_url)
    receiver = Client(raise_request_exception=False)
    sign_in(receiver, world.user("B", Role.CASE_WORKER))
    url = referral_url + "packet/"
    body = note(receiver.get(url), url)
    assert khmer_canary + "x" in body  # the consented identity reaches the recipient

    # A server error while the canary is in the request must not echo it anywhere.
    url = reverse("people:create")
    with mock.patch("haven.people.actions.create_person", side_effect=RuntimeError("boom")):
        response = worker.post(url, form)
    assert response.status_code == 500
    note(response, url)
    # A bad form re-shows the user's own input, but not in the title or headers.
    note(worker.post(url, {**form, "date_of_birth": "not a date"}), url)

    admin = Client(raise_request_exception=False)
    sign_in(admin, world.user("A", Role.ORG_ADMIN))
    url = reverse("audit:list")
    note(admin.get(url), url)
    url = reverse("accounts:logout")
    note(worker.post(url), url)

    secrets = [canary, canary.lower()]
    for secret in secrets:
        assert not [u for u in seen_urls if secret in u], "canary in a URL"
        assert not [h for h in seen_headers if secret in h], "canary in a response header"
        assert not [t for t in seen_titles if secret in t], "canary in a page title"
        assert secret not in caplog.text, "canary in the logs"
        assert secret not in bodies[-2], "canary on the audit page"
        audit_values = [
            value for table, _col, value in raw_rows() if table == AuditEntry._meta.db_table
        ]
        assert not [v for v in audit_values if secret in v], "canary in the audit trail"
    assert AuditEntry.objects.filter(action="person.view_identity").exists()
