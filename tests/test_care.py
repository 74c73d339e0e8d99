"""Shelter stays and survivors' feedback (haven.care): the rules in the actions, called
directly (free to leave, dates, overlaps, versions, reach), the case page and its forms
end to end, anonymous feedback that leads back to nobody, and the aggregate with small
counts hidden."""

from __future__ import annotations

import datetime as dt
import io
import os
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from haven.accounts.roles import Role
from haven.assistance.actions import record_service
from haven.assistance.models import Service
from haven.audit.models import Action, AuditEntry
from haven.care import actions
from haven.care.models import QUESTIONS, Feedback, LeavingReason, Stay
from haven.care.summary import summarise
from haven.cases.models import Case
from haven.core import crypto
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.directory.models import DirectoryService, Provider
from haven.referrals import actions as referral_actions
from haven.referrals.models import DeclineCode, Referral, ReferralStatus
from tests.closed_cases import close, everything_about
from tests.personas import HavenTestCase

TODAY = timezone.localdate()
PLACE = "Grandmother's house behind the rice mill"
COMMENT = "The night staff listened to me"


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def answers(**changes: str) -> dict[str, Any]:
    return {"respected": "yes", "safe": "partly", "helped": "yes", "recommend": "no", **changes}


class CareTestCase(HavenTestCase):
    def worker(self, org: str = "A") -> Any:
        return self.world.user(org, Role.CASE_WORKER)

    def case(self, org: str = "A") -> Case:
        return Case.objects.get(pk=self.world.cases[org].pk)

    def shelter(self, org: str = "A") -> DirectoryService:
        return self.world.services_listed[org]

    def stay(self, **changes: Any) -> dict[str, Any]:
        return {
            "shelter": self.shelter(),
            "place": "",
            "entered_on": days_ago(20),
            "free_to_leave_explained": True,
            **changes,
        }


class StayRuleTests(CareTestCase):
    """Each rule of `record_stay` and `end_stay`, on the action itself."""

    def assert_refused(self, data: dict[str, Any], *, actor: Any = None) -> None:
        before = everything_about(self.case())
        stays = Stay.objects.count()
        with self.assertRaises(RefusedError):
            actions.record_stay(actor or self.worker(), self.case(), data)
        self.assertEqual(Stay.objects.count(), stays)
        self.assertEqual(everything_about(self.case()), before)

    def test_a_stay_is_recorded_with_its_audit_row_naming_fields_only(self) -> None:
        stay = actions.record_stay(self.worker(), self.case(), self.stay(shelter=None, place=PLACE))
        self.assertTrue(stay.free_to_leave_explained)
        self.assertTrue(stay.is_open)
        entry = AuditEntry.objects.filter(action=Action.CARE_STAY).get()
        self.assertEqual(entry.object_ref, self.case().reference)
        self.assertIn("place", entry.changed_fields)
        self.assertNotIn(PLACE, str(entry.changed_fields))

    def test_no_stay_without_confirming_the_person_is_free_to_leave(self) -> None:
        self.assert_refused(self.stay(free_to_leave_explained=False))
        self.assert_refused(self.stay(free_to_leave_explained="on"))

    def test_exactly_one_place_is_named(self) -> None:
        self.assert_refused(self.stay(shelter=None, place=""))
        self.assert_refused(self.stay(place=PLACE))

    def test_the_shelter_must_be_a_safe_accommodation_service(self) -> None:
        clinic = DirectoryService.objects.create(provider=self.shelter().provider, kind="medical")
        self.assert_refused(self.stay(shelter=clinic))

    def test_no_future_dates(self) -> None:
        self.assert_refused(self.stay(entered_on=days_ago(-1)))
        self.assert_refused(
            self.stay(left_on=days_ago(-1), leaving_reason=LeavingReason.RETURNED_HOME)
        )

    def test_exit_not_before_entry_and_with_a_coded_reason(self) -> None:
        self.assert_refused(
            self.stay(left_on=days_ago(21), leaving_reason=LeavingReason.RETURNED_HOME)
        )
        self.assert_refused(self.stay(left_on=days_ago(5), leaving_reason="ran_away"))
        self.assert_refused(self.stay(left_on=days_ago(5)))
        # "Another reason" says which, in the encrypted details.
        self.assert_refused(self.stay(left_on=days_ago(5), leaving_reason=LeavingReason.OTHER))

    def test_stays_of_one_case_never_overlap(self) -> None:
        actions.record_stay(
            self.worker(),
            self.case(),
            self.stay(
                entered_on=days_ago(30),
                left_on=days_ago(20),
                leaving_reason=LeavingReason.TRANSFERRED,
            ),
        )
        self.assert_refused(self.stay(entered_on=days_ago(25)))
        self.assert_refused(self.stay(entered_on=days_ago(40)))  # open: runs into it
        self.assert_refused(
            self.stay(
                entered_on=days_ago(40),
                left_on=days_ago(21),
                leaving_reason="other",
                leaving_details="x",
            )
        )
        # Moving on the day of leaving is no overlap.
        moved = actions.record_stay(self.worker(), self.case(), self.stay(entered_on=days_ago(20)))
        self.assertTrue(moved.is_open)
        self.assert_refused(self.stay(entered_on=days_ago(2)))  # while still staying

    def test_stays_of_different_cases_are_independent(self) -> None:
        actions.record_stay(self.worker(), self.case(), self.stay())
        other = actions.record_stay(
            self.worker("B"), self.case("B"), self.stay(shelter=self.shelter("B"))
        )
        self.assertEqual(other.entered_on, days_ago(20))

    def test_roles_without_assistance_and_other_organisations_are_refused(self) -> None:
        for org, role in (
            ("A", Role.SCREENER),
            ("A", Role.DETERMINATION_OFFICER),
            ("A", Role.ANALYST),
            ("A", Role.ORG_ADMIN),
            ("B", Role.CASE_WORKER),
            ("B", Role.SUPERVISOR),
        ):
            with self.subTest(org=org, role=role.value):
                self.assert_refused(self.stay(), actor=self.world.user(org, role))

    def test_a_closed_case_takes_no_stay(self) -> None:
        close(self.world)
        self.assert_refused(self.stay())

    def test_ending_a_stay(self) -> None:
        stay = actions.record_stay(self.worker(), self.case(), self.stay())
        changed = actions.end_stay(
            self.worker(),
            stay,
            {"left_on": days_ago(3), "leaving_reason": LeavingReason.CHOSE_TO_LEAVE},
            expected_version=1,
        )
        self.assertEqual(changed, ["left_on", "leaving_reason"])
        self.assertEqual(stay.left_on, days_ago(3))
        self.assertEqual(stay.version, 2)

    def test_ending_refuses_bad_input_and_changes_nothing(self) -> None:
        stay = actions.record_stay(self.worker(), self.case(), self.stay())
        bad = [
            {"left_on": days_ago(21), "leaving_reason": "chose_to_leave"},
            {"left_on": days_ago(-1), "leaving_reason": "chose_to_leave"},
            {"left_on": None, "leaving_reason": "chose_to_leave"},
            {"left_on": days_ago(3), "leaving_reason": ""},
            {"left_on": days_ago(3), "leaving_reason": "other", "leaving_details": "  "},
        ]
        for data in bad:
            with self.subTest(data=data), self.assertRaises(RefusedError):
                actions.end_stay(self.worker(), stay, data, expected_version=1)
        stay.refresh_from_db()
        self.assertTrue(stay.is_open)
        self.assertEqual(stay.version, 1)

    def test_a_stale_version_is_refused_and_an_ended_stay_cannot_end_again(self) -> None:
        stay = actions.record_stay(self.worker(), self.case(), self.stay())
        data = {"left_on": days_ago(3), "leaving_reason": "returned_home"}
        with self.assertRaises(ConcurrentEditError):
            actions.end_stay(self.worker(), stay, data, expected_version=7)
        stay.refresh_from_db()
        self.assertTrue(stay.is_open)
        actions.end_stay(self.worker(), stay, data, expected_version=1)
        with self.assertRaises(RefusedError):
            actions.end_stay(self.worker(), stay, data, expected_version=2)

    def test_another_organisation_cannot_end_a_stay(self) -> None:
        stay = actions.record_stay(self.worker(), self.case(), self.stay())
        data = {"left_on": days_ago(3), "leaving_reason": "returned_home"}
        with self.assertRaises(RefusedError):
            actions.end_stay(self.world.user("B", Role.SUPERVISOR), stay, data, expected_version=1)
        stay.refresh_from_db()
        self.assertTrue(stay.is_open)

    def test_the_place_and_the_details_are_encrypted_at_rest(self) -> None:
        actions.record_stay(
            self.worker(),
            self.case(),
            self.stay(
                shelter=None,
                place=PLACE,
                left_on=days_ago(2),
                leaving_reason="other",
                leaving_details="Went to an aunt",
            ),
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT place, leaving_details FROM care_stay")
            raw = " ".join(str(v) for row in cursor.fetchall() for v in row)
        self.assertNotIn("rice mill", raw)
        self.assertNotIn("aunt", raw)
        self.assertIn("hv1$", raw)


class StayPageTests(CareTestCase):
    def test_case_page_shows_stays_and_the_links_to_add_and_end(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        case_url = reverse("cases:detail", args=[self.case().reference])
        page = client.get(case_url)
        self.assertContains(page, 'id="care"')
        self.assertContains(page, reverse("care:stay_add", args=[self.case().reference]))
        add = reverse("care:stay_add", args=[self.case().reference])
        response = client.post(
            add,
            {
                "shelter": self.shelter().pk,
                "entered_on": days_ago(4).isoformat(),
                "free_to_leave_explained": "on",
            },
        )
        self.assertRedirects(response, case_url + "#care", fetch_redirect_response=False)
        stay = Stay.objects.get()
        page = client.get(case_url)
        self.assertContains(page, "Fixture shelter A")
        end = reverse("care:stay_end", args=[self.case().reference, stay.pk])
        self.assertContains(page, end)
        response = client.post(
            end,
            {"left_on": days_ago(1).isoformat(), "leaving_reason": "reintegrated", "version": 1},
        )
        self.assertEqual(response.status_code, 302)
        stay.refresh_from_db()
        self.assertEqual(stay.leaving_reason, "reintegrated")

    def test_without_the_confirmation_the_form_says_why_and_saves_nothing(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        add = reverse("care:stay_add", args=[self.case().reference])
        response = client.post(add, {"place": PLACE, "entered_on": days_ago(4).isoformat()})
        self.assertContains(response, "free to leave at any time", status_code=400)
        self.assertFalse(Stay.objects.exists())
        with translation.override("th"):
            response = client.post(
                add,
                {"place": PLACE, "entered_on": days_ago(4).isoformat()},
                HTTP_ACCEPT_LANGUAGE="th",
            )
        self.assertEqual(response.status_code, 400)

    def test_bad_input_answers_400_never_500(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        add = reverse("care:stay_add", args=[self.case().reference])
        for data in (
            {"entered_on": "not a date", "free_to_leave_explained": "on", "place": "x"},
            {"entered_on": "2999-01-01", "free_to_leave_explained": "on", "place": "x"},
            {"shelter": "999999", "entered_on": days_ago(1).isoformat()},
            {"place": "x" * 500, "entered_on": days_ago(1).isoformat()},
        ):
            with self.subTest(data=data):
                self.assertEqual(client.post(add, data).status_code, 400)
        self.assertFalse(Stay.objects.exists())

    def test_a_stale_end_form_reloads_and_saves_nothing(self) -> None:
        stay = actions.record_stay(self.worker(), self.case(), self.stay())
        client = self.client_for("A", Role.CASE_WORKER)
        end = reverse("care:stay_end", args=[self.case().reference, stay.pk])
        response = client.post(
            end, {"left_on": days_ago(1).isoformat(), "leaving_reason": "other", "version": 9}
        )
        self.assertEqual(response.status_code, 302)
        stay.refresh_from_db()
        self.assertTrue(stay.is_open)

    def test_the_place_is_never_in_the_page_title_or_the_url(self) -> None:
        actions.record_stay(self.worker(), self.case(), self.stay(shelter=None, place=PLACE))
        page = self.client_for("A", Role.CASE_WORKER).get(
            reverse("cases:detail", args=[self.case().reference])
        )
        body = page.content.decode()
        self.assertIn("behind the rice mill", body)
        title = body[body.index("<title>") : body.index("</title>")]
        self.assertNotIn("rice mill", title)


class FeedbackRuleTests(CareTestCase):
    def service(self, org: str = "A") -> Service:
        return self.world.services[org]

    def test_named_feedback_hangs_off_the_case_and_the_service(self) -> None:
        feedback = actions.record_feedback(
            self.worker(),
            {"consent": True, **answers(), "comment": COMMENT},
            service=self.service(),
        )
        self.assertEqual(feedback.case_id, self.case().pk)
        self.assertEqual(feedback.service_kind, "medical")
        self.assertEqual(feedback.month, TODAY.replace(day=1))
        entry = AuditEntry.objects.filter(action=Action.CARE_FEEDBACK).get()
        self.assertEqual(entry.object_ref, self.case().reference)
        self.assertNotIn(COMMENT, str(entry.changed_fields))

    def test_anonymous_feedback_keeps_nothing_that_leads_to_the_person(self) -> None:
        feedback = actions.record_feedback(
            self.worker(),
            {"consent": True, "anonymous": True, **answers(), "comment": COMMENT},
            service=self.service(),
        )
        feedback.refresh_from_db()
        self.assertIsNone(feedback.case_id)
        self.assertIsNone(feedback.service_id)
        self.assertEqual(feedback.month.day, 1)
        stored = {f.attname for f in Feedback._meta.concrete_fields}
        self.assertEqual(
            stored,
            {
                "id",
                "organisation_id",
                "service_kind",
                "month",
                "case_id",
                "service_id",
                "respected",
                "safe",
                "helped",
                "recommend",
                "comment",
            },
        )
        entry = AuditEntry.objects.filter(action=Action.CARE_FEEDBACK).get()
        self.assertEqual((entry.object_type, entry.object_ref), ("", ""))
        self.assertNotIn(str(feedback.pk), str(entry.changed_fields))
        # Not on the case page either.
        page = self.client_for("A", Role.CASE_WORKER).get(
            reverse("cases:detail", args=[self.case().reference])
        )
        self.assertNotContains(page, COMMENT)

    def test_no_feedback_without_consent(self) -> None:
        for consent in (False, None, "on"):
            with self.subTest(consent=consent), self.assertRaises(RefusedError):
                actions.record_feedback(
                    self.worker(), {"consent": consent, **answers()}, service=self.service()
                )
        self.assertFalse(Feedback.objects.exists())
        self.assertFalse(AuditEntry.objects.filter(action=Action.CARE_FEEDBACK).exists())

    def test_every_question_needs_an_answer_from_the_list(self) -> None:
        for bad in (answers(safe=""), answers(helped="5"), {"respected": "yes"}):
            with self.subTest(bad=bad), self.assertRaises(RefusedError):
                actions.record_feedback(
                    self.worker(), {"consent": True, **bad}, service=self.service()
                )
        self.assertFalse(Feedback.objects.exists())

    def test_feedback_only_on_a_service_that_was_given(self) -> None:
        offered = record_service(
            self.worker(),
            self.case(),
            {"stage": "initial", "kind": "legal", "status": "offered", "on": TODAY},
        )
        with self.assertRaises(RefusedError):
            actions.record_feedback(self.worker(), {"consent": True, **answers()}, service=offered)
        self.assertFalse(Feedback.objects.exists())

    def test_other_organisations_and_roles_without_assistance_are_refused(self) -> None:
        for org, role in (
            ("B", Role.CASE_WORKER),
            ("B", Role.SUPERVISOR),
            ("A", Role.ANALYST),
            ("A", Role.SCREENER),
        ):
            with self.subTest(org=org, role=role.value), self.assertRaises(RefusedError):
                actions.record_feedback(
                    self.world.user(org, role),
                    {"consent": True, "anonymous": True, **answers()},
                    service=self.service(),
                )
        self.assertFalse(Feedback.objects.exists())

    def test_without_a_service_feedback_is_anonymous_and_needs_a_kind(self) -> None:
        data = {"consent": True, **answers(), "service_kind": "accommodation"}
        with self.assertRaises(RefusedError):
            actions.record_feedback(self.worker(), data)
        with self.assertRaises(RefusedError):
            actions.record_feedback(
                self.worker(), {**data, "anonymous": True, "service_kind": "spa"}
            )
        with self.assertRaises(RefusedError):
            actions.record_feedback(self.world.user("A", Role.ANALYST), {**data, "anonymous": True})
        self.assertFalse(Feedback.objects.exists())
        feedback = actions.record_feedback(self.worker(), {**data, "anonymous": True})
        self.assertEqual(feedback.organisation_id, self.world.orgs["A"].pk)

    def test_the_comment_is_encrypted_at_rest(self) -> None:
        actions.record_feedback(
            self.worker(),
            {"consent": True, "anonymous": True, **answers(), "comment": COMMENT},
            service=self.service(),
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT comment FROM care_feedback")
            (raw,) = cursor.fetchone()
        self.assertNotIn("listened", raw)


class FeedbackPageTests(CareTestCase):
    def test_questions_are_read_out_in_each_language_of_the_person(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        url = reverse(
            "care:feedback_add", args=[self.case().reference, self.world.services["A"].pk]
        )
        with translation.override("en"):
            english = [str(question) for _key, question in QUESTIONS]
        for language in ("en", "id", "th", "km", "vi", "my"):
            with self.subTest(language=language):
                response = client.get(url + f"?lang={language}")
                self.assertEqual(response.status_code, 200)
                with translation.override(language):
                    texts = [str(question) for _key, question in QUESTIONS]
                for text in texts:
                    self.assertContains(response, text)
                if language != "en":
                    self.assertTrue(set(texts).isdisjoint(english), language)
                self.assertContains(response, f'<ol lang="{language}">')

    def test_feedback_form_end_to_end(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        url = reverse(
            "care:feedback_add", args=[self.case().reference, self.world.services["A"].pk]
        )
        response = client.post(url, {**answers(), "comment": COMMENT})
        self.assertContains(response, "consent", status_code=400)
        self.assertFalse(Feedback.objects.exists())
        response = client.post(url, {**answers(), "consent": "on", "comment": COMMENT})
        self.assertEqual(response.status_code, 302)
        page = client.get(reverse("cases:detail", args=[self.case().reference]))
        self.assertContains(page, COMMENT)

    def test_feedback_on_a_service_not_given_or_of_another_case_is_not_found(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        other = reverse(
            "care:feedback_add", args=[self.case().reference, self.world.services["B"].pk]
        )
        self.assertEqual(client.get(other).status_code, 404)

    def test_the_form_under_a_case_is_named_and_points_to_the_anonymous_page(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        url = reverse(
            "care:feedback_add", args=[self.case().reference, self.world.services["A"].pk]
        )
        response = client.get(url)
        self.assertNotIn("anonymous", response.context["form"].fields)
        self.assertContains(response, reverse("care:feedback_anonymous"))
        # A crafted "anonymous" field is ignored: feedback sent under a case is named.
        client.post(url, {**answers(), "consent": "on", "anonymous": "on"})
        self.assertEqual(Feedback.objects.get().case_id, self.case().pk)

    def test_anonymous_page_records_anonymous_feedback_only(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        url = reverse("care:feedback_anonymous")
        response = client.post(
            url, {**answers(), "consent": "on", "service_kind": "accommodation", "anonymous": ""}
        )
        self.assertEqual(response.status_code, 302)
        feedback = Feedback.objects.get()
        self.assertIsNone(feedback.case_id)


class FeedbackSummaryTests(CareTestCase):
    def give(self, n: int, kind: str, **changes: str) -> None:
        for _ in range(n):
            actions.record_feedback(
                self.worker(),
                {"consent": True, "anonymous": True, "service_kind": kind, **answers(**changes)},
            )

    def respected(self) -> dict[str, tuple[tuple[int | None, ...], int | None]]:
        summary = summarise(self.world.orgs["A"].pk)
        table = next(t for t in summary.tables if t.key == "respected")
        return {label: (cells, total) for label, cells, total in table.lines}

    def test_counts_are_shown_rounded(self) -> None:
        self.give(23, "accommodation")
        self.give(14, "legal", respected="no")
        lines = self.respected()
        self.assertEqual(lines["Safe accommodation"], ((25, 0, 0, 0), 25))
        self.assertEqual(lines["Legal assistance"], ((0, 0, 15, 0), 15))

    def test_a_small_count_is_never_shown_nor_recoverable_from_the_totals(self) -> None:
        self.give(23, "accommodation")
        self.give(3, "legal", respected="no")
        lines = self.respected()
        legal_cells, legal_total = lines["Legal assistance"]
        self.assertIsNone(legal_total)
        self.assertNotIn(3, legal_cells)
        # The shelter row total would give the 3 away from the grand total: hidden too.
        self.assertIsNone(lines["Safe accommodation"][1])
        shown = [n for cells, total in lines.values() for n in (*cells, total) if n is not None]
        self.assertTrue(all(n % 5 == 0 for n in shown))

    def test_comments_only_for_kinds_with_enough_feedback(self) -> None:
        actions.record_feedback(
            self.worker(),
            {
                "consent": True,
                "anonymous": True,
                "service_kind": "legal",
                **answers(),
                "comment": "The lawyer came late",
            },
        )
        summary = summarise(self.world.orgs["A"].pk)
        self.assertEqual(summary.said, [])
        self.give(11, "legal")
        summary = summarise(self.world.orgs["A"].pk)
        self.assertEqual([s.comments for s in summary.said], [["The lawyer came late"]])

    def test_each_organisation_sees_its_own_feedback_only(self) -> None:
        self.give(12, "accommodation")
        page = self.client_for("B", Role.SUPERVISOR).get(reverse("care:feedback_summary"))
        self.assertContains(page, "No feedback recorded yet.")
        page = self.client_for("A", Role.ANALYST).get(reverse("care:feedback_summary"))
        self.assertContains(page, "Safe accommodation")
        self.assertNotContains(page, "No feedback recorded yet.")


class CasePageQueryTests(CareTestCase):
    def test_the_care_section_costs_the_same_queries_with_more_stays(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        url = reverse("cases:detail", args=[self.case().reference])
        actions.record_stay(
            self.worker(),
            self.case(),
            self.stay(
                entered_on=days_ago(30),
                left_on=days_ago(25),
                leaving_reason="other",
                leaving_details="x",
            ),
        )
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for n in range(3):
            other = Provider.objects.create(name=f"Extra {n}", org_type="NGO", country="TH")
            shelter = DirectoryService.objects.create(provider=other, kind="accommodation")
            start = 24 - 6 * n
            actions.record_stay(
                self.worker(),
                self.case(),
                self.stay(
                    shelter=shelter,
                    entered_on=days_ago(start),
                    left_on=days_ago(start - 2),
                    leaving_reason="transferred",
                ),
            )
        with CaptureQueriesContext(connection) as many:
            client.get(url)
        self.assertEqual(len(few), len(many))


class ReferralDeclineCodeTests(CareTestCase):
    """A declined referral says why from a code list, like a declined service
    (haven.assistance DeclineReason); the words, encrypted, say more."""

    def referral(self) -> Referral:
        return Referral.objects.get(pk=self.world.referrals["B"].pk)  # from B's case to A

    def decline(self, **kwargs: Any) -> None:
        referral = self.referral()
        referral_actions.respond(
            self.worker("A"),
            referral,
            accept=False,
            expected_version=referral.version,
            **{"reason": "", **kwargs},
        )

    def test_a_decline_is_recorded_with_its_code(self) -> None:
        self.decline(decline_code=DeclineCode.NO_CAPACITY)
        referral = self.referral()
        self.assertEqual(referral.status, ReferralStatus.DECLINED)
        self.assertEqual(referral.decline_code, "no_capacity")
        entry = AuditEntry.objects.filter(action=Action.REFERRAL_RESPOND).latest("seq")
        self.assertIn("decline_code", entry.changed_fields)

    def test_a_decline_needs_a_known_code_and_other_needs_words(self) -> None:
        for kwargs in (
            {},
            {"decline_code": "too_busy"},
            {"decline_code": DeclineCode.OTHER},
            {"decline_code": DeclineCode.OTHER, "reason": "   "},
        ):
            with self.subTest(kwargs=kwargs), self.assertRaises(RefusedError):
                self.decline(**kwargs)
        referral = self.referral()
        self.assertEqual(referral.status, ReferralStatus.SENT)
        self.assertEqual(referral.decline_code, "")

    def test_a_decline_in_words_only_is_coded_other(self) -> None:
        self.decline(reason="We closed the programme")
        self.assertEqual(self.referral().decline_code, DeclineCode.OTHER)

    def test_an_acceptance_carries_no_code(self) -> None:
        referral = self.referral()
        referral_actions.respond(
            self.worker("A"),
            referral,
            accept=True,
            reason="",
            decline_code=DeclineCode.SAFETY,
            expected_version=referral.version,
        )
        self.assertEqual(self.referral().decline_code, "")

    def test_the_receiving_page_declines_with_a_code(self) -> None:
        referral = self.referral()
        client = self.client_for("A", Role.CASE_WORKER)
        response = client.post(
            reverse("referrals:respond", args=[referral.reference]),
            {"answer": "decline", "decline_code": "outside_area", "version": referral.version},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.referral().decline_code, "outside_area")
        sender = self.client_for("B", Role.CASE_WORKER)
        detail = sender.get(reverse("referrals:detail", args=[referral.reference]))
        self.assertContains(detail, "Outside the area we cover")


class FeedbackKeyRotationTests(CareTestCase):
    """Anonymous feedback has a random key (its order must not follow the audit trail):
    `haven keys rotate` re-seals its comments like every other column."""

    def test_rotation_reseals_feedback_comments(self) -> None:
        for n in range(3):
            actions.record_feedback(
                self.worker(),
                {
                    "consent": True,
                    "anonymous": True,
                    "service_kind": "legal",
                    **answers(),
                    "comment": f"{COMMENT} {n}",
                },
            )
        old = crypto.key_ring()
        new = crypto.KeyRing(
            primary="k9",
            data_keys={**old.data_keys, "k9": os.urandom(32)},
            index_key=old.index_key,
            audit_key=old.audit_key,
        )
        with override_settings(HAVEN_KEYS_JSON=new.to_json()):
            crypto.reset_key_ring_cache()
            try:
                call_command("keys", "rotate", "--batch", "2", stdout=io.StringIO())
                with connection.cursor() as cursor:
                    cursor.execute("SELECT comment FROM care_feedback")
                    tokens = [token for (token,) in cursor.fetchall()]
                self.assertEqual(len(tokens), 3)
                self.assertTrue(all(t.startswith("hv1$k9$") for t in tokens))
                comments = sorted(f.comment for f in Feedback.objects.all())
                self.assertEqual(comments, [f"{COMMENT} {n}" for n in range(3)])
            finally:
                crypto.reset_key_ring_cache()
