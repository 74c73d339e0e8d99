"""The person's journey from screening to casework to referral: a screening reaches the case
it belongs to, and its summary (never its notes) reaches a consented referral."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from haven.accounts.roles import Role
from haven.cases.actions import open_case
from haven.cases.models import CaseStatus
from haven.core.errors import RefusedError
from haven.people.actions import create_person
from haven.referrals import actions as referral_actions
from haven.referrals.models import Channel
from haven.screening import actions, engine
from haven.screening.models import Screening
from haven.screening_engine import default_catalogue
from tests.personas import READY, HavenTestCase, consent_data

NOTE = "NoteMarkerNeverShared"


class ScreeningReachesTheCaseTests(HavenTestCase):
    def setUp(self) -> None:
        self.worker = self.world.user("A", Role.CASE_WORKER)
        self.supervisor = self.world.user("A", Role.SUPERVISOR)
        self.person = self.world.people["A"]
        self.case = self.world.cases["A"]

    def anonymous_screening(self, **answers: str) -> Screening:
        """A completed screening with a note, started before anyone's identity was known."""
        screening = actions.start_screening(self.worker, readiness=READY)
        actions.set_profile(
            self.worker,
            screening,
            {"age_at_events": 30, "exploitation": ["labour"], "interview_language": "en"},
            expected_version=screening.version,
        )
        first = next(iter(answers))
        actions.record_answers(
            self.worker,
            screening,
            None,
            answers,
            {first: NOTE},
            expected_version=screening.version,
        )
        outcome = engine.evaluate(screening.profile, screening.answers, "en").outcome
        actions.complete(
            self.worker, screening, judgement=outcome, reason="", expected_version=screening.version
        )
        return screening

    def test_a_screening_started_from_a_case_belongs_to_it(self) -> None:
        screening = actions.start_screening(
            self.worker, readiness=READY, person=self.person, case=self.case
        )
        assert (screening.person, screening.case) == (self.person, self.case)

    def test_no_screening_is_started_from_a_closed_case(self) -> None:
        self.case.status = CaseStatus.CLOSED
        self.case.save(update_fields=["status"])
        before = Screening.objects.count()
        with pytest.raises(RefusedError):
            actions.start_screening(
                self.worker, readiness=READY, person=self.person, case=self.case
            )
        assert Screening.objects.count() == before

    def test_attaching_to_a_person_with_several_open_cases_asks_which(self) -> None:
        second = open_case(
            self.supervisor,
            self.person,
            assigned_to=self.worker,
            opened_on=dt.date.today(),
            summary="Second case",
            confirmed_second_case=True,
        )
        screening = self.anonymous_screening(documents_confiscated_at_destination="yes")
        client = self.client_for("A", Role.CASE_WORKER)
        attach = reverse("screening:attach", args=[screening.reference])
        page = client.post(attach, {"person": self.person.reference})
        assert page.status_code == 200
        self.assertContains(page, "Which case is this screening for?")
        self.assertContains(page, second.reference)
        self.assertContains(page, self.case.reference)
        screening.refresh_from_db()
        assert screening.person is None
        client.post(attach, {"person": self.person.reference, "case": second.reference})
        screening.refresh_from_db()
        assert (screening.person, screening.case) == (self.person, second)

    def test_a_case_of_someone_else_or_a_closed_case_is_refused_by_the_action(self) -> None:
        screening = self.anonymous_screening(low_or_no_pay="yes")
        other = create_person(
            self.worker,
            {"full_name": "Fixture Other Person", "gender": "Masculine", "estimated_age": ""},
        )
        with pytest.raises(RefusedError):
            actions.attach_to_person(self.worker, screening, other, self.case)
        self.case.status = CaseStatus.CLOSED
        self.case.save(update_fields=["status"])
        with pytest.raises(RefusedError):
            actions.attach_to_person(self.worker, screening, self.person, self.case)
        screening.refresh_from_db()
        assert screening.person is None

    def test_the_referral_carries_the_screening_summary_never_its_notes(self) -> None:
        screening = self.anonymous_screening(
            documents_confiscated_at_destination="yes",
            confined_or_watched_at_destination="yes",
            excessive_working_hours="yes",
            low_or_no_pay="yes",
            act_recruited_by_someone="yes",
        )
        # Attached to the person only (the case existed already): it still belongs.
        actions.attach_to_person(self.worker, screening, self.person, None)
        service = self.world.services_listed["B"]
        referral_actions.record_consent(
            self.worker, self.case, consent_data(service.provider, categories=["screening"])
        )
        referral = referral_actions.send_referral(
            self.worker,
            self.case,
            service,
            purpose="assistance",
            reason="Other",
            details="",
            categories=["screening"],
            channel=Channel.HAVEN,
        )
        page = (
            self.client_for("B", Role.CASE_WORKER)
            .get(reverse("referrals:packet", kwargs={"reference": referral.reference}))
            .content.decode()
        )
        assert "Nothing recorded" not in page
        assert "Presumed victim" in page
        assert "Route: an act, means (coercion at destination)" in page
        statement = default_catalogue().by_id["documents_confiscated_at_destination"].statement
        assert statement.replace("'", "&#x27;") in page
        assert NOTE not in page
        assert screening.reference not in page
