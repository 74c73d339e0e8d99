"""The contact person on a referral (a work contact of the sender's organisation, never
anything about the person referred) and withdrawing consent with an honest confirmation:
recipients inside Haven lose access at once; letters and files that left Haven cannot be
recalled, and the page names them so the worker knows whom to call.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from haven.accounts.models import User
from haven.accounts.roles import Role
from haven.audit.models import Action, AuditEntry
from haven.core.errors import RefusedError
from haven.referrals import actions
from haven.referrals import packet as packets
from haven.referrals.models import Channel, Consent, Referral
from tests.closed_cases import close
from tests.helpers import page_title, raw_rows
from tests.personas import HavenTestCase, consent_data

NAME_A = "Fixture Person A"


def marker() -> str:
    return "Zq" + uuid.uuid4().hex[:12]


def withdraw_url(consent: Consent) -> str:
    assert consent.case is not None
    return reverse(
        "referrals:consent_withdraw",
        kwargs={"reference": consent.case.reference, "pk": consent.pk},
    )


def shown_messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


class ContactPersonTests(HavenTestCase):
    def setUp(self) -> None:
        self.sender = self.world.user("A", Role.CASE_WORKER)
        self.colleague = self.world.user("A", Role.SUPERVISOR)
        User.objects.filter(pk=self.colleague.pk).update(
            first_name="Dara", last_name="Sok", email="dara.sok@org-a.example"
        )
        self.colleague.refresh_from_db()

    def send(self, contact: User | None = None, channel: str = Channel.HAVEN) -> Referral:
        return actions.send_referral(
            self.sender,
            self.world.cases["A"],
            self.world.services_listed["B"],
            purpose="assistance",
            reason="AdditionalServicesRequired",
            details="Fixture request",
            categories=["identity", "contact"],
            channel=channel,
            contact=contact,
        )

    def assert_refused_unchanged(self, contact: User) -> None:
        before = Referral.objects.count()
        with pytest.raises(RefusedError) as refused:
            self.send(contact)
        assert "contact person" in refused.value.message
        assert Referral.objects.count() == before

    def test_a_contact_from_another_organisation_is_refused(self) -> None:
        self.assert_refused_unchanged(self.world.user("B", Role.CASE_WORKER))

    def test_an_inactive_contact_is_refused(self) -> None:
        User.objects.filter(pk=self.colleague.pk).update(is_active=False)
        self.assert_refused_unchanged(self.colleague)

    def test_the_contact_defaults_to_the_sender(self) -> None:
        referral = self.send()
        assert referral.contact == self.sender
        send = AuditEntry.objects.filter(
            action=Action.REFERRAL_SEND, object_ref=referral.reference
        ).get()
        assert "contact" in send.changed_fields

    def test_the_recipients_packet_shows_the_contact_person_and_work_email(self) -> None:
        referral = self.send(self.colleague)
        page = self.client_for("B", Role.CASE_WORKER).get(
            reverse("referrals:packet", kwargs={"reference": referral.reference})
        )
        self.assertContains(page, "Contact person")
        self.assertContains(page, "Dara Sok")
        self.assertContains(page, "dara.sok@org-a.example")
        built = packets.for_referral(referral, [], timezone.localdate())
        assert built["contact"] == {"name": "Dara Sok", "email": "dara.sok@org-a.example"}

    def test_the_contact_is_a_work_contact_never_the_persons(self) -> None:
        """Without a shared category the packet names the contact and nothing of the person."""
        referral = self.send(self.colleague)
        built = packets.for_referral(referral, [], timezone.localdate())
        assert built["sections"] == []
        assert NAME_A not in str(built)

    def test_a_contact_without_a_full_name_shows_the_username(self) -> None:
        built = packets.for_referral(self.send(), [], timezone.localdate())
        assert built["contact"] == {"name": self.sender.username, "email": ""}

    def test_the_send_form_offers_only_active_users_of_the_case_organisation(self) -> None:
        User.objects.filter(pk=self.world.user("A", Role.SCREENER).pk).update(is_active=False)
        page = self.client_for("A", Role.CASE_WORKER).get(
            reverse("referrals:new", kwargs={"reference": self.world.cases["A"].reference})
        )
        self.assertContains(page, "Contact person")
        self.assertContains(page, f'<option value="{self.colleague.pk}"')
        self.assertContains(page, f'<option value="{self.sender.pk}" selected')
        for other in (self.world.user("B", Role.CASE_WORKER), self.world.user("A", Role.SCREENER)):
            self.assertNotContains(page, f'<option value="{other.pk}"')

    def test_the_send_form_names_the_chosen_contact(self) -> None:
        case = self.world.cases["A"]
        response = self.client_for("A", Role.CASE_WORKER).post(
            reverse("referrals:new", kwargs={"reference": case.reference}),
            {
                "service": str(self.world.services_listed["B"].pk),
                "purpose": "assistance",
                "reason": "AdditionalServicesRequired",
                "details": "",
                "categories": ["contact"],
                "channel": "haven",
                "contact": str(self.colleague.pk),
                "send": "1",
            },
        )
        assert response.status_code == 302, response.content[:500]
        assert Referral.objects.filter(case=case).latest("pk").contact == self.colleague

    def test_an_imported_packet_without_a_contact_still_renders(self) -> None:
        """Packets from deployments that send no contact (or a malformed one) still show."""
        referral = self.world.referrals["B"]  # from B's case to A's service
        old: dict[str, Any] = {
            "reference": "R-OLD",
            "sender": "Far away NGO",
            "service": "accommodation",
            "purpose": "assistance",
            "reason": "Other",
            "details": "Imported request",
            "date": "2026-01-01",
            "sections": [],
        }
        Referral.objects.filter(pk=referral.pk).update(direction="incoming")
        for stored in (old, {**old, "contact": "not a mapping"}):
            with self.subTest(contact=stored.get("contact")):
                referral.refresh_from_db()
                referral.packet = stored
                referral.save(update_fields=["packet"])
                page = self.client_for("A", Role.CASE_WORKER).get(
                    reverse("referrals:packet", kwargs={"reference": referral.reference})
                )
                self.assertContains(page, "Imported request")
                self.assertNotContains(page, "Contact person")


class WithdrawalTests(HavenTestCase):
    def setUp(self) -> None:
        self.consent = self.world.consents["A"]
        self.case = self.world.cases["A"]
        self.worker = self.world.user("A", Role.CASE_WORKER)
        self.client = self.client_for("A", Role.CASE_WORKER)

    def send(self, channel: str, categories: list[str] | None = None) -> Referral:
        return actions.send_referral(
            self.worker,
            self.case,
            self.world.services_listed["B"],
            purpose="assistance",
            reason="AdditionalServicesRequired",
            details="Fixture request",
            categories=categories or ["contact"],
            channel=channel,
        )

    def test_the_case_page_links_to_the_confirmation_instead_of_withdrawing(self) -> None:
        page = self.client.get(reverse("cases:detail", kwargs={"reference": self.case.reference}))
        self.assertContains(page, f'href="{withdraw_url(self.consent)}"')
        self.assertNotContains(page, f'action="{withdraw_url(self.consent)}"')

    def test_the_confirmation_lists_what_left_haven_and_withdraws_nothing(self) -> None:
        letter = self.send(Channel.LETTER)
        encrypted = self.send(Channel.ENCRYPTED_FILE)
        inside = self.world.referrals["A"]  # sent inside Haven: access ends at once
        page = self.client.get(withdraw_url(self.consent))
        assert page.status_code == 200
        self.assertContains(page, "cannot be recalled")
        self.assertContains(page, letter.reference)
        self.assertContains(page, encrypted.reference)
        self.assertNotContains(page, inside.reference)
        self.assertContains(page, 'name="reason"')
        title = page_title(page.content.decode())
        assert NAME_A not in title
        assert self.world.people["A"].reference not in title
        self.consent.refresh_from_db()
        assert self.consent.withdrawn_at is None

    def test_a_letter_under_another_consent_is_not_listed(self) -> None:
        other = actions.record_consent(
            self.worker,
            self.case,
            consent_data(self.world.providers["B"], categories=["health"]),
        )
        letter = self.send(Channel.LETTER, ["health"])
        assert [r.reference for r in other.sent_outside_haven()] == [letter.reference]
        assert self.consent.sent_outside_haven() == []
        self.assertContains(self.client.get(withdraw_url(self.consent)), "No letter or file")

    def test_withdrawing_with_a_reason_stores_it_encrypted_and_audits_only_its_name(self) -> None:
        self.send(Channel.LETTER)
        reason = marker()
        response = self.client.post(withdraw_url(self.consent), {"reason": f"  {reason} "})
        assert response.status_code == 302
        assert response["Location"].endswith("#referrals")
        shown = shown_messages(response)
        assert any("inside Haven lost access" in m and "cannot be recalled" in m for m in shown)
        assert not any("Recipients lost access at once" in m for m in shown)
        consent = Consent.objects.get(pk=self.consent.pk)
        assert consent.withdrawn_at is not None
        assert consent.withdrawn_by == self.worker
        assert consent.withdrawal_reason == reason
        assert [(t, c) for t, c, value in raw_rows() if reason in value] == []
        entry = AuditEntry.objects.filter(action=Action.CONSENT_WITHDRAW).latest("seq")
        assert sorted(entry.changed_fields) == ["withdrawal_reason", "withdrawn_at"]
        # The recipient inside Haven lost the person's details at once.
        assert actions.visible_categories(self.world.referrals["A"], timezone.now()) == []

    def test_without_a_reason_the_audit_names_no_reason_and_nothing_is_unrecallable(self) -> None:
        response = self.client.post(withdraw_url(self.consent), {"reason": ""})
        assert response.status_code == 302
        assert shown_messages(response) == [
            "Consent withdrawn. Recipients inside Haven lost access at once."
        ]
        entry = AuditEntry.objects.filter(action=Action.CONSENT_WITHDRAW).latest("seq")
        assert entry.changed_fields == ["withdrawn_at"]
        assert Consent.objects.get(pk=self.consent.pk).withdrawal_reason == ""

    def test_a_second_withdrawal_is_refused_and_the_page_says_it_was_withdrawn(self) -> None:
        reason = marker()
        actions.withdraw_consent(self.worker, self.consent, reason=reason)
        with pytest.raises(RefusedError) as refused:
            actions.withdraw_consent(self.worker, self.consent, reason="again")
        assert "already withdrawn" in refused.value.message
        response = self.client.post(withdraw_url(self.consent), {"reason": "again"})
        assert response.status_code == 302
        assert shown_messages(response) == ["This consent was already withdrawn."]
        assert Consent.objects.get(pk=self.consent.pk).withdrawal_reason == reason
        page = self.client.get(withdraw_url(self.consent))
        assert page.status_code == 200
        self.assertContains(page, "This consent was already withdrawn.")
        self.assertContains(page, reason)
        self.assertNotContains(page, 'name="reason"')

    def test_withdrawal_is_allowed_on_a_closed_case(self) -> None:
        close(self.world)
        page = self.client.get(withdraw_url(self.consent))
        self.assertContains(page, 'name="reason"')
        response = self.client.post(withdraw_url(self.consent), {"reason": "Closed case"})
        assert response.status_code == 302
        consent = Consent.objects.get(pk=self.consent.pk)
        assert consent.withdrawn_at is not None
        assert consent.withdrawal_reason == "Closed case"

    def test_the_confirmation_page_is_for_the_case_team_of_the_organisation(self) -> None:
        url = withdraw_url(self.consent)
        assert self.client_for("A", Role.SCREENER).get(url).status_code == 403
        assert self.client_for("B", Role.CASE_WORKER).get(url).status_code == 404
        assert self.client_for("A", Role.SUPERVISOR).get(url).status_code == 200
