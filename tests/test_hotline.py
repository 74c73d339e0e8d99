"""The hotline (haven.hotline): each action's rules called directly (refused with the
message, nothing changed), then the pages: bad input saves nothing and never fails, and
the call log's query count is pinned."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from haven.accounts.actions import create_user, ensure_organisation
from haven.accounts.models import OrganisationType, User
from haven.accounts.roles import Role
from haven.audit.models import Action, AuditEntry
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.hotline import actions, advice, volume
from haven.hotline.choices import CallOutcome, LeadSource, LeadStatus, Topic
from haven.hotline.models import Call, DutyShift, Lead, SosAlert
from haven.people.models import Person
from haven.screening.models import Screening
from haven.stats.disclosure import Rules
from tests.personas import PASSWORD, READY, HavenTestCase

CALL = {
    "channel": "phone",
    "caller_type": "family_member",
    "topic": "job_offer",
    "language": "km",
    "outcome": "advice_only",
}


def _state() -> tuple[int, int, int, int, int]:
    return (
        Call.objects.count(),
        SosAlert.objects.count(),
        Lead.objects.count(),
        DutyShift.objects.count(),
        AuditEntry.objects.count(),
    )


class HotlineTestCase(HavenTestCase):
    def operator(self, org: str = "A"):  # type: ignore[no-untyped-def]
        return self.world.user(org, Role.HOTLINE_OPERATOR)

    def supervisor(self, org: str = "A"):  # type: ignore[no-untyped-def]
        return self.world.user(org, Role.SUPERVISOR)

    def assertRefused(self, message: str, change, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        before = _state()
        with self.assertRaises(RefusedError) as raised:
            change(*args, **kwargs)
        self.assertIn(message, raised.exception.message)
        self.assertEqual(_state(), before)

    def a_lead(self, org: str = "A") -> Lead:
        return actions.open_lead(
            self.operator(org),
            source=LeadSource.HOTLINE,
            country="KH",
            region="KH-12",
            district="",
            sector="F_Construction",
            summary="Neighbour says workers are locked in a site at night",
        )


class LogCallTests(HotlineTestCase):
    def test_a_call_is_logged_without_anything_identifying(self) -> None:
        call = actions.log_call(
            self.operator(), **CALL, advice=["job_offer", "fees"], region="KH-12", country="KH"
        )
        self.assertEqual(call.advice, ["fees", "job_offer"])
        self.assertEqual(call.organisation, self.world.orgs["A"])
        entry = AuditEntry.objects.get(action=Action.HOTLINE_CALL, object_ref=str(call.pk))
        self.assertNotIn("notes", entry.changed_fields)

    def test_notes_are_encrypted_at_rest(self) -> None:
        call = actions.log_call(self.operator(), **CALL, notes="Caller's sister in Bangkok")
        with connection.cursor() as cursor:
            cursor.execute("SELECT notes FROM hotline_call WHERE id = %s", [call.pk])
            (raw,) = cursor.fetchone()
        self.assertNotIn("sister", str(raw))
        self.assertEqual(Call.objects.get(pk=call.pk).notes, "Caller's sister in Bangkok")

    def test_passing_on_needs_the_callers_consent(self) -> None:
        data = {**CALL, "outcome": CallOutcome.PASSED_ON}
        self.assertRefused("consent", actions.log_call, self.operator(), **data)
        call = actions.log_call(self.operator(), **data, caller_consent=True)
        self.assertTrue(call.caller_consent)

    def test_unknown_codes_are_refused(self) -> None:
        for field, value, message in (
            ("channel", "pigeon", "how the call came in"),
            ("caller_type", "x", "who called"),
            ("topic", "x", "topic"),
            ("language", "fr", "language"),
            ("outcome", "x", "outcome"),
        ):
            self.assertRefused(message, actions.log_call, self.operator(), **{**CALL, field: value})

    def test_unknown_advice_scripts_are_refused(self) -> None:
        self.assertRefused(
            "advice scripts", actions.log_call, self.operator(), **CALL, advice=["made_up"]
        )

    def test_a_region_must_belong_to_its_country(self) -> None:
        self.assertRefused(
            "region of the country",
            actions.log_call,
            self.operator(),
            **CALL,
            country="TH",
            region="KH-12",
        )
        self.assertRefused(
            "country of the region", actions.log_call, self.operator(), **CALL, region="KH-12"
        )

    def test_notes_are_checked_for_length(self) -> None:
        self.assertRefused(
            "too long",
            actions.log_call,
            self.operator(),
            **CALL,
            notes="x" * (actions.MAX_NOTES + 1),
        )

    def test_a_call_cannot_come_from_the_future(self) -> None:
        later = timezone.now() + dt.timedelta(days=1)
        self.assertRefused("future", actions.log_call, self.operator(), **CALL, received_at=later)

    def test_roles_without_the_hotline_are_refused(self) -> None:
        for role in (Role.CASE_WORKER, Role.COORDINATOR, Role.COMMUNITY_REPORTER):
            self.assertRefused(
                "does not allow", actions.log_call, self.world.user("A", role), **CALL
            )


class SosTests(HotlineTestCase):
    def sos(self, **changes: str) -> SosAlert:
        data = {"where": "Behind the fish market", "who": "Two girls", "danger": "Locked in"}
        return actions.raise_sos(self.operator(), **{**data, **changes})

    def test_with_nobody_on_duty_every_supervisor_is_alerted(self) -> None:
        second = create_user(
            actor=None,
            organisation_id=self.world.orgs["A"].pk,
            username="a-supervisor-2",
            password=PASSWORD,
            roles=[Role.SUPERVISOR.value],
        )
        alert = self.sos()
        self.assertEqual(set(alert.alerted.all()), {self.supervisor(), second})
        self.assertEqual(alert.call.topic, Topic.SOS)
        self.assertTrue(
            AuditEntry.objects.filter(action=Action.SOS_RAISE, object_ref=str(alert.pk)).exists()
        )

    def test_the_supervisor_on_duty_is_alerted_and_no_one_else(self) -> None:
        second = create_user(
            actor=None,
            organisation_id=self.world.orgs["A"].pk,
            username="a-supervisor-3",
            password=PASSWORD,
            roles=[Role.SUPERVISOR.value],
        )
        now = timezone.now()
        actions.set_duty(
            self.supervisor(),
            supervisor=second,
            starts_at=now - dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(hours=7),
        )
        alert = self.sos()
        self.assertEqual(list(alert.alerted.all()), [second])

    def test_the_minimum_is_required_and_short(self) -> None:
        self.assertRefused("what the danger is", self.sos, danger="")
        self.assertRefused("Say where", self.sos, where="")
        self.assertRefused("too long", self.sos, who="x" * (actions.MAX_SOS_TEXT + 1))

    def test_the_sos_fields_are_encrypted_at_rest(self) -> None:
        alert = self.sos()
        with connection.cursor() as cursor:
            cursor.execute(
                'SELECT "where", who, danger FROM hotline_sosalert WHERE id = %s', [alert.pk]
            )
            row = cursor.fetchone()
        self.assertNotIn("fish", " ".join(str(v) for v in row))

    def test_acknowledged_once_by_a_supervisor(self) -> None:
        alert = self.sos()
        self.assertRefused("does not allow", actions.acknowledge_sos, self.operator(), alert)
        self.assertRefused("does not allow", actions.acknowledge_sos, self.supervisor("B"), alert)
        done = actions.acknowledge_sos(self.supervisor(), alert)
        self.assertEqual(done.acknowledged_by, self.supervisor())
        self.assertRefused(
            "already acknowledged", actions.acknowledge_sos, self.supervisor(), alert
        )


class DutyTests(HotlineTestCase):
    def test_shift_rules(self) -> None:
        now = timezone.now()
        sup = self.supervisor()
        hour = dt.timedelta(hours=1)
        self.assertRefused(
            "does not allow",
            actions.set_duty,
            self.operator(),
            supervisor=sup,
            starts_at=now,
            ends_at=now + hour,
        )
        self.assertRefused(
            "supervisor of your organisation",
            actions.set_duty,
            sup,
            supervisor=self.supervisor("B"),
            starts_at=now,
            ends_at=now + hour,
        )
        self.assertRefused(
            "supervisor of your organisation",
            actions.set_duty,
            sup,
            supervisor=self.operator(),
            starts_at=now,
            ends_at=now + hour,
        )
        self.assertRefused(
            "end after", actions.set_duty, sup, supervisor=sup, starts_at=now, ends_at=now
        )
        self.assertRefused(
            "a week at most",
            actions.set_duty,
            sup,
            supervisor=sup,
            starts_at=now,
            ends_at=now + dt.timedelta(days=8),
        )
        self.assertRefused(
            "already ended",
            actions.set_duty,
            sup,
            supervisor=sup,
            starts_at=now - 3 * hour,
            ends_at=now - hour,
        )
        shift = actions.set_duty(sup, supervisor=sup, starts_at=now, ends_at=now + 8 * hour)
        self.assertRefused(
            "already on duty",
            actions.set_duty,
            sup,
            supervisor=sup,
            starts_at=now + hour,
            ends_at=now + 9 * hour,
        )
        self.assertEqual(actions.on_duty(self.world.orgs["A"].pk), [sup])
        self.assertRefused("does not allow", actions.remove_duty, self.supervisor("B"), shift)
        actions.remove_duty(sup, shift)
        self.assertFalse(DutyShift.objects.filter(pk=shift.pk).exists())


class LeadTests(HotlineTestCase):
    def test_a_tip_opens_a_lead_and_no_person_record(self) -> None:
        people = Person.objects.count()
        call = actions.log_call(self.operator(), **{**CALL, "topic": Topic.TIP})
        lead = actions.open_lead(
            self.operator(),
            source=LeadSource.HOTLINE,
            country="",
            region="",
            district="",
            sector="",
            summary="Workers on a boat never come ashore",
            call=call,
        )
        self.assertEqual(lead.status, LeadStatus.OPEN)
        self.assertEqual(lead.call, call)
        self.assertEqual(Person.objects.count(), people)

    def test_open_lead_rules(self) -> None:
        op = self.operator()
        base = {
            "source": LeadSource.HOTLINE,
            "country": "",
            "region": "",
            "district": "",
            "sector": "",
            "summary": "x",
        }
        self.assertRefused(
            "what the lead is about", actions.open_lead, op, **{**base, "summary": " "}
        )
        self.assertRefused("too long", actions.open_lead, op, **{**base, "summary": "x" * 2001})
        self.assertRefused("sector", actions.open_lead, op, **{**base, "sector": "mining"})
        self.assertRefused("comes from", actions.open_lead, op, **{**base, "source": "rumour"})
        self.assertRefused("District", actions.open_lead, op, **{**base, "district": "d" * 33})
        # Only a coordinator or supervisor turns a community report into a lead.
        self.assertRefused(
            "does not allow", actions.open_lead, op, **{**base, "source": LeadSource.COMMUNITY}
        )
        self.assertRefused(
            "does not allow", actions.open_lead, self.world.user("A", Role.CASE_WORKER), **base
        )
        other_call = actions.log_call(self.operator("B"), **CALL)
        self.assertRefused("does not allow", actions.open_lead, op, **base, call=other_call)
        lead = actions.open_lead(
            self.world.user("A", Role.COORDINATOR),
            **{**base, "source": LeadSource.COMMUNITY, "district": "KH-12-01"},
        )
        self.assertEqual(lead.source, LeadSource.COMMUNITY)

    def test_assign_pass_meet_close(self) -> None:
        lead = self.a_lead()
        sup, worker = self.supervisor(), self.world.user("A", Role.CASE_WORKER)
        self.assertRefused(
            "does not allow",
            actions.assign_lead,
            self.operator(),
            lead,
            worker=worker,
            expected_version=lead.version,
        )
        self.assertRefused(
            "outreach worker of your organisation",
            actions.assign_lead,
            sup,
            lead,
            worker=self.world.user("B", Role.CASE_WORKER),
            expected_version=lead.version,
        )
        # An operator sees only the leads they opened: not someone to give one to.
        self.assertRefused(
            "outreach worker of your organisation",
            actions.assign_lead,
            sup,
            lead,
            worker=self.operator(),
            expected_version=lead.version,
        )
        with self.assertRaises(ConcurrentEditError):
            actions.assign_lead(sup, lead, worker=worker, expected_version=99)
        lead = actions.assign_lead(sup, lead, worker=worker, expected_version=lead.version)
        self.assertEqual(lead.status, LeadStatus.ASSIGNED)
        # The outreach worker says they met the person; the lead made no person record.
        lead = actions.record_person_met(worker, lead, expected_version=lead.version)
        self.assertEqual(lead.status, LeadStatus.PERSON_MET)
        self.assertRefused(
            "cannot become",
            actions.assign_lead,
            sup,
            lead,
            worker=worker,
            expected_version=lead.version,
        )
        lead = actions.close_lead(sup, lead, expected_version=lead.version)
        self.assertRefused(
            "cannot become", actions.close_lead, sup, lead, expected_version=lead.version
        )

    def test_another_outreach_worker_cannot_say_the_person_was_met(self) -> None:
        lead = self.a_lead()
        self.assertRefused(
            "does not allow",
            actions.record_person_met,
            self.world.user("A", Role.CASE_WORKER),
            lead,
            expected_version=lead.version,
        )
        # Open (nobody assigned): a supervisor cannot skip to "met" either.
        self.assertRefused(
            "cannot become",
            actions.record_person_met,
            self.supervisor(),
            lead,
            expected_version=lead.version,
        )

    def test_passing_a_tip_that_identifies_the_caller_needs_consent(self) -> None:
        lead = self.a_lead()
        sup = self.supervisor()
        other = self.world.orgs["B"]
        kwargs = {"expected_version": lead.version, "identifies_caller": True}
        self.assertRefused(
            "only with their consent",
            actions.pass_lead,
            sup,
            lead,
            organisation=other,
            caller_consent=False,
            **kwargs,
        )
        self.assertRefused(
            "one organisation or one provider",
            actions.pass_lead,
            sup,
            lead,
            caller_consent=True,
            **kwargs,
        )
        self.assertRefused(
            "another organisation",
            actions.pass_lead,
            sup,
            lead,
            organisation=self.world.orgs["A"],
            caller_consent=True,
            **kwargs,
        )
        training, _ = ensure_organisation(
            actor=None, name="Practice hotline", org_type=OrganisationType.HOTLINE, country="KH"
        )
        training.is_training = True
        training.save()
        self.assertRefused(
            "training space",
            actions.pass_lead,
            sup,
            lead,
            organisation=training,
            caller_consent=True,
            **kwargs,
        )
        passed = actions.pass_lead(sup, lead, organisation=other, caller_consent=True, **kwargs)
        self.assertEqual(passed.status, LeadStatus.PASSED_ON)
        self.assertTrue(passed.caller_consent)

    def test_a_practice_lead_never_leaves_the_training_space(self) -> None:
        training, _ = ensure_organisation(
            actor=None, name="Practice space", org_type=OrganisationType.HOTLINE, country="KH"
        )
        training.is_training = True
        training.save()
        trainer_sup = create_user(
            actor=None,
            organisation_id=training.pk,
            username="t-supervisor",
            password=PASSWORD,
            roles=[Role.SUPERVISOR.value],
        )
        lead = actions.open_lead(
            trainer_sup,
            source=LeadSource.HOTLINE,
            country="",
            region="",
            district="",
            sector="",
            summary="Practice tip",
        )
        for target in (
            {"organisation": self.world.orgs["A"]},
            {"provider": self.world.providers["B"]},
        ):
            self.assertRefused(
                "never leave the training space",
                actions.pass_lead,
                trainer_sup,
                lead,
                expected_version=lead.version,
                identifies_caller=False,
                caller_consent=False,
                **target,
            )

    def test_a_tip_that_does_not_identify_the_caller_passes_without_consent(self) -> None:
        lead = self.a_lead()
        passed = actions.pass_lead(
            self.supervisor(),
            lead,
            expected_version=lead.version,
            provider=self.world.providers["B"],
            identifies_caller=False,
            caller_consent=False,
        )
        self.assertEqual(passed.passed_to_provider, self.world.providers["B"])


class QuickScreeningTests(HotlineTestCase):
    def test_a_quick_screening_starts_from_the_call_and_is_linked(self) -> None:
        call = actions.log_call(self.operator(), **CALL)
        screening = actions.start_call_screening(self.operator(), call, readiness=READY)
        call.refresh_from_db()
        self.assertEqual(call.screening, screening)
        self.assertIsNone(screening.person)
        self.assertEqual(call.outcome, CallOutcome.SCREENING_STARTED)
        self.assertRefused(
            "already started", actions.start_call_screening, self.operator(), call, readiness=READY
        )

    def test_another_organisations_call_is_refused(self) -> None:
        call = actions.log_call(self.operator("B"), **CALL)
        screenings = Screening.objects.count()
        self.assertRefused(
            "does not allow", actions.start_call_screening, self.operator(), call, readiness=READY
        )
        self.assertEqual(Screening.objects.count(), screenings)


class AdviceLibraryTests(HotlineTestCase):
    def test_every_script_is_in_the_six_languages_and_translations_are_marked_drafts(self) -> None:
        for key in advice.script_keys():
            for language in ("en", "id", "th", "km", "vi", "my"):
                script = advice.script(key, language)
                self.assertEqual(script.language, language, key)
                self.assertTrue(script.title and script.steps, key)
                self.assertEqual(script.draft, language != "en", (key, language))


class VolumeTests(HotlineTestCase):
    def test_small_counts_are_hidden_and_training_calls_never_count_deployment_wide(self) -> None:
        today = timezone.localdate()
        for _ in range(12):
            actions.log_call(self.operator(), **CALL)
        actions.log_call(self.operator("B"), **{**CALL, "topic": Topic.SOS})
        training, _ = ensure_organisation(
            actor=None, name="Training hotline", org_type=OrganisationType.HOTLINE, country="KH"
        )
        training.is_training = True
        training.save()
        trainee_op = create_user(
            actor=None,
            organisation_id=training.pk,
            username="t-operator",
            password=PASSWORD,
            roles=[Role.HOTLINE_OPERATOR.value],
        )
        for _ in range(20):
            actions.log_call(trainee_op, **CALL)
        rules = Rules(threshold=3, base=1)
        mine = volume.call_volume(self.supervisor(), today, today, rules=rules)
        self.assertEqual(mine.by_time.total, 12)
        whole = volume.call_volume(
            self.world.user("A", Role.COORDINATOR), today, today, rules=rules
        )
        self.assertEqual(whole.by_time.total, 13)  # A's 12 and B's one; no training call
        topics = dict(zip(whole.by_topic.rows, whole.by_topic.row_totals, strict=True))
        self.assertIsNone(topics[str(Topic.SOS.label)])  # one SOS call: hidden
        self.assertEqual(volume.call_volume(self.operator(), today, today).by_time.total, 0)

    def test_the_chart_marks_campaign_periods(self) -> None:
        today = timezone.localdate()
        found = volume.call_volume(self.supervisor(), today - dt.timedelta(days=60), today)
        self.assertEqual(found.step, "week")
        svg = volume.chart_svg(found, [(today - dt.timedelta(days=20), today, "Safe jobs 2026")])
        self.assertIn(b"Safe jobs 2026", svg)


class PageTests(HotlineTestCase):
    def test_bad_input_on_every_form_saves_nothing_and_never_fails(self) -> None:
        op, sup = self.client_for("A", Role.HOTLINE_OPERATOR), self.client_for("A", Role.SUPERVISOR)
        call = actions.log_call(self.operator(), **CALL)
        lead = self.a_lead()
        junk = {
            "channel": "x\x00",
            "topic": "y" * 5000,
            "place": "ZZ-99",
            "danger": "",
            "notes": "n" * 9000,
        }
        before = _state()
        for client, url in (
            (op, reverse("hotline:call_new")),
            (op, reverse("hotline:sos")),
            (op, reverse("hotline:call_lead", args=[call.pk])),
            (op, reverse("hotline:call_screening", args=[call.pk])),
            (sup, reverse("hotline:duty")),
        ):
            response = client.post(url, junk)
            self.assertEqual(response.status_code, 400, url)
            self.assertContains(response, "Nothing was saved", status_code=400)
        for name in ("lead_assign", "lead_pass", "lead_close"):
            response = sup.post(
                reverse(f"hotline:{name}", args=[lead.pk]), {"version": "x", "worker": "9999"}
            )
            self.assertEqual(response.status_code, 302, name)
        self.assertEqual(op.get(reverse("hotline:calls") + "?day=not-a-day").status_code, 400)
        self.assertEqual(
            sup.get(reverse("hotline:volume") + "?start=2026-05-01&end=2026-01-01").status_code, 400
        )
        self.assertEqual(_state(), before)
        lead.refresh_from_db()
        self.assertEqual(lead.status, LeadStatus.OPEN)

    def test_the_call_form_logs_a_call_with_the_advice_given(self) -> None:
        op = self.client_for("A", Role.HOTLINE_OPERATOR)
        response = op.post(
            reverse("hotline:call_new"),
            {**CALL, "place": "KH-12", "advice": ["job_offer", "documents"]},
        )
        call = Call.objects.latest("pk")
        self.assertRedirects(response, reverse("hotline:call_detail", args=[call.pk]))
        self.assertEqual((call.country, call.region), ("KH", "KH-12"))
        self.assertEqual(call.advice, ["documents", "job_offer"])

    def test_the_sos_screen_alerts_and_the_supervisor_acknowledges(self) -> None:
        op, sup = self.client_for("A", Role.HOTLINE_OPERATOR), self.client_for("A", Role.SUPERVISOR)
        response = op.post(
            reverse("hotline:sos"),
            {"place": "KH-12", "danger": "Beaten", "channel": "phone", "language": "km"},
        )
        alert = SosAlert.objects.get()
        self.assertRedirects(response, reverse("hotline:call_detail", args=[alert.call_id]))
        home = sup.get(reverse("core:home"))
        self.assertContains(home, "An SOS call waits for a supervisor")
        self.assertContains(sup.get(reverse("hotline:alerts")), "Beaten")
        sup.post(reverse("hotline:alert_acknowledge", args=[alert.pk]))
        alert.refresh_from_db()
        self.assertIsNotNone(alert.acknowledged_at)
        self.assertNotContains(sup.get(reverse("core:home")), "An SOS call waits")

    def test_the_sos_screen_never_claims_an_alert_that_reached_nobody(self) -> None:
        User.objects.filter(
            organisation=self.world.orgs["A"], roles__icontains="supervisor"
        ).update(is_active=False)
        response = self.client_for("A", Role.HOTLINE_OPERATOR).post(
            reverse("hotline:sos"),
            {"place": "KH-12", "danger": "Beaten", "channel": "phone", "language": "km"},
            follow=True,
        )
        self.assertContains(response, "No supervisor could be alerted")
        self.assertNotContains(response, "has been alerted")
        self.assertFalse(SosAlert.objects.get().alerted.exists())

    def test_nothing_personal_in_the_page_title(self) -> None:
        alert = actions.raise_sos(self.operator(), where="Pier 7", who="Sokha", danger="Beaten")
        page = (
            self.client_for("A", Role.HOTLINE_OPERATOR)
            .get(reverse("hotline:call_detail", args=[alert.call_id]))
            .content.decode()
        )
        title = re.search(r"<title>(.*?)</title>", page, re.S)
        assert title is not None
        self.assertNotIn("Sokha", title.group(1))

    def test_the_call_log_query_count_does_not_grow(self) -> None:
        client = self.client_for("A", Role.HOTLINE_OPERATOR)

        def count() -> int:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(reverse("hotline:calls"))
            self.assertEqual(response.status_code, 200)
            return len(captured)

        for _ in range(3):
            actions.log_call(self.operator(), **CALL)
        few = count()
        for _ in range(30):
            actions.log_call(self.operator(), **CALL)
        self.assertEqual(count(), few)
        self.assertEqual(few, CALL_LOG_QUERIES)

    def test_the_lead_list_query_count_does_not_grow(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        self.a_lead()
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("hotline:leads"))
        for _ in range(10):
            self.a_lead()
        with CaptureQueriesContext(connection) as many:
            client.get(reverse("hotline:leads"))
        self.assertEqual(len(few), len(many))


class PagesInEveryLanguageTests(HotlineTestCase):
    def test_every_page_answers_in_khmer_and_its_tables_have_captions(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        client.cookies["django_language"] = "km"
        alert = actions.raise_sos(self.operator(), where="x", who="y", danger="z")
        lead = self.a_lead()
        urls = [
            reverse("hotline:calls"),
            reverse("hotline:call_new"),
            reverse("hotline:sos"),
            reverse("hotline:call_detail", args=[alert.call_id]),
            reverse("hotline:call_lead", args=[alert.call_id]),
            reverse("hotline:alerts"),
            reverse("hotline:duty"),
            reverse("hotline:leads"),
            reverse("hotline:lead_detail", args=[lead.pk]),
            reverse("hotline:volume"),
        ]
        for url in urls:
            response = client.get(url)
            self.assertEqual(response.status_code, 200, url)
            html = response.content.decode()
            self.assertIn('lang="km"', html, url)
            for table in re.findall(r"<table\b.*?</table>", html, flags=re.S):
                self.assertRegex(table, r"^<table[^>]*>\s*<caption\b", url)
                for header in re.findall(r"<th\b[^>]*>", table):
                    self.assertRegex(header, r'scope="(col|row)"', url)


# Session and user with their organisation (2), count and page of calls (2), the
# session's save (3).
CALL_LOG_QUERIES = 7


# --- Hypothesis: the call and SOS forms, any input --------------------------------------

TEXT = st.text(max_size=700)
FIELD_VALUES = st.one_of(
    TEXT,
    st.sampled_from(["phone", "tip", "sos", "km", "KH-12", "KH", "ZZ-1", "advice_only"]),
    st.lists(st.sampled_from(["job_offer", "fees", "nonsense", ""]), max_size=3),
)
CALL_FIELDS = [
    "channel",
    "caller_type",
    "topic",
    "language",
    "place",
    "advice",
    "outcome",
    "caller_consent",
    "notes",
]
SOS_FIELDS = ["place", "where", "who", "danger", "channel", "language"]


class FuzzedHotlineFormsTests(HypothesisTestCase, HotlineTestCase):
    """Each example: one POST; a refusal answers 400 and saves nothing, never a 500."""

    def check(self, url: str, data: dict[str, object]) -> None:
        client = self.client_for("A", Role.HOTLINE_OPERATOR)
        before = _state()
        response = client.post(url, data)
        if response.status_code == 302:
            self.assertEqual(_state()[0], before[0] + 1)
            return
        self.assertEqual(response.status_code, 400, data)
        self.assertEqual(_state(), before)

    @hypothesis_settings(max_examples=25, deadline=None, database=None)
    @given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(CALL_FIELDS, FIELD_VALUES)))
    def test_the_call_form_never_fails_and_saves_all_or_nothing(self, data: dict) -> None:  # type: ignore[type-arg]
        self.check(reverse("hotline:call_new"), data)

    @hypothesis_settings(max_examples=25, deadline=None, database=None)
    @given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(SOS_FIELDS, FIELD_VALUES)))
    def test_the_sos_form_never_fails_and_saves_all_or_nothing(self, data: dict) -> None:  # type: ignore[type-arg]
        self.check(reverse("hotline:sos"), data)
