"""Consent-scoped referrals: a packet carries only what a live consent covers, the receiving
organisation sees only that packet, the flow runs from sending to help given, emergency
sharing is bounded and audited, and files between unconnected deployments are refused when
altered, misaddressed, untrusted or replayed.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import io
import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from haven.accounts.models import OrganisationType
from haven.accounts.roles import Capability, Role, can
from haven.audit.models import Action, AuditEntry
from haven.cases.models import CaseEvent, EventKind, Notification
from haven.core.errors import ConcurrentEditError, RefusedError, stale_edit_message
from haven.directory.models import Provider
from haven.referrals import actions, crossborder, due, exchange
from haven.referrals.consent import covers, live_categories
from haven.referrals.models import (
    Channel,
    Consent,
    DataCategory,
    Deployment,
    Direction,
    ExchangeReceipt,
    OverrideGround,
    OverrideRequest,
    Purpose,
    Referral,
    ReferralStatus,
)
from tests.helpers import hidden_version, home_section, raw_rows
from tests.personas import HavenTestCase, consent_data

CATEGORIES = [c.value for c in DataCategory]
# Identification requests have rules of their own (tests/test_identification_requests.py).
PURPOSES = [p.value for p in Purpose if p != Purpose.IDENTIFICATION]
NAME_A = "Fixture Person A"
CASE_NOTES = "Fixture case notes"
KHMER_NAME = "សុខា គំរូ"
AUDIT_TABLE = AuditEntry._meta.db_table

PROPERTY = hypothesis_settings(
    max_examples=60,
    deadline=None,
    database=None,  # nothing written under the project; a failure prints its example
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def url(name: str, referral: Referral, **query: str) -> str:
    address = reverse(name, kwargs={"reference": referral.reference})
    if query:
        address += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return address


def sections_of(packet: dict[str, Any]) -> list[str]:
    return [s["category"] for s in packet["sections"]]


def text_of(response: Any) -> str:
    return response.content.decode()


def audit_rows() -> list[tuple[str, str]]:
    """(column, value) of every audit row, read raw from the database."""
    return [(column, value) for table, column, value in raw_rows() if table == AUDIT_TABLE]


def counts() -> dict[str, int]:
    """Rows that a refused action must not create."""
    return {
        "referrals": Referral.objects.count(),
        "receipts": ExchangeReceipt.objects.count(),
        "audit": AuditEntry.objects.count(),
        "events": CaseEvent.objects.count(),
        "consents": Consent.objects.count(),
    }


# --- 1. Consent scoping -----------------------------------------------------------------
#
# A recipient choice of a generated consent, against the provider the referral goes to
# (B's provider, a law-enforcement body):
#   this        B's provider itself
#   other       another provider of the same type (a consent to it must not reach B)
#   type_match  every provider of B's type
#   type_other  every provider of another type

RECIPIENTS = ("this", "other", "type_match", "type_other")
COVERING = frozenset({"this", "type_match"})

consent_specs = st.lists(
    st.fixed_dictionaries(
        {
            "categories": st.sets(st.sampled_from(CATEGORIES), min_size=1),
            "recipient": st.sampled_from(RECIPIENTS),
            "purpose": st.sampled_from(PURPOSES),
            "expiry": st.integers(min_value=-3, max_value=3),  # days from the day looked at
            "withdrawn": st.booleans(),
            "withdrawn_later": st.booleans(),  # after the referral was sent
        }
    ),
    max_size=5,
)


def expected(specs: list[dict[str, Any]], purpose: str, *, later: bool = False) -> set[str]:
    """The oracle, written apart from the app: what a live covering consent allows."""
    allowed: set[str] = set()
    for spec in specs:
        withdrawn = spec["withdrawn"] or (later and spec["withdrawn_later"])
        if withdrawn or spec["expiry"] < 0 or spec["purpose"] != purpose:
            continue
        if spec["recipient"] in COVERING:
            allowed |= spec["categories"]
    return allowed


def ordered(categories: set[str]) -> list[str]:
    return [c for c in CATEGORIES if c in categories]


THIS_PROVIDER = Provider(pk=9001, name="this", org_type=OrganisationType.LAW_ENFORCEMENT)
OTHER_PROVIDER = Provider(pk=9002, name="other", org_type=OrganisationType.LAW_ENFORCEMENT)


def unsaved_consent(spec: dict[str, Any], on: dt.date) -> Consent:
    recipient = spec["recipient"]
    return Consent(
        recipient_provider_id={"this": THIS_PROVIDER.pk, "other": OTHER_PROVIDER.pk}.get(recipient),
        recipient_org_type={
            "type_match": OrganisationType.LAW_ENFORCEMENT,
            "type_other": OrganisationType.NGO,
        }.get(recipient, ""),
        categories=ordered(spec["categories"]),
        purpose=spec["purpose"],
        expires_on=on + dt.timedelta(days=spec["expiry"]),
        withdrawn_at=timezone.now() if spec["withdrawn"] else None,
    )


@PROPERTY
@given(
    specs=consent_specs,
    purpose=st.sampled_from(PURPOSES),
    on=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31)),
)
def test_live_categories_are_exactly_those_of_live_covering_consents(
    specs: list[dict[str, Any]], purpose: str, on: dt.date
) -> None:
    consents = [unsaved_consent(spec, on) for spec in specs]
    allowed = expected(specs, purpose)
    assert live_categories(consents, THIS_PROVIDER, purpose, on) == ordered(allowed)
    for consent, spec in zip(consents, specs, strict=True):
        live = not spec["withdrawn"] and spec["expiry"] >= 0
        should = live and spec["purpose"] == purpose and spec["recipient"] in COVERING
        assert covers(consent, THIS_PROVIDER, purpose, on, None) is should, spec


def test_a_consent_expiring_today_still_covers_and_yesterday_does_not() -> None:
    today = dt.date(2026, 3, 1)
    spec = {
        "categories": {"identity"},
        "recipient": "this",
        "purpose": "assistance",
        "expiry": 0,
        "withdrawn": False,
    }
    assert covers(unsaved_consent(spec, today), THIS_PROVIDER, "assistance", today, None)
    assert not covers(
        unsaved_consent({**spec, "expiry": -1}, today), THIS_PROVIDER, "assistance", today, None
    )


class ConsentScopingPropertyTests(HypothesisTestCase, HavenTestCase):
    """Random consents in the database: the preview, the sent packet and the packet after
    later withdrawals never hold a category without a live covering consent."""

    other_provider: ClassVar[Provider]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.other_provider = Provider.objects.create(
            name="Another police unit", org_type=OrganisationType.LAW_ENFORCEMENT, country="TH"
        )

    def _record(self, specs: list[dict[str, Any]]) -> list[Consent]:
        w = self.world
        today = timezone.localdate()
        Consent.objects.filter(person=w.people["A"]).delete()
        made = []
        for spec in specs:
            recipient = spec["recipient"]
            provider = {"this": w.providers["B"], "other": self.other_provider}.get(recipient)
            made.append(
                Consent.objects.create(
                    person=w.people["A"],
                    case=w.cases["A"],
                    organisation=w.orgs["A"],
                    recorded_by=w.user("A", Role.CASE_WORKER),
                    **consent_data(
                        provider or w.providers["B"],
                        recipient_provider_id=provider.pk if provider else None,
                        recipient_org_type={
                            "type_match": OrganisationType.LAW_ENFORCEMENT,
                            "type_other": OrganisationType.NGO,
                        }.get(recipient, ""),
                        categories=ordered(spec["categories"]),
                        purpose=spec["purpose"],
                        expires_on=today + dt.timedelta(days=spec["expiry"]),
                    ),
                    withdrawn_at=timezone.now() if spec["withdrawn"] else None,
                )
            )
        return made

    @PROPERTY
    @given(
        specs=consent_specs,
        purpose=st.sampled_from(PURPOSES),
        chosen=st.sets(st.sampled_from(CATEGORIES)),
    )
    def test_packets_never_hold_a_category_without_live_consent(
        self, specs: list[dict[str, Any]], purpose: str, chosen: set[str]
    ) -> None:
        w = self.world
        worker, case, service = w.user("A", Role.CASE_WORKER), w.cases["A"], w.services_listed["B"]
        made = self._record(specs)
        allowed = expected(specs, purpose)

        preview = actions.preview(
            case,
            service,
            purpose=purpose,
            reason="Other",
            details="",
            categories=CATEGORIES,
        )
        shown = sections_of(preview)
        for category in CATEGORIES:
            assert (category in shown) == (category in allowed), (category, specs)

        before = counts()
        if not chosen <= allowed:
            with pytest.raises(RefusedError):
                actions.send_referral(
                    worker,
                    case,
                    service,
                    purpose=purpose,
                    reason="Other",
                    details="",
                    categories=ordered(chosen),
                    channel=Channel.HAVEN,
                )
            assert counts() == before
        chosen = chosen & allowed
        referral = actions.send_referral(
            worker,
            case,
            service,
            purpose=purpose,
            reason="Other",
            details="",
            categories=ordered(chosen),
            channel=Channel.HAVEN,
        )
        receiver = w.user("B", Role.CASE_WORKER)
        assert sections_of(actions.packet_for(receiver, referral)) == ordered(chosen)

        for consent, spec in zip(made, specs, strict=True):
            if spec["withdrawn_later"] and consent.withdrawn_at is None:
                actions.withdraw_consent(worker, consent)
        still = chosen & expected(specs, purpose, later=True)
        packet = actions.packet_for(receiver, referral)
        for category in CATEGORIES:
            assert (category in sections_of(packet)) == (category in still), (category, specs)
        look = AuditEntry.objects.filter(action=Action.REFERRAL_VIEW, object_ref=referral.reference)
        assert look.latest("seq").changed_fields == sorted(still)


class ConsentTests(HavenTestCase):
    def setUp(self) -> None:
        self.referral = self.world.referrals["A"]
        self.consent = self.world.consents["A"]
        self.sender = self.world.user("A", Role.CASE_WORKER)
        self.receiver = self.client_for("B", Role.CASE_WORKER)

    def packet_page(self) -> str:
        response = self.receiver.get(url("referrals:packet", self.referral))
        assert response.status_code == 200
        return text_of(response)

    def test_withdrawal_takes_effect_at_once_on_the_recipients_page(self) -> None:
        assert NAME_A in self.packet_page()
        client = self.client_for("A", Role.CASE_WORKER)
        case = self.world.cases["A"]
        response = client.post(
            reverse(
                "referrals:consent_withdraw",
                kwargs={"reference": case.reference, "pk": self.consent.pk},
            ),
            follow=True,
        )
        assert response.status_code == 200
        assert "Recipients inside Haven lost access at once" in text_of(response)
        page = self.packet_page()
        assert NAME_A not in page
        assert "No personal information is shared." in page
        assert actions.visible_categories(self.referral, timezone.now()) == []

    def test_withdraw_consent_action_hides_identity_and_refuses_new_sharing(self) -> None:
        actions.withdraw_consent(self.sender, self.consent)
        assert NAME_A not in self.packet_page()
        before = counts()
        with pytest.raises(RefusedError) as refused:
            actions.send_referral(
                self.sender,
                self.world.cases["A"],
                self.world.services_listed["B"],
                purpose="assistance",
                reason="Other",
                details="",
                categories=["identity"],
                channel=Channel.HAVEN,
            )
        assert "not consented" in refused.value.message
        assert counts() == before

    def test_consent_history_keeps_the_withdrawn_row(self) -> None:
        actions.withdraw_consent(self.sender, self.consent)
        kept = Consent.objects.get(pk=self.consent.pk)
        assert kept.withdrawn_at is not None
        assert kept.withdrawn_by == self.sender
        assert kept.categories == ["identity", "contact"]
        assert not kept.is_live_today
        assert AuditEntry.objects.filter(action=Action.CONSENT_WITHDRAW).exists()
        assert CaseEvent.objects.filter(kind=EventKind.CONSENT_WITHDRAWN).exists()
        with pytest.raises(RefusedError):
            actions.withdraw_consent(self.sender, self.consent)
        page = self.client_for("A", Role.CASE_WORKER).get(
            reverse("cases:detail", kwargs={"reference": self.world.cases["A"].reference})
        )
        assert "withdrawn" in text_of(page)

    def test_an_expired_consent_counts_as_withdrawn(self) -> None:
        assert NAME_A in self.packet_page()
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        Consent.objects.filter(pk=self.consent.pk).update(expires_on=yesterday)
        assert NAME_A not in self.packet_page()
        case, provider = self.world.cases["A"], self.world.providers["B"]
        on = timezone.localdate()
        assert actions.allowed_categories(case, provider, "assistance", on) == []
        before = counts()
        with pytest.raises(RefusedError):
            actions.send_referral(
                self.sender,
                case,
                self.world.services_listed["B"],
                purpose="assistance",
                reason="Other",
                details="",
                categories=["contact"],
                channel=Channel.LETTER,
            )
        assert counts() == before

    def test_expiry_is_judged_on_the_local_day_not_the_utc_day(self) -> None:
        # 03:00 on 2 March in Phnom Penh is still 1 March in UTC. A consent valid until
        # 1 March has expired there: the recipient must no longer see what it covered.
        instant = dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC)
        Consent.objects.filter(pk=self.consent.pk).update(expires_on=dt.date(2026, 3, 1))
        with (
            override_settings(TIME_ZONE="Asia/Phnom_Penh"),
            mock.patch("django.utils.timezone.now", return_value=instant),
        ):
            assert timezone.localdate() == dt.date(2026, 3, 2)
            case, provider = self.world.cases["A"], self.world.providers["B"]
            assert (
                actions.allowed_categories(case, provider, "assistance", timezone.localdate()) == []
            )
            assert NAME_A not in self.packet_page()
            assert actions.visible_categories(self.referral, timezone.now()) == []

    def test_sending_a_category_not_consented_is_refused_and_creates_nothing(self) -> None:
        before = counts()
        for categories in (["health"], ["identity", "narrative"], ["legal"]):
            with pytest.raises(RefusedError) as refused:
                actions.send_referral(
                    self.sender,
                    self.world.cases["A"],
                    self.world.services_listed["B"],
                    purpose="assistance",
                    reason="Other",
                    details="",
                    categories=categories,
                    channel=Channel.HAVEN,
                )
            assert refused.value.message
        assert counts() == before

    def test_consent_for_another_purpose_does_not_cover(self) -> None:
        before = counts()
        with pytest.raises(RefusedError):
            actions.send_referral(
                self.sender,
                self.world.cases["A"],
                self.world.services_listed["B"],
                purpose="legal",
                reason="Other",
                details="",
                categories=["identity"],
                channel=Channel.HAVEN,
            )
        assert counts() == before

    def test_record_consent_refuses_past_expiry_and_double_recipient(self) -> None:
        case, provider = self.world.cases["A"], self.world.providers["B"]
        before = counts()
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        for data in (
            consent_data(provider, expires_on=yesterday),
            consent_data(provider, recipient_org_type=OrganisationType.NGO),
            consent_data(provider, recipient_provider_id=None),
            consent_data(provider, categories=[]),
        ):
            with pytest.raises(RefusedError):
                actions.record_consent(self.sender, case, data)
        assert counts() == before


# --- 2. The receiving organisation sees only the packet -----------------------------------


class ReceiverSeesOnlyThePacketTests(HavenTestCase):
    def test_receivers_get_404_on_the_case_and_the_senders_page_200_on_the_packet(self) -> None:
        referral, case = self.world.referrals["A"], self.world.cases["A"]
        for role in Role:
            user = self.world.user("B", role)
            client = self.client_for("B", role)
            answers = {
                "case": client.get(reverse("cases:detail", kwargs={"reference": case.reference})),
                "detail": client.get(url("referrals:detail", referral)),
                "packet": client.get(url("referrals:packet", referral)),
            }
            wanted = {
                "case": 404 if can(user, Capability.CASE_VIEW) else 403,
                "detail": 404 if can(user, Capability.REFERRAL_SEND) else 403,
                "packet": 200 if can(user, Capability.REFERRAL_RECEIVE) else 403,
            }
            got = {page: response.status_code for page, response in answers.items()}
            assert got == wanted, role
        # The sender's organisation does not see its own referral as a packet.
        sender = self.client_for("A", Role.SUPERVISOR)
        assert sender.get(url("referrals:packet", referral)).status_code == 404

    def test_the_packet_never_shows_case_only_data(self) -> None:
        referral, case = self.world.referrals["A"], self.world.cases["A"]
        page = text_of(
            self.client_for("B", Role.CASE_WORKER).get(url("referrals:packet", referral))
        )
        assert NAME_A in page
        assert "Fixture request" in page
        for secret in (CASE_NOTES, case.reference, self.world.people["A"].reference):
            assert secret not in page, secret
        assert str(DataCategory.NARRATIVE.label) not in page
        assert str(DataCategory.HEALTH.label) not in page

    def test_narrative_appears_only_once_consented(self) -> None:
        worker, case = self.world.user("A", Role.CASE_WORKER), self.world.cases["A"]
        service = self.world.services_listed["B"]
        actions.record_consent(
            worker, case, consent_data(service.provider, categories=["narrative"])
        )
        referral = actions.send_referral(
            worker,
            case,
            service,
            purpose="assistance",
            reason="Other",
            details="",
            categories=["narrative"],
            channel=Channel.HAVEN,
        )
        page = text_of(
            self.client_for("B", Role.CASE_WORKER).get(url("referrals:packet", referral))
        )
        assert CASE_NOTES in page
        assert NAME_A not in page

    def test_every_packet_view_is_audited_with_category_names_only(self) -> None:
        referral = self.world.referrals["A"]
        looks = AuditEntry.objects.filter(
            action=Action.REFERRAL_VIEW, object_ref=referral.reference
        )
        client = self.client_for("B", Role.CASE_WORKER)
        for n in range(1, 4):
            assert client.get(url("referrals:packet", referral)).status_code == 200
            assert looks.count() == n
        for entry in looks:
            assert entry.action == "referral.view_packet"
            assert entry.changed_fields == ["contact", "identity"]  # sorted by the chain
            assert entry.actor == self.world.user("B", Role.CASE_WORKER)
        rows = audit_rows()
        assert rows
        for column, value in rows:
            assert NAME_A not in value, column
            assert "Fixture request" not in value, column
            if column == "changed_fields":
                assert set(json.loads(value)) <= {*CATEGORIES, *self.known_field_names()}

    @staticmethod
    def known_field_names() -> set[str]:
        """Field names that other actions write into the audit chain (never values)."""
        names: set[str] = set()
        for entry in AuditEntry.objects.exclude(action=Action.REFERRAL_VIEW):
            names |= set(entry.changed_fields)
        return names

    def test_view_packet_rows_hold_only_category_names_in_raw_storage(self) -> None:
        referral = self.world.referrals["A"]
        self.client_for("B", Role.SUPERVISOR).get(url("referrals:packet", referral))
        seqs = set(
            AuditEntry.objects.filter(action=Action.REFERRAL_VIEW).values_list("seq", flat=True)
        )
        for column, value in audit_rows():
            assert "Fixture Person" not in value, column
        for seq in seqs:
            fields = AuditEntry.objects.get(seq=seq).changed_fields
            assert fields and set(fields) <= set(CATEGORIES)


# --- 3. Flow ------------------------------------------------------------------------------


class FlowTests(HavenTestCase):
    def setUp(self) -> None:
        self.referral = self.world.referrals["A"]
        self.receiver_user = self.world.user("B", Role.CASE_WORKER)
        self.receiver = self.client_for("B", Role.CASE_WORKER)
        self.sender = self.client_for("A", Role.CASE_WORKER)

    def post(self, client: Client, name: str, data: dict[str, Any]) -> str:
        response = client.post(url(name, self.referral), data, follow=True)
        assert response.status_code == 200
        self.referral.refresh_from_db()
        return text_of(response)

    def test_accept_then_complete_with_outcome(self) -> None:
        page = self.post(
            self.receiver,
            "referrals:respond",
            {"answer": "accept", "reason": "", "version": self.referral.version},
        )
        assert "Referral accepted." in page
        assert self.referral.status == ReferralStatus.ACCEPTED
        assert self.referral.responded_by == self.receiver_user
        assert self.referral.responded_at is not None
        page = self.post(
            self.receiver,
            "referrals:complete",
            {"helped": "yes", "outcome": "Two weeks of shelter", "version": self.referral.version},
        )
        assert "Outcome recorded." in page
        assert self.referral.status == ReferralStatus.COMPLETED
        assert self.referral.outcome == "Two weeks of shelter"
        assert self.referral.completed_at is not None
        detail = text_of(self.sender.get(url("referrals:detail", self.referral)))
        assert "Help given" in detail
        assert "Two weeks of shelter" in detail
        # The sender's case worker is told.
        assert Notification.objects.filter(
            user=self.world.user("A", Role.CASE_WORKER), event__kind=EventKind.REFERRAL_UPDATE
        ).exists()

    def test_complete_without_help_and_not_before_acceptance(self) -> None:
        before = counts()
        with pytest.raises(RefusedError):
            actions.complete(
                self.receiver_user,
                self.referral,
                helped=True,
                outcome="x",
                expected_version=self.referral.version,
            )
        assert counts() == before
        actions.respond(
            self.receiver_user,
            self.referral,
            accept=True,
            reason="",
            expected_version=self.referral.version,
        )
        actions.complete(
            self.receiver_user,
            self.referral,
            helped=False,
            outcome="Person moved on",
            expected_version=self.referral.version,
        )
        assert self.referral.status == ReferralStatus.NOT_COMPLETED

    def test_decline_needs_a_reason(self) -> None:
        version = self.referral.version
        page = self.post(
            self.receiver,
            "referrals:respond",
            {"answer": "decline", "reason": "  ", "version": version},
        )
        assert "Say why the referral is declined." in page
        assert self.referral.status == ReferralStatus.SENT
        assert self.referral.version == version
        page = self.post(
            self.receiver,
            "referrals:respond",
            {"answer": "decline", "reason": "No beds this month", "version": version},
        )
        assert "Referral declined." in page
        assert self.referral.status == ReferralStatus.DECLINED
        assert self.referral.response_reason == "No beds this month"
        with pytest.raises(RefusedError):
            actions.respond(
                self.receiver_user,
                self.referral,
                accept=True,
                reason="",
                expected_version=self.referral.version,
            )
        detail = text_of(self.sender.get(url("referrals:detail", self.referral)))
        assert "No beds this month" in detail

    def test_revoke_by_the_sender_hides_all_personal_data(self) -> None:
        assert NAME_A in text_of(self.receiver.get(url("referrals:packet", self.referral)))
        page = self.post(self.sender, "referrals:revoke", {"version": self.referral.version})
        assert "the recipient no longer sees it" in page
        assert self.referral.status == ReferralStatus.REVOKED
        assert self.referral.revoked_at is not None
        packet = text_of(self.receiver.get(url("referrals:packet", self.referral)))
        assert NAME_A not in packet
        assert "Revoked by the sender" in packet
        assert "No personal information is shared." in packet
        assert 'action="' + url("referrals:respond", self.referral) not in packet
        assert actions.packet_for(self.receiver_user, self.referral)["sections"] == []
        with pytest.raises(RefusedError):
            actions.respond(
                self.receiver_user,
                self.referral,
                accept=True,
                reason="",
                expected_version=self.referral.version,
            )
        with pytest.raises(RefusedError):
            actions.revoke(
                self.world.user("A", Role.CASE_WORKER),
                self.referral,
                expected_version=self.referral.version,
            )

    def test_the_receiver_cannot_revoke(self) -> None:
        response = self.receiver.post(
            url("referrals:revoke", self.referral), {"version": self.referral.version}
        )
        assert response.status_code == 404
        self.referral.refresh_from_db()
        assert self.referral.status == ReferralStatus.SENT

    def test_a_stale_answer_is_refused_and_changes_nothing(self) -> None:
        form = self.receiver.get(url("referrals:packet", self.referral))
        seen = hidden_version(form)
        # Meanwhile the sender changes the referral (an approved emergency override bumps
        # its version).
        request = actions.request_override(
            self.world.user("A", Role.CASE_WORKER),
            self.referral,
            ground=OverrideGround.IMMINENT_THREAT_TO_LIFE,
            reason="Threat tonight",
            hours=1,
            categories=["identity"],
            expected_version=seen,
        )
        actions.decide_override(
            self.world.user("A", Role.SUPERVISOR),
            request,
            approve=True,
            note="",
            expected_version=request.version,
        )
        self.referral.refresh_from_db()
        version = self.referral.version
        before = counts()
        page = self.post(self.receiver, "referrals:respond", {"answer": "accept", "version": seen})
        assert stale_edit_message() in page.replace("&#x27;", "'")
        assert self.referral.status == ReferralStatus.SENT
        assert self.referral.version == version
        # The follow-up GET of the packet page adds its own view row, nothing else.
        assert counts()["referrals"] == before["referrals"]
        assert counts()["events"] == before["events"]
        for run in (
            lambda: actions.respond(
                self.receiver_user, self.referral, accept=True, reason="", expected_version=seen
            ),
            lambda: actions.revoke(
                self.world.user("A", Role.CASE_WORKER), self.referral, expected_version=seen
            ),
        ):
            with pytest.raises(ConcurrentEditError):
                run()
        self.referral.refresh_from_db()
        assert self.referral.status == ReferralStatus.SENT
        assert self.referral.version == version

    def test_a_referral_waiting_too_long_reminds_both_organisations(self) -> None:
        days = settings.HAVEN_REFERRAL_REMINDER_DAYS
        other = self.world.referrals["B"]
        # Just inside the limit: no reminder yet.
        Referral.objects.filter(pk=self.referral.pk).update(
            sent_at=timezone.now() - dt.timedelta(days=days) + dt.timedelta(hours=1)
        )
        assert self.referral not in due.for_organisation(self.world.orgs["A"])
        home = text_of(self.sender.get(reverse("core:home")))
        assert "No answer since" not in home
        Referral.objects.filter(pk=self.referral.pk).update(
            sent_at=timezone.now() - dt.timedelta(days=days, hours=1)
        )
        assert due.for_organisation(self.world.orgs["A"]) == [self.referral]
        assert due.for_organisation(self.world.orgs["B"]) == [self.referral]
        assert other not in due.for_organisation(self.world.orgs["A"])
        # The sender among its own referrals, the receiver among what it was sent.
        for client, anchor in ((self.sender, "outgoing"), (self.receiver, "incoming")):
            shown = home_section(client.get(reverse("core:home")), anchor)
            assert "No answer since" in shown
            assert self.referral.reference in shown
            assert other.reference not in shown
        # An answered referral reminds no one, however old.
        actions.respond(
            self.receiver_user,
            self.referral,
            accept=True,
            reason="",
            expected_version=self.referral.version,
        )
        assert due.for_organisation(self.world.orgs["A"]) == []
        assert due.for_organisation(self.world.orgs["B"]) == []
        assert "No answer since" not in text_of(self.receiver.get(reverse("core:home")))


# --- 4. Emergency override ---------------------------------------------------------------


class OverrideTests(HavenTestCase):
    """The packet opens under an override exactly as it did before the second person was
    needed; who approves, and when, is pinned in test_emergency_sharing."""

    reason = "Threatened by the recruiter tonight"

    def setUp(self) -> None:
        self.referral = self.world.referrals["A"]
        self.worker = self.world.user("A", Role.CASE_WORKER)
        self.supervisor = self.world.user("A", Role.SUPERVISOR)
        self.receiver = self.client_for("B", Role.CASE_WORKER)
        # No consent left: only the override can share anything.
        actions.withdraw_consent(self.worker, self.world.consents["A"])

    def packet_page(self) -> str:
        response = self.receiver.get(url("referrals:packet", self.referral))
        assert response.status_code == 200
        return text_of(response)

    def request(self, **changes: Any) -> OverrideRequest:
        self.referral.refresh_from_db()
        arguments: dict[str, Any] = {
            # A's referral goes to B, law enforcement: only a threat to life opens it.
            "ground": OverrideGround.IMMINENT_THREAT_TO_LIFE,
            "reason": self.reason,
            "hours": 2,
            "categories": ["identity", "contact", "health"],
            "expected_version": self.referral.version,
            **changes,
        }
        return actions.request_override(self.worker, self.referral, **arguments)

    def override(self, **changes: Any) -> None:
        request = self.request(**changes)
        actions.decide_override(
            self.supervisor, request, approve=True, note="", expected_version=request.version
        )
        self.referral.refresh_from_db()

    def test_override_shares_without_consent_until_it_ends(self) -> None:
        assert NAME_A not in self.packet_page()
        client = self.client_for("A", Role.CASE_WORKER)
        response = client.post(
            url("referrals:override_request", self.referral),
            {
                "ground": OverrideGround.IMMINENT_THREAT_TO_LIFE,
                "reason": self.reason,
                "hours": 2,
                "categories": ["identity", "contact", "health"],
                "version": self.referral.version,
            },
        )
        assert response.status_code == 302
        assert NAME_A not in self.packet_page()  # asked, not yet approved
        request = OverrideRequest.objects.get(referral=self.referral)
        boss = self.client_for("A", Role.SUPERVISOR)
        response = boss.post(
            reverse("referrals:override_decide", args=[request.pk]),
            {"decision": "approve", "note": "", "version": request.version},
        )
        assert response.status_code == 302
        self.referral.refresh_from_db()
        assert self.referral.override_categories == ["identity", "contact", "health"]
        until = self.referral.override_until
        assert until is not None
        assert dt.timedelta(hours=1, minutes=59) < until - timezone.now() <= dt.timedelta(hours=2)
        page = self.packet_page()
        assert NAME_A in page
        assert str(DataCategory.HEALTH.label) in page
        assert CASE_NOTES not in page
        detail = text_of(client.get(url("referrals:detail", self.referral)))
        assert "Emergency sharing" in detail
        assert self.reason in detail

        rows = AuditEntry.objects.filter(
            action__in=(Action.OVERRIDE_REQUEST, Action.OVERRIDE_DECIDE, Action.REFERRAL_OVERRIDE),
            object_ref=self.referral.reference,
        )
        assert sorted(rows.values_list("action", flat=True)) == sorted(
            [Action.OVERRIDE_REQUEST, Action.OVERRIDE_DECIDE, Action.REFERRAL_OVERRIDE]
        )
        assert rows.get(action=Action.OVERRIDE_REQUEST).actor == self.worker
        assert rows.get(action=Action.REFERRAL_OVERRIDE).actor == self.supervisor
        for row in rows:
            assert self.reason not in json.dumps(row.changed_fields)
        for table, column, value in raw_rows():
            assert self.reason not in value, (table, column)
        # The case history tells the team (the approving supervisor excepted).
        told = Notification.objects.filter(
            user=self.worker, event__kind=EventKind.OVERRIDE, event__case=self.world.cases["A"]
        )
        assert told.count() == 1
        assert not Notification.objects.filter(
            user=self.supervisor, event__kind=EventKind.OVERRIDE
        ).exists()

        Referral.objects.filter(pk=self.referral.pk).update(
            override_until=timezone.now() - dt.timedelta(minutes=1)
        )
        self.referral.refresh_from_db()
        assert NAME_A not in self.packet_page()
        assert actions.visible_categories(self.referral, timezone.now()) == []

    def test_override_needs_a_reason_and_a_bounded_duration(self) -> None:
        limit = settings.HAVEN_OVERRIDE_MAX_HOURS
        before = counts()
        version = self.referral.version
        for changes in (
            {"reason": ""},
            {"reason": "   "},
            {"hours": 0},
            {"hours": -1},
            {"hours": limit + 1},
            {"categories": ["narrative", "legal", "screening"]},
            {"categories": []},
            {"ground": "because"},
        ):
            with pytest.raises(RefusedError) as refused:
                self.request(**changes)
            assert refused.value.message, changes
        assert counts() == before
        assert not OverrideRequest.objects.exists()
        self.referral.refresh_from_db()
        assert self.referral.version == version
        assert self.referral.override_until is None
        # Both ends of the range are allowed.
        self.override(hours=1)
        self.override(hours=limit)
        assert self.referral.override_until is not None

    def test_override_shares_only_identity_contact_and_health(self) -> None:
        with pytest.raises(RefusedError):
            self.request(categories=["identity", "narrative", "legal", "health"])
        self.override(categories=["identity", "health"])
        assert self.referral.override_categories == ["identity", "health"]
        shown = actions.visible_categories(self.referral, timezone.now())
        assert shown == ["identity", "health"]
        assert CASE_NOTES not in self.packet_page()

    def test_override_page_refuses_too_many_hours_with_a_message(self) -> None:
        limit = settings.HAVEN_OVERRIDE_MAX_HOURS
        client = self.client_for("A", Role.CASE_WORKER)
        response = client.post(
            url("referrals:override_request", self.referral),
            {
                "ground": OverrideGround.IMMINENT_THREAT_TO_LIFE,
                "reason": self.reason,
                "hours": limit + 1,
                "categories": ["identity"],
                "version": self.referral.version,
            },
        )
        assert response.status_code == 400
        assert f"from 1 to {limit} hours" in text_of(response)
        assert not OverrideRequest.objects.exists()
        self.referral.refresh_from_db()
        assert self.referral.override_until is None

    def test_override_is_refused_on_a_closed_referral_and_to_the_receiver(self) -> None:
        other = self.client_for("B", Role.SUPERVISOR)
        response = other.post(
            url("referrals:override_request", self.referral),
            {
                "ground": OverrideGround.IMMINENT_THREAT_TO_LIFE,
                "reason": self.reason,
                "hours": 2,
                "categories": ["identity"],
                "version": 1,
            },
        )
        assert response.status_code == 404
        actions.revoke(self.worker, self.referral, expected_version=self.referral.version)
        with pytest.raises(RefusedError):
            self.request()
        assert actions.visible_categories(self.referral, timezone.now()) == []


# --- 5. Cross-border ---------------------------------------------------------------------

IDENTS = {"kh-test": ("Cambodia test", "KH"), "th-test": ("Thailand test", "TH")}


class KeysMixin:
    """Key pairs saved to temporary files, one per test deployment."""

    keys: ClassVar[dict[str, exchange.KeyPair]]
    paths: ClassVar[dict[str, Path]]
    tmp: ClassVar[tempfile.TemporaryDirectory[str]]

    @classmethod
    def make_keys(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory()
        cls.keys, cls.paths = {}, {}
        extra = {"vn-test": ("Vietnam test", "VN"), "xx-test": ("Unknown", "")}
        for ident, (name, country) in {**IDENTS, **extra}.items():
            pair = exchange.KeyPair.generate(ident, name, country)
            path = Path(cls.tmp.name) / f"{ident}.json"
            pair.save(path)
            cls.keys[ident], cls.paths[ident] = pair, path


def refused_import(run: Any) -> str:
    """Run an import that must be refused: nothing stored but exactly one audit row,
    "exchange.refused". The refusal's message."""
    before = counts()
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    with pytest.raises(RefusedError) as refused:
        run()
    new_rows = list(AuditEntry.objects.filter(seq__gt=last).values_list("action", flat=True))
    assert new_rows == [Action.EXCHANGE_REFUSED], new_rows
    assert counts() == {**before, "audit": before["audit"] + 1}
    return refused.value.message


def flip_ciphertext_byte(data: bytes) -> bytes:
    envelope = json.loads(data)
    raw = bytearray(base64.b64decode(envelope["ciphertext"]))
    raw[len(raw) // 2] ^= 0x01
    envelope["ciphertext"] = base64.b64encode(bytes(raw)).decode("ascii")
    return json.dumps(envelope).encode("ascii")


class CrossBorderFixture(KeysMixin, HavenTestCase):
    """Two trusted deployments in one database, a consent naming th-test, and helpers to
    play either side. No tests of its own: tests/test_exchange_files.py reuses it."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.make_keys()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.tmp.cleanup()
        super().tearDownClass()

    def setUp(self) -> None:
        self.deployments: dict[str, Deployment] = {}
        for ident in IDENTS:
            identity = self.keys[ident].identity
            self.deployments[ident] = Deployment.objects.create(
                ident=ident,
                name=identity.name,
                country=identity.country,
                signing_key=identity.signing_key,
                encryption_key=identity.encryption_key,
            )
        self.sender = self.world.user("A", Role.CASE_WORKER)
        self.importer = self.world.user("B", Role.SUPERVISOR)
        # Across a border, only a consent naming the receiving deployment covers anything.
        self.consent = self.consent_to_thailand()

    def consent_to_thailand(self, **changes: Any) -> Consent:
        return actions.record_consent(
            self.sender,
            self.world.cases["A"],
            consent_data(
                self.world.services_listed["B"].provider,
                **{
                    "recipient_deployment_id": self.deployments["th-test"].pk,
                    "recipient_deployment_organisation": "",
                    **changes,
                },
            ),
        )

    @contextmanager
    def as_deployment(self, ident: str) -> Iterator[None]:
        """This database plays deployment `ident`: its key file, itself, the other trusted."""
        Deployment.objects.update(is_self=False)
        Deployment.objects.filter(ident=ident).update(is_self=True)
        with override_settings(HAVEN_EXCHANGE_KEY_FILE=self.paths[ident]):
            yield

    def send(self, categories: list[str] | None = None) -> Referral:
        return actions.send_referral(
            self.sender,
            self.world.cases["A"],
            self.world.services_listed["B"],
            purpose="assistance",
            reason="MigrationOrChangeOfLocation",
            details="Shelter on arrival",
            categories=["identity", "contact"] if categories is None else categories,
            channel=Channel.CROSS_BORDER,
            other_deployment="th-test",
        )

    def export(self, referral: Referral) -> bytes:
        with self.as_deployment("kh-test"):
            return crossborder.export_referral(self.sender, referral)

    def import_as(self, ident: str, data: bytes, actor: Any = None) -> Referral:
        with self.as_deployment(ident):
            return crossborder.import_file(actor or self.importer, data)

    def refused(self, ident: str, data: bytes, actor: Any = None) -> str:
        """Refused, nothing stored: one audit row saying a file was refused, and no other."""
        return refused_import(lambda: self.import_as(ident, data, actor))


class CrossBorderTests(CrossBorderFixture):
    def test_round_trip_referral_and_acknowledgement(self) -> None:
        outgoing = self.send()
        assert outgoing.recipient_organisation is None
        data = self.export(outgoing)
        assert isinstance(data, bytes)
        assert NAME_A.encode() not in data
        outgoing.refresh_from_db()
        assert outgoing.message_id

        incoming = self.import_as("th-test", data)
        assert incoming.direction == Direction.INCOMING
        assert incoming.recipient_organisation == self.world.orgs["B"]
        assert incoming.other_deployment == "kh-test"
        assert incoming.status == ReferralStatus.SENT
        assert incoming.categories == ["identity", "contact"]
        assert sections_of(incoming.packet) == ["identity", "contact"]
        assert CASE_NOTES not in json.dumps(incoming.packet, ensure_ascii=False)
        assert incoming.case is None
        page = text_of(self.client_for("B", Role.SUPERVISOR).get(url("referrals:packet", incoming)))
        assert NAME_A in page
        assert "Shelter on arrival" in page
        # The imported packet is encrypted at rest, like the rest of the person's data.
        for table, column, value in raw_rows():
            assert NAME_A not in value, (table, column)
        # Nobody in A sees the incoming referral.
        assert (
            self.client_for("A", Role.SUPERVISOR).get(url("referrals:packet", incoming)).status_code
            == 404
        )

        with pytest.raises(RefusedError):
            crossborder.export_ack(self.importer, incoming)  # not answered yet
        actions.respond(
            self.importer, incoming, accept=True, reason="", expected_version=incoming.version
        )
        with self.as_deployment("th-test"):
            ack = crossborder.export_ack(self.importer, incoming)
        assert isinstance(ack, bytes)

        updated = self.import_as("kh-test", ack, self.world.user("A", Role.SUPERVISOR))
        assert updated.pk == outgoing.pk
        outgoing.refresh_from_db()
        assert outgoing.status == ReferralStatus.ACCEPTED
        assert outgoing.responded_at is not None
        # The ack is a file too: a second import is a replay.
        message = self.refused("kh-test", ack, self.world.user("A", Role.SUPERVISOR))
        assert "already imported" in message

    def test_an_ack_for_another_organisation_is_refused_and_can_still_be_imported(self) -> None:
        outgoing = self.send()
        incoming = self.import_as("th-test", self.export(outgoing))
        actions.respond(
            self.importer, incoming, accept=False, reason="Full", expected_version=incoming.version
        )
        with self.as_deployment("th-test"):
            ack = crossborder.export_ack(self.importer, incoming)
        message = self.refused("kh-test", ack, self.world.user("B", Role.SUPERVISOR))
        assert "matches no referral" in message
        self.import_as("kh-test", ack, self.world.user("A", Role.SUPERVISOR))
        outgoing.refresh_from_db()
        assert outgoing.status == ReferralStatus.DECLINED
        assert outgoing.response_reason == "Full"

    def test_an_older_acknowledgement_never_undoes_a_later_one(self) -> None:
        # Files travel by hand and may arrive in any order: "accepted" imported after
        # "help given" must not move the referral back.
        outgoing = self.send()
        incoming = self.import_as("th-test", self.export(outgoing))
        actions.respond(
            self.importer, incoming, accept=True, reason="", expected_version=incoming.version
        )
        with self.as_deployment("th-test"):
            accepted = crossborder.export_ack(self.importer, incoming)
        actions.complete(
            self.importer, incoming, helped=True, outcome="", expected_version=incoming.version
        )
        with self.as_deployment("th-test"):
            completed = crossborder.export_ack(self.importer, incoming)
        sender_supervisor = self.world.user("A", Role.SUPERVISOR)
        self.import_as("kh-test", completed, sender_supervisor)
        outgoing.refresh_from_db()
        assert outgoing.status == ReferralStatus.COMPLETED
        with contextlib.suppress(RefusedError):
            self.import_as("kh-test", accepted, sender_supervisor)
        outgoing.refresh_from_db()
        assert outgoing.status == ReferralStatus.COMPLETED

    def test_the_export_follows_live_consent(self) -> None:
        outgoing = self.send()
        actions.withdraw_consent(self.sender, self.consent)
        incoming = self.import_as("th-test", self.export(outgoing))
        assert incoming.packet["sections"] == []
        assert NAME_A not in json.dumps(incoming.packet, ensure_ascii=False)

    def test_export_is_refused_for_other_channels_and_untrusted_receivers(self) -> None:
        with self.as_deployment("kh-test"), pytest.raises(RefusedError):
            crossborder.export_referral(self.sender, self.world.referrals["A"])
        outgoing = self.send()
        # The consent naming it protects the row from deletion: the deployment is no longer
        # trusted under that name.
        Deployment.objects.filter(ident="th-test").update(ident="th-gone")
        with self.as_deployment("kh-test"), pytest.raises(RefusedError) as refused:
            crossborder.export_referral(self.sender, outgoing)
        assert "trusted" in refused.value.message

    def test_a_tampered_file_is_refused(self) -> None:
        data = self.export(self.send())
        message = self.refused("th-test", flip_ciphertext_byte(data))
        assert "altered" in message

    def test_a_file_for_another_deployment_is_refused(self) -> None:
        data = self.export(self.send())
        # Still kh-test: the file is addressed to th-test.
        message = self.refused("kh-test", data, self.world.user("A", Role.SUPERVISOR))
        assert "addressed to another deployment (th-test)" in message
        vietnam = self.keys["vn-test"].identity
        _id, sealed = exchange.seal(self.keys["kh-test"], vietnam, "referral", {"packet": {}})
        message = self.refused("th-test", sealed)
        assert "addressed to another deployment (vn-test)" in message

    def test_a_file_from_an_untrusted_sender_is_refused(self) -> None:
        body = {"packet": {"sections": []}, "sender": "x"}
        thailand = self.keys["th-test"].identity
        _id, sealed = exchange.seal(self.keys["xx-test"], thailand, "referral", body)
        message = self.refused("th-test", sealed)
        assert "does not trust (xx-test)" in message

    def test_a_file_signed_by_an_impostor_is_refused(self) -> None:
        impostor = exchange.KeyPair.generate("kh-test", "Impostor", "KH")
        body = {"packet": {"sections": []}}
        _id, sealed = exchange.seal(impostor, self.keys["th-test"].identity, "referral", body)
        message = self.refused("th-test", sealed)
        assert "signature" in message

    def test_the_same_file_imported_twice_is_refused(self) -> None:
        data = self.export(self.send())
        self.import_as("th-test", data)
        message = self.refused("th-test", data)
        assert "already imported" in message

    def test_garbage_is_refused(self) -> None:
        for garbage in (
            b"\x00\xff\xfe garbage",
            b"",
            b"{}",
            b"[1, 2]",
            json.dumps({"format": "haven-exchange", "version": 99}).encode(),
            b" " * (exchange.MAX_FILE_BYTES + 1),
        ):
            message = self.refused("th-test", garbage)
            assert message, garbage[:20]

    def test_a_sealed_file_of_unknown_kind_is_refused(self) -> None:
        thailand = self.keys["th-test"].identity
        _id, sealed = exchange.seal(self.keys["kh-test"], thailand, "gossip", {"x": 1})
        message = self.refused("th-test", sealed)
        assert "not a Haven exchange file" in message

    def test_import_page_shows_the_refusal(self) -> None:
        client = self.client_for("B", Role.SUPERVISOR)
        data = flip_ciphertext_byte(self.export(self.send()))
        with self.as_deployment("th-test"):
            response = client.post(
                reverse("referrals:import"), {"file": io.BytesIO(data)}, format="multipart"
            )
        assert response.status_code == 400
        assert "altered" in text_of(response)


class TestExchangeFormat(KeysMixin):
    """The file format alone: no database."""

    @classmethod
    def setup_class(cls) -> None:
        cls.make_keys()

    @classmethod
    def teardown_class(cls) -> None:
        cls.tmp.cleanup()

    def trusted(self, *idents: str) -> dict[str, exchange.Identity]:
        return {i: self.keys[i].identity for i in idents}

    def seal(self, body: dict[str, Any] | None = None) -> tuple[str, bytes]:
        return exchange.seal(
            self.keys["kh-test"],
            self.keys["th-test"].identity,
            "referral",
            body or {"text": "សុខា", "n": 1},
        )

    def refused_code(self, data: bytes, trusted: tuple[str, ...] = ("kh-test",)) -> str:
        with pytest.raises(exchange.ExchangeError) as error:
            exchange.open_file(self.keys["th-test"], self.trusted(*trusted), data)
        return error.value.code

    def test_round_trip(self) -> None:
        message_id, data = self.seal()
        opened = exchange.open_file(self.keys["th-test"], self.trusted("kh-test"), data)
        assert opened == exchange.Opened("referral", message_id, "kh-test", {"text": "សុខា", "n": 1})
        assert "សុខា".encode() not in data
        # A fresh id each time.
        assert self.seal()[0] != message_id

    def test_keys_survive_save_and_load(self) -> None:
        loaded = exchange.KeyPair.load(self.paths["kh-test"])
        assert loaded.identity == self.keys["kh-test"].identity
        _id, data = exchange.seal(loaded, self.keys["th-test"].identity, "ack", {"a": 1})
        assert exchange.open_file(self.keys["th-test"], self.trusted("kh-test"), data).kind == "ack"
        assert self.paths["kh-test"].stat().st_mode & 0o077 == 0
        with pytest.raises(FileExistsError):
            self.keys["kh-test"].save(self.paths["kh-test"])

    def test_any_altered_ciphertext_byte_is_refused(self) -> None:
        _id, data = self.seal()
        envelope = json.loads(data)
        raw = base64.b64decode(envelope["ciphertext"])
        for position in (0, len(raw) // 3, len(raw) - 1):
            changed = bytearray(raw)
            changed[position] ^= 0x80
            envelope["ciphertext"] = base64.b64encode(bytes(changed)).decode()
            assert self.refused_code(json.dumps(envelope).encode()) == "tampered"

    def test_altered_nonce_or_ephemeral_key_is_refused(self) -> None:
        _id, data = self.seal()
        for field in ("nonce", "ephemeral"):
            envelope = json.loads(data)
            raw = bytearray(base64.b64decode(envelope[field]))
            raw[0] ^= 0x01
            envelope[field] = base64.b64encode(bytes(raw)).decode()
            assert self.refused_code(json.dumps(envelope).encode()) == "tampered", field

    def test_a_rewritten_header_is_refused(self) -> None:
        _id, data = self.seal()
        envelope = json.loads(data)
        # Claiming another trusted sender breaks the header bound into the ciphertext.
        code = self.refused_code(
            json.dumps({**envelope, "from": "vn-test"}).encode(), ("kh-test", "vn-test")
        )
        assert code == "tampered"
        assert self.refused_code(json.dumps({**envelope, "to": "vn-test"}).encode()) == (
            "wrong_recipient"
        )
        assert self.refused_code(json.dumps({**envelope, "version": 2}).encode()) == "version"

    def test_wrong_recipient_untrusted_sender_and_garbage(self) -> None:
        _id, data = exchange.seal(
            self.keys["kh-test"], self.keys["vn-test"].identity, "referral", {}
        )
        assert self.refused_code(data) == "wrong_recipient"
        _id, data = self.seal()
        assert self.refused_code(data, trusted=("vn-test",)) == "unknown_sender"
        assert self.refused_code(b"\x89PNG\r\n") == "malformed"
        assert self.refused_code(b"null") == "malformed"
        assert self.refused_code(b"x" * (exchange.MAX_FILE_BYTES + 1)) == "too_large"

    def test_a_same_named_deployment_with_other_keys_cannot_open_or_forge(self) -> None:
        _id, data = self.seal()
        twin = exchange.KeyPair.generate("th-test", "Twin", "TH")
        with pytest.raises(exchange.ExchangeError) as error:
            exchange.open_file(twin, self.trusted("kh-test"), data)
        assert error.value.code == "tampered"
        forger = exchange.KeyPair.generate("kh-test", "Forger", "KH")
        _id, forged = exchange.seal(forger, self.keys["th-test"].identity, "referral", {})
        assert self.refused_code(forged) == "bad_signature"

    def test_identity_files(self) -> None:
        identity = self.keys["kh-test"].identity
        assert exchange.Identity.from_json(identity.to_json()) == identity
        for bad in (
            None,
            [],
            {"format": "something else"},
            {**identity.to_json(), "signing_key": "c2hvcnQ="},
            {k: v for k, v in identity.to_json().items() if k != "encryption_key"},
            {**identity.to_json(), "encryption_key": "not base64!"},
        ):
            with pytest.raises(exchange.ExchangeError):
                exchange.Identity.from_json(bad)


# --- 6. Letters ---------------------------------------------------------------------------


def pdf_fonts(reader: PdfReader) -> set[str]:
    names: set[str] = set()

    def walk(resources: Any) -> None:
        if not resources:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            names.add(str(font.get_object().get("/BaseFont", "")))
        for xobject in (resources.get("/XObject") or {}).values():
            walk(xobject.get_object().get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return names


KHMER = re.compile("[\u1780-\u17ff]")


class LetterTests(HavenTestCase):
    def setUp(self) -> None:
        person = self.world.people["A"]
        person.full_name = KHMER_NAME
        person.save()
        self.sender = self.world.user("A", Role.CASE_WORKER)
        self.client = self.client_for("A", Role.CASE_WORKER)

    def send(self, channel: str) -> Referral:
        return actions.send_referral(
            self.sender,
            self.world.cases["A"],
            self.world.services_listed["B"],
            purpose="assistance",
            reason="AdditionalServicesRequired",
            details="Fixture request",
            categories=["identity", "contact"],
            channel=channel,
        )

    def letter(self, referral: Referral, **query: str) -> bytes:
        response = self.client.get(url("referrals:letter", referral, **query))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        return response.content

    def test_khmer_letter_uses_a_khmer_font_and_only_consented_sections(self) -> None:
        referral = self.send(Channel.LETTER)
        pdf = self.letter(referral, lang="km")
        assert pdf.startswith(b"%PDF")
        reader = PdfReader(io.BytesIO(pdf))
        assert not reader.is_encrypted
        fonts = {f.replace("-", "") for f in pdf_fonts(reader)}
        assert any("NotoSansKhmer" in f or "NotoSerifKhmer" in f for f in fonts), fonts
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert KHMER.search(text), text[:500]
        assert "Fixture request" in text
        assert CASE_NOTES not in text
        assert referral.reference in text
        # The look is audited like any other.
        assert AuditEntry.objects.filter(
            action=Action.REFERRAL_VIEW, object_ref=referral.reference
        ).exists()

    def test_letter_follows_consent_and_receivers_cannot_fetch_it(self) -> None:
        referral = self.send(Channel.LETTER)
        actions.withdraw_consent(self.sender, self.world.consents["A"])
        reader = PdfReader(io.BytesIO(self.letter(referral, lang="en")))
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert not KHMER.search(text)
        assert "consented to share no personal information" in text
        other = self.client_for("B", Role.CASE_WORKER)
        assert other.get(url("referrals:letter", referral)).status_code == 404

    def test_a_referral_inside_haven_has_no_letter(self) -> None:
        referral = self.world.referrals["A"]
        response = self.client.get(url("referrals:letter", referral))
        assert response.status_code == 302
        assert response["Location"] == url("referrals:detail", referral)

    def test_encrypted_file_opens_only_with_its_password(self) -> None:
        referral = self.send(Channel.ENCRYPTED_FILE)
        pdf = self.letter(referral)
        referral.refresh_from_db()
        password = referral.file_password
        assert re.fullmatch(r"[2-9a-z]{4}-[2-9a-z]{4}-[2-9a-z]{4}", password)
        locked = PdfReader(io.BytesIO(pdf))
        assert locked.is_encrypted
        with pytest.raises(FileNotDecryptedError):
            locked.pages[0].extract_text()
        assert PdfReader(io.BytesIO(pdf)).decrypt("wrong-pass-word") == 0
        opened = PdfReader(io.BytesIO(pdf))
        assert opened.decrypt(password) != 0
        text = "\n".join(page.extract_text() for page in opened.pages)
        assert "Fixture request" in text
        # The same password next time, shown to the sender, never stored in clear.
        again = PdfReader(io.BytesIO(self.letter(referral)))
        assert again.decrypt(password) != 0
        referral.refresh_from_db()
        assert referral.file_password == password
        assert password in text_of(self.client.get(url("referrals:detail", referral)))
        for table, column, value in raw_rows():
            assert password not in value, (table, column)


# --- 7. Flows -----------------------------------------------------------------------------


class FlowsPageTests(HavenTestCase):
    def test_flows_show_counts_and_never_a_reference_or_name(self) -> None:
        w = self.world
        actions.respond(
            w.user("B", Role.CASE_WORKER),
            w.referrals["A"],
            accept=True,
            reason="",
            expected_version=w.referrals["A"].version,
        )
        response = self.client_for("A", Role.COORDINATOR).get(reverse("referrals:flows"))
        assert response.status_code == 200
        page = text_of(response)
        # Two referrals: below the statistics threshold, so hidden like every small count.
        assert not re.search(r"<dd>\s*2\s*</dd>", page), "a small total is never shown"
        assert "hidden" in page
        assert "Accepted" in page
        forbidden = [r.reference for r in w.referrals.values()]
        forbidden += [c.reference for c in w.cases.values()]
        forbidden += [p.reference for p in w.people.values()]
        forbidden += [p.full_name for p in w.people.values()]
        for secret in forbidden:
            assert secret not in page, secret
        for role in (Role.CASE_WORKER, Role.SUPERVISOR, Role.ANALYST):
            answer = self.client_for("A", role).get(reverse("referrals:flows"))
            assert answer.status_code == 403, role


# --- 8. `haven exchange` ------------------------------------------------------------------


class ExchangeCommandTests(HavenTestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.path = Path(self.tmp.name) / "keys" / "exchange.json"

    def run_command(self, *args: str) -> str:
        out = io.StringIO()
        with override_settings(HAVEN_EXCHANGE_KEY_FILE=self.path):
            call_command("exchange", *args, stdout=out)
        return out.getvalue()

    def test_init_identity_trust_peers(self) -> None:
        with pytest.raises(CommandError):
            self.run_command("identity")
        self.run_command("init", "--id", "kh-test", "--name", "Cambodia test", "--country", "KH")
        assert self.path.exists()
        assert self.path.stat().st_mode & 0o077 == 0
        me = Deployment.objects.get(ident="kh-test")
        assert me.is_self
        saved = self.path.read_bytes()
        with pytest.raises(CommandError, match="never overwritten"):
            self.run_command("init", "--id", "other", "--name", "Other")
        assert self.path.read_bytes() == saved
        assert not Deployment.objects.filter(ident="other").exists()

        published = json.loads(self.run_command("identity"))
        assert published["id"] == "kh-test"
        assert published["signing_key"] == me.signing_key
        assert not any("private" in key for key in published)

        peer = exchange.KeyPair.generate("th-test", "Thailand test", "TH")
        peer_file = Path(self.tmp.name) / "th.json"
        peer_file.write_text(json.dumps(peer.identity.to_json()), encoding="utf-8")
        assert "Trusting th-test" in self.run_command("trust", str(peer_file))
        trusted = Deployment.objects.get(ident="th-test")
        assert not trusted.is_self
        assert trusted.encryption_key == peer.identity.encryption_key

        own_file = Path(self.tmp.name) / "own.json"
        own_file.write_text(json.dumps(published), encoding="utf-8")
        with pytest.raises(CommandError):
            self.run_command("trust", str(own_file))
        assert Deployment.objects.get(ident="kh-test").is_self

        peers = self.run_command("peers")
        assert "kh-test\tKH\tCambodia test (this deployment)" in peers
        assert "th-test\tTH\tThailand test" in peers

    def test_trust_refuses_bytes_that_are_not_text(self) -> None:
        garbage = Path(self.tmp.name) / "garbage.bin"
        garbage.write_bytes(b"\x00\xff\xfe not json at all")
        with pytest.raises(CommandError, match="Not a Haven identity file"):
            self.run_command("trust", str(garbage))
        assert not Deployment.objects.exists()

    def test_trust_refuses_garbage(self) -> None:
        before = Deployment.objects.count()
        garbage = Path(self.tmp.name) / "garbage.json"
        for content in (b"not json", b"{}", b'{"format": "haven-identity"}', b"[]", b"null"):
            garbage.write_bytes(content)
            with pytest.raises(CommandError):
                self.run_command("trust", str(garbage))
        with pytest.raises(CommandError):
            self.run_command("trust", str(Path(self.tmp.name) / "missing.json"))
        assert Deployment.objects.count() == before


class HtcdsFieldTests(HavenTestCase):
    def test_outgoing_and_incoming_referral_fields_follow_htcds(self) -> None:
        referral = self.world.referrals["A"]
        fields = referral.htcds_fields()
        self.assertEqual(fields["cas_ReferredOrganisation"], "Fixture shelter B")
        self.assertEqual(fields["cas_ReasonForOutgoingReferral"], "AdditionalServicesRequired")
        self.assertEqual(fields["cas_OutgoingReferralDate"], referral.sent_at.date().isoformat())
        referral.direction = "incoming"
        referral.sender_name = "Partner deployment"
        incoming = referral.htcds_fields()
        self.assertEqual(incoming["cas_ReferringOrganisation"], "Partner deployment")
        self.assertEqual(incoming["cas_ReasonForIncomingReferral"], "AdditionalServicesRequired")


class PreviewAuditTests(HavenTestCase):
    def test_a_preview_showing_identity_is_an_audited_read_of_identity(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        case = self.world.cases["A"]
        form = {
            "service": str(self.world.services_listed["B"].pk),
            "purpose": "assistance",
            "reason": "Other",
            "details": "",
            "channel": "haven",
            "preview": "",
        }
        views = AuditEntry.objects.filter(action=Action.PERSON_VIEW_IDENTITY)
        before = views.count()
        url = reverse("referrals:new", kwargs={"reference": case.reference})
        client.post(url, {**form, "categories": ["health"]})  # nothing consented: no identity
        assert views.count() == before
        client.post(url, {**form, "categories": ["identity"]})
        assert views.count() == before + 1
        assert views.latest("seq").object_ref == case.person.reference
