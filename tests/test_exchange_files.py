"""Cross-border exchange files as reworked: one message id per referral with versions, a
consent that must name the receiving deployment, strict validation of every signed body,
withdrawal notices, the recipient organisation, codes that travel as codes, and a table of
attacks against the import.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone, translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from haven.accounts.roles import Capability, Role, can
from haven.audit.models import Action, AuditEntry
from haven.cases.models import NoticeKind, Notification
from haven.core.errors import RefusedError
from haven.referrals import actions, crossborder, exchange
from haven.referrals import packet as packets
from haven.referrals.models import (
    Channel,
    Deployment,
    Direction,
    ExchangeReceipt,
    Referral,
    ReferralStatus,
)
from tests.personas import HavenTestCase, consent_data
from tests.test_referrals import (
    IDENTS,
    NAME_A,
    CrossBorderFixture,
    KeysMixin,
    counts,
    flip_ciphertext_byte,
    refused_import,
    sections_of,
    text_of,
    url,
)

DAMAGED = "This is not a Haven exchange file, or it is damaged."
THAI_WOMAN = "ผู้หญิงหรือเด็กหญิง"  # Gender.FEMININE in the Thai catalogue
ARTIFACTS = Path(settings.BASE_DIR).parent / "test-artifacts"


def opened_body(keys: dict[str, exchange.KeyPair], data: bytes) -> exchange.Opened:
    """What th-test reads in a file kh-test made for it (no database)."""
    return exchange.open_file(keys["th-test"], {"kh-test": keys["kh-test"].identity}, data)


def malformed_bodies(valid: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Bodies a trusted sender might sign by bug or by malice: each must be refused whole.
    `valid` is a real referral body carrying the identity and contact sections."""

    def changed(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        body = copy.deepcopy(valid)
        edit(body)
        return body

    def packet(**values: Any) -> Callable[[dict[str, Any]], None]:
        return lambda body: body["packet"].update(values)

    def first_section(**values: Any) -> Callable[[dict[str, Any]], None]:
        return lambda body: body["packet"]["sections"][0].update(values)

    return {
        "sections are not objects": changed(packet(sections=["identity", "contact"])),
        "rows are not a list": changed(first_section(rows="full_name: Somebody")),
        "a row is not a list": changed(first_section(rows=["full_name"])),
        "a row's parts are not a list": changed(first_section(rows=[["full_name", "Somebody"]])),
        "a section beyond 'consented'": changed(packet(consented=["contact"])),
        "an unknown category": changed(
            lambda body: body["packet"].update(
                consented=[*body["packet"]["consented"], "biometrics"],
                sections=[
                    *body["packet"]["sections"],
                    {"category": "biometrics", "rows": [["fingerprint", ["x"]]]},
                ],
            )
        ),
        "an extra field in the body": changed(lambda body: body.update(extra=1)),
        "an extra field in the packet": changed(packet(extra="x")),
        "50,000-character details": changed(packet(details="x" * 50_000)),
        "version 0": changed(lambda body: body.update(version=0)),
        "a bool where an int is expected": changed(lambda body: body.update(version=True)),
        "a string where an int is expected": changed(lambda body: body.update(version="2")),
    }


class ExchangeFixture(CrossBorderFixture):
    def setUp(self) -> None:
        super().setUp()
        # A page asked for in Thai leaves Thai active in this thread: messages are compared
        # in English.
        translation.activate(settings.LANGUAGE_CODE)
        self.addCleanup(translation.activate, settings.LANGUAGE_CODE)

    def seal(self, body: Any, kind: str = "referral", message_id: str = "") -> bytes:
        """A file validly signed by the trusted kh-test for th-test."""
        return exchange.seal(
            self.keys["kh-test"], self.keys["th-test"].identity, kind, body, message_id
        )[1]

    def valid_body(self) -> tuple[Referral, dict[str, Any]]:
        outgoing = self.send()
        return outgoing, opened_body(self.keys, self.export(outgoing)).body

    def ack(self, incoming: Referral) -> bytes:
        actions.respond(
            self.importer, incoming, accept=True, reason="", expected_version=incoming.version
        )
        with self.as_deployment("th-test"):
            return crossborder.export_ack(self.importer, incoming)


# --- a. One message id, versions --------------------------------------------------------


class VersionTests(ExchangeFixture):
    def test_exporting_twice_unchanged_gives_the_same_id_and_version(self) -> None:
        outgoing = self.send()
        first = self.export(outgoing)
        outgoing.refresh_from_db()
        message_id, version = outgoing.message_id, outgoing.file_version
        assert version == 1
        second = self.export(outgoing)
        outgoing.refresh_from_db()
        assert (outgoing.message_id, outgoing.file_version) == (message_id, 1)
        for data in (first, second):
            opened = opened_body(self.keys, data)
            assert opened.message_id == message_id
            assert opened.body["version"] == 1
        incoming = self.import_as("th-test", first)
        assert incoming.message_id == message_id
        assert incoming.file_version == 1
        assert "already imported" in self.refused("th-test", second)
        # The ack answers the referral whichever version was imported.
        self.import_as("kh-test", self.ack(incoming), self.world.user("A", Role.SUPERVISOR))
        outgoing.refresh_from_db()
        assert outgoing.status == ReferralStatus.ACCEPTED

    def narrowed(self) -> tuple[Referral, bytes, bytes]:
        """Version 1 under two consents naming th-test, version 2 once the wider one was
        withdrawn."""
        narrow = self.consent_to_thailand(categories=["identity"])
        assert narrow.recipient_deployment_id == self.deployments["th-test"].pk
        outgoing = self.send()
        first = self.export(outgoing)
        actions.withdraw_consent(self.sender, self.consent)
        second = self.export(outgoing)
        return outgoing, first, second

    def test_a_narrowed_consent_makes_version_2_which_replaces_the_packet(self) -> None:
        outgoing, first, second = self.narrowed()
        outgoing.refresh_from_db()
        assert outgoing.file_version == 2
        assert opened_body(self.keys, first).message_id == outgoing.message_id
        assert opened_body(self.keys, second).message_id == outgoing.message_id
        assert opened_body(self.keys, second).body["version"] == 2

        incoming = self.import_as("th-test", first)
        assert sections_of(incoming.packet) == ["identity", "contact"]
        told = Notification.objects.filter(referral=incoming, kind=NoticeKind.CONSENT_WITHDRAWN)
        assert not told.exists()
        before = Referral.objects.count()
        replaced = self.import_as("th-test", second)
        assert replaced.pk == incoming.pk
        assert Referral.objects.count() == before
        replaced.refresh_from_db()
        assert replaced.file_version == 2
        assert replaced.categories == ["identity"]
        assert sections_of(replaced.packet) == ["identity"]
        assert "phone" not in json.dumps(replaced.packet)
        assert told.exists()  # fewer categories: the receivers are told
        assert (
            ExchangeReceipt.objects.filter(
                message_id__in=[f"{outgoing.message_id}/1", f"{outgoing.message_id}/2"]
            ).count()
            == 2
        )
        assert "already imported" in self.refused("th-test", second)

        self.import_as("kh-test", self.ack(replaced), self.world.user("A", Role.SUPERVISOR))
        outgoing.refresh_from_db()
        assert outgoing.status == ReferralStatus.ACCEPTED

    def test_an_older_version_after_a_newer_one_is_refused(self) -> None:
        _outgoing, first, second = self.narrowed()
        incoming = self.import_as("th-test", second)
        assert sections_of(incoming.packet) == ["identity"]
        assert "older" in self.refused("th-test", first)
        incoming.refresh_from_db()
        assert sections_of(incoming.packet) == ["identity"]
        assert incoming.file_version == 2


# --- b. A consent names the deployment -----------------------------------------------------


class DeploymentConsentTests(ExchangeFixture):
    def test_no_cross_border_referral_without_a_consent_naming_that_deployment(self) -> None:
        actions.withdraw_consent(self.sender, self.consent)
        # The consent to B's provider inside Haven is live, yet covers nothing across.
        assert self.world.consents["A"].withdrawn_at is None
        before = counts()
        with pytest.raises(RefusedError) as refused:
            self.send(["identity"])
        assert "not consented" in refused.value.message
        assert counts() == before
        # A consent naming another deployment does not cover th-test either.
        vietnam = self.keys["vn-test"].identity
        other = Deployment.objects.create(
            ident="vn-test",
            name=vietnam.name,
            country=vietnam.country,
            signing_key=vietnam.signing_key,
            encryption_key=vietnam.encryption_key,
        )
        actions.record_consent(
            self.sender,
            self.world.cases["A"],
            consent_data(
                self.world.services_listed["B"].provider,
                recipient_deployment_id=other.pk,
                recipient_deployment_organisation="",
            ),
        )
        before = counts()
        with pytest.raises(RefusedError):
            self.send(["identity"])
        assert counts() == before

    def test_a_consent_naming_a_deployment_lets_nothing_go_inside_haven(self) -> None:
        actions.withdraw_consent(self.sender, self.world.consents["A"])
        assert self.consent.is_live_today
        case, service = self.world.cases["A"], self.world.services_listed["B"]
        today = timezone.localdate()
        assert actions.allowed_categories(case, service.provider, "assistance", today) == []
        assert actions.allowed_categories(
            case, service.provider, "assistance", today, "th-test"
        ) == ["identity", "contact"]
        before = counts()
        with pytest.raises(RefusedError):
            actions.send_referral(
                self.sender,
                case,
                service,
                purpose="assistance",
                reason="Other",
                details="",
                categories=["identity"],
                channel=Channel.HAVEN,
            )
        assert counts() == before
        # The referral already sent inside Haven shows the receiver nothing now.
        receiver = self.world.user("B", Role.CASE_WORKER)
        assert sections_of(actions.packet_for(receiver, self.world.referrals["A"])) == []

    def test_record_consent_checks_the_deployment_and_its_organisation(self) -> None:
        provider = self.world.services_listed["B"].provider
        th = self.deployments["th-test"]
        before = counts()
        for changes in (
            {"recipient_deployment_id": 999_999, "recipient_deployment_organisation": ""},
            {"recipient_deployment_id": th.pk, "recipient_deployment_organisation": "42"},
            {"recipient_deployment_id": None, "recipient_deployment_organisation": "42"},
        ):
            with pytest.raises(RefusedError):
                actions.record_consent(
                    self.sender, self.world.cases["A"], consent_data(provider, **changes)
                )
        assert counts() == before


# --- c. Strict validation of signed bodies -----------------------------------------------


class StrictValidationTests(ExchangeFixture):
    def test_malformed_but_validly_signed_bodies_are_refused_whole(self) -> None:
        _outgoing, valid = self.valid_body()
        # The valid body itself goes through (proof the edits below are what is refused).
        sealed = self.seal(valid)
        for name, body in malformed_bodies(valid).items():
            message = refused_import(lambda body=body: self.import_as("th-test", self.seal(body)))
            assert message == DAMAGED, name
        assert self.import_as("th-test", sealed).direction == Direction.INCOMING

    def test_malformed_acks_and_withdrawals_are_refused(self) -> None:
        outgoing, _valid = self.valid_body()
        mid = outgoing.message_id
        now = timezone.now().isoformat()
        for kind, body in (
            ("ack", {"in_reply_to": mid, "status": "revoked", "reason": "", "at": now}),
            ("ack", {"in_reply_to": mid, "status": "accepted", "reason": "", "at": "yesterday"}),
            ("ack", {"in_reply_to": "../etc", "status": "accepted", "reason": "", "at": now}),
            ("ack", {"in_reply_to": mid, "status": "accepted", "at": now, "x": 1}),
            ("withdrawal", {"in_reply_to": mid, "why": "bored", "at": now}),
            ("withdrawal", {"in_reply_to": mid, "why": "revoked", "at": 5}),
            ("gossip", {"in_reply_to": mid}),
        ):
            message = refused_import(
                lambda kind=kind, body=body: self.import_as("th-test", self.seal(body, kind))
            )
            assert message == DAMAGED, (kind, body)

    def test_an_organisation_id_of_unicode_digits_is_refused_not_a_crash(self) -> None:
        # "²".isdigit() is True but int("²") raises ValueError (crossborder._filed_under).
        _outgoing, valid = self.valid_body()
        body = {**valid, "recipient_organisation": {"id": "²", "name": "x"}}
        refused_import(lambda: self.import_as("th-test", self.seal(body)))


# --- d. Properties: whatever a trusted sender signs -------------------------------------


@contextmanager
def playing(paths: dict[str, Path], ident: str) -> Iterator[None]:
    Deployment.objects.update(is_self=False)
    Deployment.objects.filter(ident=ident).update(is_self=True)
    with override_settings(HAVEN_EXCHANGE_KEY_FILE=paths[ident]):
        yield


leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
KEYS = st.sampled_from(
    [
        "packet",
        "version",
        "recipient_organisation",
        "language",
        "in_reply_to",
        "status",
        "reason",
        "at",
        "why",
        "sections",
        "consented",
        "category",
        "rows",
        "id",
        "name",
    ]
) | st.text(max_size=10)
json_values = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(KEYS, children, max_size=6),
    max_leaves=40,
)
bodies = st.dictionaries(KEYS, json_values, max_size=8) | json_values
KINDS = st.sampled_from(["referral", "ack", "withdrawal"])

PROPERTY = hypothesis_settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def leaf_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict) and value:
        return [p for k, v in value.items() for p in leaf_paths(v, (*path, k))]
    if isinstance(value, list) and value:
        return [p for i, v in enumerate(value) for p in leaf_paths(v, (*path, i))]
    return [path]


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copied = copy.copy(value)
    copied[path[0]] = replaced(value[path[0]], path[1:], new)
    return copied


class ExchangePropertyTests(HypothesisTestCase, KeysMixin, HavenTestCase):
    """Everything is made once per class: Hypothesis runs each example in its own
    transaction, but not setUp."""

    valid: ClassVar[dict[str, dict[str, Any]]]

    @classmethod
    def setUpClass(cls) -> None:
        cls.make_keys()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        cls.tmp.cleanup()

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        deployments = {}
        for ident in IDENTS:
            identity = cls.keys[ident].identity
            deployments[ident] = Deployment.objects.create(
                ident=ident,
                name=identity.name,
                country=identity.country,
                signing_key=identity.signing_key,
                encryption_key=identity.encryption_key,
                organisations=[{"id": str(w.orgs["B"].pk), "name": w.orgs["B"].name}],
            )
        sender = w.user("A", Role.CASE_WORKER)
        actions.record_consent(
            sender,
            w.cases["A"],
            consent_data(
                w.services_listed["B"].provider,
                recipient_deployment_id=deployments["th-test"].pk,
                recipient_deployment_organisation=str(w.orgs["B"].pk),
            ),
        )
        outgoing = actions.send_referral(
            sender,
            w.cases["A"],
            w.services_listed["B"],
            purpose="assistance",
            reason="Other",
            details="Fixture",
            categories=["identity", "contact"],
            channel=Channel.CROSS_BORDER,
            other_deployment="th-test",
        )
        with playing(cls.paths, "kh-test"):
            data = crossborder.export_referral(sender, outgoing)
        with playing(cls.paths, "th-test"):
            crossborder.import_file(w.user("B", Role.SUPERVISOR), data)
        outgoing.refresh_from_db()
        now = timezone.now().isoformat()
        cls.valid = {
            "referral": opened_body(cls.keys, data).body,
            "ack": {
                "in_reply_to": outgoing.message_id,
                "status": "accepted",
                "reason": "",
                "at": now,
            },
            "withdrawal": {"in_reply_to": outgoing.message_id, "why": "revoked", "at": now},
        }

    def attempt(self, kind: str, body: Any) -> None:
        """Sealed validly, imported on the side it is for: a Referral, or RefusedError and
        nothing stored. Anything else fails the test."""
        w = self.world
        sender, receiver, importer = (
            ("th-test", "kh-test", w.user("A", Role.SUPERVISOR))
            if kind == "ack"
            else ("kh-test", "th-test", w.user("B", Role.SUPERVISOR))
        )
        _id, data = exchange.seal(self.keys[sender], self.keys[receiver].identity, kind, body)
        before = (Referral.objects.count(), ExchangeReceipt.objects.count())
        with playing(self.paths, receiver):
            try:
                result = crossborder.import_file(importer, data)
            except RefusedError:
                assert (Referral.objects.count(), ExchangeReceipt.objects.count()) == before
                return
        assert isinstance(result, Referral)

    @PROPERTY
    @given(kind=KINDS, body=bodies)
    def test_any_signed_json_is_imported_or_refused(self, kind: str, body: Any) -> None:
        self.attempt(kind, body)

    @PROPERTY
    @given(kind=KINDS, data=st.data())
    def test_a_valid_body_with_one_leaf_changed_is_imported_or_refused(
        self, kind: str, data: st.DataObject
    ) -> None:
        body = self.valid[kind]
        path = data.draw(st.sampled_from(leaf_paths(body)), label="path")
        new = data.draw(leaves, label="new leaf")
        self.attempt(kind, replaced(body, path, new))


# --- e. Withdrawal notices -------------------------------------------------------------


class WithdrawalNoticeTests(ExchangeFixture):
    def sent_and_imported(self) -> tuple[Referral, Referral]:
        outgoing = self.send()
        incoming = self.import_as("th-test", self.export(outgoing))
        outgoing.refresh_from_db()
        assert NAME_A in json.dumps(incoming.packet, ensure_ascii=False)
        with self.as_deployment("kh-test"), pytest.raises(RefusedError) as refused:
            crossborder.export_withdrawal(self.sender, outgoing)
        assert "Nothing to withdraw" in refused.value.message
        return outgoing, incoming

    def sender_page(self, outgoing: Referral) -> str:
        response = self.client_for("A", Role.CASE_WORKER).get(url("referrals:detail", outgoing))
        assert response.status_code == 200
        return text_of(response)

    def notice_applies(self, outgoing: Referral, incoming: Referral, why: str) -> None:
        page = self.sender_page(outgoing)
        assert "Withdrawn in Haven; the copy sent to Thailand test on" in page
        assert "cannot be recalled" in page
        assert url("referrals:withdrawal_notice", outgoing) in page
        assert crossborder.withdrawal_due(outgoing) == why
        with self.as_deployment("kh-test"):
            notice = crossborder.export_withdrawal(self.sender, outgoing)
        status = incoming.status
        self.import_as("th-test", notice)
        incoming.refresh_from_db()
        assert incoming.withdrawal_noticed_at is not None
        assert incoming.withdrawal_why == why
        assert incoming.status == status
        assert incoming.packet["sections"] == []
        assert incoming.categories == []
        assert NAME_A not in json.dumps(incoming.packet, ensure_ascii=False)
        response = self.client_for("B", Role.SUPERVISOR).get(url("referrals:packet", incoming))
        assert response.status_code == 200
        page = text_of(response)
        assert NAME_A not in page
        assert "From another Haven deployment: Cambodia test (KH)." in page
        expected = (
            "The sender revoked this referral" if why == "revoked" else "withdrew their consent"
        )
        assert expected in page
        assert incoming.get_status_display() in page

    def test_after_revoke(self) -> None:
        outgoing, incoming = self.sent_and_imported()
        assert "Withdrawn in Haven" not in self.sender_page(outgoing)
        assert url("referrals:withdrawal_notice", outgoing) not in self.sender_page(outgoing)
        actions.revoke(self.sender, outgoing, expected_version=outgoing.version)
        outgoing.refresh_from_db()
        self.notice_applies(outgoing, incoming, "revoked")
        # A revoked referral is not exported again; a later version made anyway is refused.
        with self.as_deployment("kh-test"), pytest.raises(RefusedError):
            crossborder.export_referral(self.sender, outgoing)
        body = opened_body(self.keys, self.export_unchecked(outgoing)).body
        later = self.seal({**body, "version": 2}, message_id=outgoing.message_id)
        assert "withdrew this referral" in self.refused("th-test", later)
        incoming.refresh_from_db()
        assert incoming.packet["sections"] == []

    def export_unchecked(self, outgoing: Referral) -> bytes:
        """A file as the sender would have made it before the revoke (its packet, now)."""
        built = packets.for_referral(outgoing, ["identity", "contact"], timezone.localdate())
        built["consented"] = ["identity", "contact"]
        return self.seal({"packet": built, "version": 1, "language": "en"})

    def test_after_the_only_consent_is_withdrawn(self) -> None:
        outgoing, incoming = self.sent_and_imported()
        actions.withdraw_consent(self.sender, self.consent)
        outgoing.refresh_from_db()
        self.notice_applies(outgoing, incoming, "consent_withdrawn")
        later = self.export(outgoing)
        outgoing.refresh_from_db()
        assert outgoing.file_version == 2
        assert "withdrew this referral" in self.refused("th-test", later)

    def test_a_notice_for_no_referral_here_is_refused(self) -> None:
        outgoing = self.send()
        self.export(outgoing)
        actions.revoke(self.sender, outgoing, expected_version=outgoing.version)
        outgoing.refresh_from_db()
        with self.as_deployment("kh-test"):
            notice = crossborder.export_withdrawal(self.sender, outgoing)
        assert "matches no referral" in self.refused("th-test", notice)


# --- f. The recipient organisation ----------------------------------------------------------


class RecipientOrganisationTests(ExchangeFixture):
    def setUp(self) -> None:
        super().setUp()
        org_b = self.world.orgs["B"]
        Deployment.objects.filter(ident="th-test").update(
            organisations=[{"id": str(org_b.pk), "name": org_b.name}]
        )
        self.importer_a = self.world.user("A", Role.SUPERVISOR)
        assert can(self.importer_a, Capability.REFERRAL_EXCHANGE)

    def test_the_named_organisation_gets_the_referral(self) -> None:
        org_b = self.world.orgs["B"]
        self.consent_to_thailand(recipient_deployment_organisation=str(org_b.pk))
        data = self.export(self.send())
        body = opened_body(self.keys, data).body
        assert body["recipient_organisation"] == {"id": str(org_b.pk), "name": org_b.name}
        incoming = self.import_as("th-test", data, self.importer_a)
        assert incoming.recipient_organisation == org_b
        response = self.client_for("B", Role.SUPERVISOR).get(url("referrals:packet", incoming))
        assert response.status_code == 200
        assert NAME_A in text_of(response)
        assert (
            self.client_for("A", Role.SUPERVISOR).get(url("referrals:packet", incoming)).status_code
            == 404
        )

    def test_without_a_named_organisation_the_importers_gets_it(self) -> None:
        data = self.export(self.send())
        assert opened_body(self.keys, data).body["recipient_organisation"] is None
        incoming = self.import_as("th-test", data, self.importer_a)
        assert incoming.recipient_organisation == self.world.orgs["A"]

    def test_an_organisation_the_receiver_lacks_falls_back_to_the_importers(self) -> None:
        _outgoing, valid = ExchangeFixture.valid_body(self)
        body = {**valid, "recipient_organisation": {"id": "987654", "name": "Gone"}}
        incoming = self.import_as("th-test", self.seal(body), self.importer_a)
        assert incoming.recipient_organisation == self.world.orgs["A"]


# --- g. Codes travel as codes -----------------------------------------------------------


class CodesTests(ExchangeFixture):
    def test_the_gender_is_a_code_worded_in_the_readers_language(self) -> None:
        incoming = self.import_as("th-test", self.export(self.send()))
        identity = next(s for s in incoming.packet["sections"] if s["category"] == "identity")
        rows = dict((key, parts) for key, parts in identity["rows"])
        assert rows["gender"] == [{"set": "gender", "code": "Feminine"}]
        assert rows["full_name"] == [NAME_A]
        words = packets.vocabularies()
        assert packets.worded_parts(rows["gender"], words) == "Woman or girl"

        english = text_of(
            self.client_for("B", Role.SUPERVISOR).get(url("referrals:packet", incoming))
        )
        assert "Woman or girl" in english
        assert "From another Haven deployment" in english
        client = self.client_for("B", Role.SUPERVISOR)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
        thai = text_of(client.get(url("referrals:packet", incoming)))
        assert THAI_WOMAN in thai
        assert "Woman or girl" not in thai
        assert NAME_A in thai


# --- h. The attack table -------------------------------------------------------------------


class AttackTableTests(ExchangeFixture):
    def test_every_attack_is_refused_and_the_round_trip_accepted(self) -> None:
        outgoing, valid = self.valid_body()
        genuine = self.export(outgoing)
        th_identity = self.keys["th-test"].identity
        impostor = exchange.KeyPair.generate("kh-test", "Impostor", "KH")
        envelope = json.loads(genuine)

        attacks: list[tuple[str, str, Callable[[], bytes], str]] = [
            ("valid referral file (round trip)", "accepted", lambda: genuine, "th-test"),
            ("replayed file", "refused", lambda: genuine, "th-test"),
            (
                "forged signature (impostor with the sender's name)",
                "refused",
                lambda: exchange.seal(impostor, th_identity, "referral", valid)[1],
                "th-test",
            ),
            ("altered ciphertext", "refused", lambda: flip_ciphertext_byte(genuine), "th-test"),
            (
                "misaddressed file (for vn-test)",
                "refused",
                lambda: exchange.seal(
                    self.keys["kh-test"], self.keys["vn-test"].identity, "referral", valid
                )[1],
                "th-test",
            ),
            (
                "untrusted sender (xx-test)",
                "refused",
                lambda: exchange.seal(self.keys["xx-test"], th_identity, "referral", valid)[1],
                "th-test",
            ),
            (
                "oversized file",
                "refused",
                lambda: b" " * (exchange.MAX_FILE_BYTES + 1),
                "th-test",
            ),
            (
                "wrong format version field",
                "refused",
                lambda: json.dumps({**envelope, "version": 2}).encode(),
                "th-test",
            ),
            (
                "older version (2, never imported) after a newer one (3)",
                "refused",
                lambda: self.seal({**valid, "version": 2}, message_id=outgoing.message_id),
                "th-test",
            ),
        ]
        attacks.insert(
            2,
            (
                "newer version (3) of the same referral",
                "accepted",
                lambda: self.seal({**valid, "version": 3}, message_id=outgoing.message_id),
                "th-test",
            ),
        )
        for name, body in malformed_bodies(valid).items():
            attacks.append(
                (
                    f"validly signed, malformed: {name}",
                    "refused",
                    lambda b=body: self.seal(b),
                    "th-test",
                )
            )

        results: list[tuple[str, str, str, str]] = []
        for name, expected, make, receiver in attacks:
            data = make()
            before = counts()
            last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
            try:
                self.import_as(receiver, data)
            except RefusedError as error:
                observed, message = "refused", error.message
                added = list(
                    AuditEntry.objects.filter(seq__gt=last).values_list("action", flat=True)
                )
                if added != [Action.EXCHANGE_REFUSED] or counts() != {
                    **before,
                    "audit": before["audit"] + 1,
                }:
                    observed = "refused, but stored something"
            else:
                observed, message = "accepted", ""
            results.append((name, expected, observed, message))

        ARTIFACTS.mkdir(exist_ok=True)
        refused_count = sum(1 for r in results if r[2] == "refused")
        accepted_count = sum(1 for r in results if r[2] == "accepted")
        lines = [
            "# Cross-border import: attacks",
            "",
            "| Attack | Expected | Observed | Message |",
            "| --- | --- | --- | --- |",
            *(f"| {n} | {e} | {o} | {m.replace('|', '/')} |" for n, e, o, m in results),
            "",
            f"Refused: {refused_count}; accepted: {accepted_count}; total: {len(results)}.",
            "",
        ]
        (ARTIFACTS / "exchange-attacks.md").write_text("\n".join(lines), encoding="utf-8")
        wrong = [(n, e, o) for n, e, o, _m in results if o != e]
        assert not wrong, wrong
        messages = {name: message for name, _e, _o, message in results}
        assert "already imported" in messages["replayed file"]
        assert "older" in messages["older version (2, never imported) after a newer one (3)"]
