"""Case management: the case status table and closing with approval, assistance that never
waits and never depends on cooperation, voluntary return, follow-ups and what is due,
concurrent edits, bad input, and the team and home pages."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pyotp
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from haven.accounts.actions import create_user
from haven.accounts.models import User
from haven.accounts.roles import Role
from haven.assistance.actions import (
    add_objective,
    record_follow_up,
    record_service,
    save_return_plan,
    schedule_follow_ups,
    update_service,
)
from haven.assistance.models import FollowUp, ReturnPlan, Service, ServiceStatus, SupportObjective
from haven.audit.models import Action, AuditEntry
from haven.cases.actions import (
    CASE_MOVES,
    add_journey_event,
    change_case_status,
    decide_closure,
    open_case,
    request_closure,
)
from haven.cases.choices import ClosureReason, Cooperation
from haven.cases.due import due_items
from haven.cases.models import Case, CaseEvent, CaseStatus, EventKind, Notification
from haven.core.errors import RefusedError, stale_edit_message
from haven.identification.status import IdentificationStatus
from tests.helpers import form_as_sent, hidden_version
from tests.personas import PASSWORD, HavenTestCase

CLOSED = (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)


def today() -> dt.date:
    return timezone.localdate()


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def snapshot(case: Case) -> dict[str, Any]:
    current = fresh(case)
    return {
        "version": current.version,
        "status": current.status,
        "closed_on": current.closed_on,
        "closure_requested_status": current.closure_requested_status,
        "identification_status": current.identification_status,
        "audit": AuditEntry.objects.count(),
        "events": CaseEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }


class CaseManagementTestCase(HavenTestCase):
    @property
    def case(self) -> Case:
        return fresh(self.world.cases["A"])

    @property
    def worker(self) -> User:
        return self.world.user("A", Role.CASE_WORKER)

    @property
    def supervisor(self) -> User:
        return self.world.user("A", Role.SUPERVISOR)

    def new_case(self, **fields: Any) -> Case:
        """A second case of organisation A, assigned to A's case worker."""
        case = open_case(
            self.worker,
            self.world.people["A"],
            assigned_to=self.worker,
            opened_on=dt.date(2026, 2, 2),
            summary="",
            confirmed_second_case=True,
        )
        if fields:
            Case.objects.filter(pk=case.pk).update(**fields)
        return fresh(case)

    def assertRefusedAndUnchanged(self, case: Case, action: Any) -> RefusedError:
        before = snapshot(case)
        with self.assertRaises(RefusedError) as refused:
            action(fresh(case))
        self.assertTrue(refused.exception.message)
        self.assertEqual(snapshot(case), before)
        return refused.exception


# --- 1. Case status and closing --------------------------------------------------------


class CaseStatusTests(CaseManagementTestCase):
    def test_every_pair_of_case_statuses(self) -> None:
        for old in CaseStatus:
            for new in CaseStatus:
                with self.subTest(old=old.value, new=new.value), transaction.atomic():
                    self.check_pair(old, new)
                    transaction.set_rollback(True)

    def check_pair(self, old: CaseStatus, new: CaseStatus) -> None:
        closed_on = today() - dt.timedelta(days=3) if old in CLOSED else None
        Case.objects.filter(pk=self.case.pk).update(status=old, closed_on=closed_on)
        case = self.case

        def act(current: Case) -> None:
            change_case_status(self.worker, current, new, expected_version=current.version)

        if (old, new) in CASE_MOVES and new not in CLOSED:
            before = snapshot(case)
            act(case)
            after = self.case
            self.assertEqual(after.status, new)
            self.assertEqual(after.version, before["version"] + 1)
            self.assertIsNone(after.closed_on)
            self.assertEqual(AuditEntry.objects.count(), before["audit"] + 1)
            entry = AuditEntry.objects.order_by("-seq").first()
            assert entry is not None
            self.assertEqual((entry.action, entry.changed_fields), (Action.CASE_STATUS, ["status"]))
            event = CaseEvent.objects.filter(case=case).order_by("-pk").first()
            assert event is not None
            reopened = old in CLOSED
            self.assertEqual(event.kind, EventKind.REOPENED if reopened else EventKind.STATUS)
            self.assertEqual(event.code, new)
        else:
            self.assertRefusedAndUnchanged(case, act)

    def test_closing_needs_a_request_and_another_supervisors_approval(self) -> None:
        case = self.case
        request_closure(
            self.worker,
            case,
            to=CaseStatus.CLOSED,
            reason=ClosureReason.GOALS_MET,
            details="",
            expected_version=case.version,
        )
        case = self.case
        self.assertEqual(case.status, CaseStatus.ACTIVE)  # still open until approved
        self.assertTrue(case.closure_pending)
        self.assertEqual(case.closure_requested_by, self.worker)
        # A second request while one waits is refused.
        self.assertRefusedAndUnchanged(
            case,
            lambda c: request_closure(
                self.worker,
                c,
                to=CaseStatus.CLOSED_REFERRED,
                reason=ClosureReason.REFERRED,
                details="",
                expected_version=c.version,
            ),
        )
        # The case worker cannot approve.
        error = self.assertRefusedAndUnchanged(
            case,
            lambda c: decide_closure(self.worker, c, approve=True, expected_version=c.version),
        )
        self.assertIn("supervisor", error.message)
        # The supervisor approves.
        decide_closure(self.supervisor, case, approve=True, expected_version=case.version)
        case = self.case
        self.assertEqual(case.status, CaseStatus.CLOSED)
        self.assertEqual(case.closed_on, today())
        self.assertFalse(case.closure_pending)
        event = CaseEvent.objects.filter(case=case).order_by("-pk").first()
        assert event is not None
        self.assertEqual(event.kind, EventKind.CLOSURE_APPROVED)

        # Reopening works and clears the closing date.
        change_case_status(self.worker, case, CaseStatus.ACTIVE, expected_version=case.version)
        case = self.case
        self.assertEqual(case.status, CaseStatus.ACTIVE)
        self.assertIsNone(case.closed_on)

    def test_supervisor_cannot_approve_their_own_request(self) -> None:
        case = self.case
        request_closure(
            self.supervisor,
            case,
            to=CaseStatus.CLOSED_REFERRED,
            reason=ClosureReason.REFERRED,
            details="",
            expected_version=case.version,
        )
        self.assertRefusedAndUnchanged(
            case,
            lambda c: decide_closure(self.supervisor, c, approve=True, expected_version=c.version),
        )
        second = create_user(
            actor=None,
            organisation_id=self.world.orgs["A"].pk,
            username="a-supervisor-2",
            password=PASSWORD,
            roles=[Role.SUPERVISOR.value],
            totp_secret=pyotp.random_base32(),
        )
        decide_closure(second, self.case, approve=True, expected_version=self.case.version)
        self.assertEqual(self.case.status, CaseStatus.CLOSED_REFERRED)

    def test_refused_closure_keeps_the_case_open(self) -> None:
        case = self.case
        request_closure(
            self.worker,
            case,
            to=CaseStatus.CLOSED,
            reason=ClosureReason.PERSON_DECLINED,
            details="",
            expected_version=case.version,
        )
        decide_closure(
            self.supervisor, self.case, approve=False, expected_version=self.case.version
        )
        case = self.case
        self.assertEqual(case.status, CaseStatus.ACTIVE)
        self.assertIsNone(case.closed_on)
        self.assertFalse(case.closure_pending)
        # Nothing left to decide.
        self.assertRefusedAndUnchanged(
            case,
            lambda c: decide_closure(self.supervisor, c, approve=True, expected_version=c.version),
        )

    def test_closure_request_must_close(self) -> None:
        for to in (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP):
            with self.subTest(to=to.value):
                self.assertRefusedAndUnchanged(
                    self.case,
                    lambda c, to=to: request_closure(
                        self.worker,
                        c,
                        to=to,
                        reason=ClosureReason.OTHER,
                        details="x",
                        expected_version=c.version,
                    ),
                )

    def test_closing_through_the_web(self) -> None:
        case = self.case
        worker = self.client_for("A", Role.CASE_WORKER)
        response = worker.post(
            reverse("cases:close_request", args=[case.reference]),
            {"to": CaseStatus.CLOSED, "reason": ClosureReason.GOALS_MET, "version": case.version},
        )
        self.assertEqual(response.status_code, 302)
        case = self.case
        self.assertTrue(case.closure_pending)
        approve = reverse("cases:close_decide", args=[case.reference, "approve"])
        # A case worker has no approval capability at all.
        self.assertEqual(worker.post(approve, {"version": case.version}).status_code, 403)
        self.assertEqual(self.case.status, CaseStatus.ACTIVE)
        supervisor = self.client_for("A", Role.SUPERVISOR)
        page = supervisor.get(reverse("cases:detail", args=[case.reference]))
        self.assertContains(page, "Approve closing")
        supervisor.post(approve, {"version": case.version})
        self.assertEqual(self.case.status, CaseStatus.CLOSED)
        reopen = worker.post(
            reverse("cases:status", args=[case.reference, CaseStatus.ACTIVE]),
            {"version": self.case.version},
        )
        self.assertEqual(reopen.status_code, 302)
        self.assertEqual(self.case.status, CaseStatus.ACTIVE)
        self.assertIsNone(self.case.closed_on)

    def test_closure_reason_other_needs_details(self) -> None:
        case = self.case
        response = self.client_for("A", Role.CASE_WORKER).post(
            reverse("cases:close_request", args=[case.reference]),
            {"to": CaseStatus.CLOSED, "reason": ClosureReason.OTHER, "version": case.version},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Say why the case is closed.", status_code=400)
        self.assertFalse(self.case.closure_pending)


# --- 2. Assistance never waits ---------------------------------------------------------


class AssistanceTests(CaseManagementTestCase):
    def test_assistance_whatever_the_status_and_cooperation(self) -> None:
        client = self.client_for("A", Role.CASE_WORKER)
        case = self.case
        ref = case.reference
        objective, service = self.world.objectives["A"], self.world.services["A"]
        pages = [
            reverse("cases:detail", args=[ref]),
            reverse("assistance:service_add", args=[ref]),
            reverse("assistance:objective_add", args=[ref]),
            reverse("assistance:assessment_add", args=[ref]),
            reverse("assistance:return_plan", args=[ref]),
            reverse("assistance:follow_ups_schedule", args=[ref]),
            reverse("assistance:objective_edit", args=[ref, objective.pk]),
            reverse("assistance:service_edit", args=[ref, service.pk]),
        ]
        for status in IdentificationStatus:
            for cooperation in Cooperation:
                with self.subTest(status=status.value, cooperation=cooperation.value):
                    Case.objects.filter(pk=case.pk).update(
                        identification_status=status, cooperation=cooperation
                    )
                    services = Service.objects.filter(case=case).count()
                    objectives = SupportObjective.objects.filter(case=case).count()
                    record_service(
                        self.worker,
                        self.case,
                        {
                            "stage": "initial",
                            "kind": "accommodation",
                            "status": "delivered",
                            "on": today(),
                        },
                    )
                    add_objective(
                        self.worker,
                        self.case,
                        {"stage": "initial", "plan_type": "SocialCare", "objectives": "Safe"},
                    )
                    self.assertEqual(Service.objects.filter(case=case).count(), services + 1)
                    self.assertEqual(
                        SupportObjective.objects.filter(case=case).count(), objectives + 1
                    )
                    for url in pages:
                        self.assertEqual(client.get(url).status_code, 200, url)
                    response = client.post(
                        pages[1],
                        {
                            "stage": "initial",
                            "kind": "psychosocial",
                            "status": "offered",
                            "on": today().isoformat(),
                        },
                    )
                    self.assertEqual(response.status_code, 302)
                    self.assertEqual(Service.objects.filter(case=case).count(), services + 2)
                    self.assertEqual(self.case.identification_status, status)

    def test_declining_a_service_closes_nothing_and_can_be_taken_up_later(self) -> None:
        case = self.case
        before = snapshot(case)
        service = record_service(
            self.worker,
            case,
            {
                "stage": "initial",
                "kind": "legal",
                "status": "declined",
                "on": today(),
                "decline_reason": "not_said",
            },
        )
        case = self.case
        self.assertEqual(case.status, CaseStatus.ACTIVE)
        self.assertEqual(case.status, before["status"])
        self.assertFalse(case.closure_pending)
        self.assertEqual(case.version, before["version"])
        changed = update_service(
            self.worker,
            service,
            {"status": ServiceStatus.DELIVERED, "on": today()},
            expected_version=service.version,
        )
        self.assertEqual(changed, ["status", "decline_reason"])
        service.refresh_from_db()
        self.assertEqual(service.status, ServiceStatus.DELIVERED)
        self.assertEqual(service.version, 2)
        self.assertEqual(self.case.status, CaseStatus.ACTIVE)

    def test_declined_service_updated_through_the_web(self) -> None:
        case = self.case
        service = record_service(
            self.worker,
            case,
            {
                "stage": "initial",
                "kind": "medical",
                "status": "declined",
                "on": today(),
                "decline_reason": "fear",
            },
        )
        client = self.client_for("A", Role.CASE_WORKER)
        url = reverse("assistance:service_edit", args=[case.reference, service.pk])
        data = form_as_sent(client.get(url))
        data["status"] = ServiceStatus.DELIVERED
        response = client.post(url, data)
        self.assertEqual(response.status_code, 302)
        service.refresh_from_db()
        self.assertEqual(service.status, ServiceStatus.DELIVERED)


# --- 3. Voluntary return ---------------------------------------------------------------


def return_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "informed_consent": True,
        "requested_on": today() - dt.timedelta(days=5),
        "destination_country": "KH",
        "risk_assessed_on": today() - dt.timedelta(days=2),
        "risk_level": "low",
        "risk_summary": "Family supportive; recruiter no longer in the village",
        "receiving_organisation": "Receiving NGO",
        "receiving_plan": "Met at the border, shelter for two weeks",
        "travel_on": None,
    }
    data.update(changes)
    return data


class ReturnPlanTests(CaseManagementTestCase):
    def test_return_needs_informed_consent(self) -> None:
        for consent in (False, None):
            with self.subTest(consent=consent):
                error = self.assertRefusedAndUnchanged(
                    self.case,
                    lambda c, consent=consent: save_return_plan(
                        self.worker,
                        c,
                        return_data(informed_consent=consent),
                        expected_version=None,
                    ),
                )
                self.assertIn("informed consent", error.message)
        self.assertFalse(ReturnPlan.objects.filter(case=self.case).exists())

    def test_return_needs_a_risk_assessment(self) -> None:
        self.assertRefusedAndUnchanged(
            self.case,
            lambda c: save_return_plan(
                self.worker, c, return_data(risk_assessed_on=None), expected_version=None
            ),
        )
        self.assertFalse(ReturnPlan.objects.filter(case=self.case).exists())

    def test_saved_plan_is_shown_as_voluntary(self) -> None:
        plan = save_return_plan(self.worker, self.case, return_data(), expected_version=None)
        self.assertTrue(plan.informed_consent)
        page = self.client_for("A", Role.CASE_WORKER).get(
            reverse("cases:detail", args=[self.case.reference])
        )
        self.assertContains(page, "Voluntary return, not a deportation.")

    def test_web_form_without_consent_answers_400(self) -> None:
        case = self.case
        data = return_data(informed_consent=False)
        posted = {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in data.items()
            if v not in (False, None)
        }
        response = self.client_for("A", Role.CASE_WORKER).post(
            reverse("assistance:return_plan", args=[case.reference]), posted
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "informed consent", status_code=400)
        self.assertFalse(ReturnPlan.objects.filter(case=case).exists())


# --- 4. Follow-ups and what is due -----------------------------------------------------


class FollowUpTests(CaseManagementTestCase):
    def test_follow_ups_at_30_90_180_365_days_without_duplicates(self) -> None:
        case = self.new_case()
        start = dt.date(2026, 6, 1)
        created = schedule_follow_ups(self.worker, case, start)
        expected = [start + dt.timedelta(days=d) for d in (30, 90, 180, 365)]
        self.assertEqual(sorted(f.due_on for f in created), expected)
        again = schedule_follow_ups(self.worker, case, start)
        self.assertEqual(again, [])
        self.assertEqual(
            sorted(FollowUp.objects.filter(case=case).values_list("due_on", flat=True)), expected
        )

    def test_scheduling_nothing_new_records_nothing(self) -> None:
        """A second call creates no follow-up, so it must not claim one in the audit trail,
        the case history or the team's notifications."""
        case = self.new_case()
        schedule_follow_ups(self.worker, case, dt.date(2026, 6, 1))
        before = snapshot(case)
        self.assertEqual(schedule_follow_ups(self.worker, case, dt.date(2026, 6, 1)), [])
        self.assertEqual(snapshot(case), before)

    def test_missed_follow_up_is_due_in_the_list_the_command_and_the_page(self) -> None:
        case = self.new_case()
        schedule_follow_ups(self.worker, case, today() - dt.timedelta(days=40))
        missed_on = today() - dt.timedelta(days=10)
        items = due_items(Case.objects.filter(pk=case.pk), today())
        self.assertEqual(
            [(i.kind, i.due_on) for i in items if i.kind.startswith("follow_up")],
            [("follow_up_missed", missed_on)],
        )
        self.assertTrue(items[0].overdue)

        out = StringIO()
        call_command("due", stdout=out)
        self.assertIn(
            f"{missed_on.isoformat()}  {case.reference}  follow_up_missed  {self.worker.username}",
            out.getvalue(),
        )
        out = StringIO()
        call_command("due", "--format", "json", stdout=out)
        report = json.loads(out.getvalue())
        rows = [
            item
            for org in report["organisations"]
            for item in org["items"]
            if item["case"] == case.reference
        ]
        self.assertIn(
            {
                "case": case.reference,
                "kind": "follow_up_missed",
                "due_on": missed_on.isoformat(),
                "overdue": True,
                "case_worker": self.worker.username,
            },
            rows,
        )

        page = self.client_for("A", Role.CASE_WORKER).get(
            reverse("cases:detail", args=[case.reference])
        )
        self.assertContains(page, '<strong class="bad">missed</strong>', count=1)
        self.assertContains(page, "planned")

        # Recorded: no longer missed.
        follow_up = FollowUp.objects.get(case=case, due_on=missed_on)
        record_follow_up(
            self.worker,
            follow_up,
            {"done_on": today(), "outcome": "well", "note": ""},
            expected_version=follow_up.version,
        )
        items = due_items(Case.objects.filter(pk=case.pk), today())
        self.assertFalse([i for i in items if i.kind == "follow_up_missed"])

    def test_closed_cases_have_nothing_due(self) -> None:
        case = self.new_case()
        schedule_follow_ups(self.worker, case, today() - dt.timedelta(days=40))
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=today())
        self.assertEqual(due_items(Case.objects.filter(pk=case.pk), today()), [])


# --- 5. Concurrent edits through the web -----------------------------------------------


class CaseConcurrencyTests(CaseManagementTestCase):
    def editors(self) -> tuple[Client, Client]:
        return self.client_for("A", Role.CASE_WORKER), self.client_for("A", Role.SUPERVISOR)

    def open_form(self, client: Client, url: str) -> dict[str, Any]:
        page = client.get(url)
        self.assertEqual(page.status_code, 200)
        data = form_as_sent(page)
        self.assertEqual(data["version"], str(hidden_version(page)))
        return data

    def test_second_save_of_the_case_record_is_refused(self) -> None:
        case = self.case
        url = reverse("cases:record", args=[case.reference])
        first, second = self.editors()
        first_form = self.open_form(first, url)
        second_form = self.open_form(second, url)
        self.assertEqual(first_form["version"], second_form["version"])

        saved = first.post(url, {**first_form, "age_when_trafficked": "25"})
        self.assertRedirects(
            saved,
            reverse("cases:detail", args=[case.reference]) + "#record",
            fetch_redirect_response=False,
        )
        records = AuditEntry.objects.filter(action=Action.CASE_RECORD).count()
        refused = second.post(
            url,
            {
                **second_form,
                "age_when_trafficked": "40",
                "exploitation_types": ["SexualExploitation"],
            },
        )
        self.assertRedirects(refused, url, fetch_redirect_response=False)

        case = self.case
        self.assertEqual(case.age_when_trafficked, 25)
        self.assertNotIn("SexualExploitation", case.exploitation_types)
        self.assertEqual(case.version, int(first_form["version"]) + 1)
        self.assertEqual(AuditEntry.objects.filter(action=Action.CASE_RECORD).count(), records)
        shown = second.get(refused["Location"])
        self.assertContains(shown, escape(stale_edit_message()), count=1)
        self.assertEqual(form_as_sent(shown)["age_when_trafficked"], "25")

    def test_second_save_of_a_support_objective_is_refused(self) -> None:
        case = self.case
        objective = self.world.objectives["A"]
        url = reverse("assistance:objective_edit", args=[case.reference, objective.pk])
        first, second = self.editors()
        first_form = self.open_form(first, url)
        second_form = self.open_form(second, url)

        saved = first.post(url, {**first_form, "objectives": "Objective from the case worker"})
        self.assertRedirects(
            saved,
            reverse("cases:detail", args=[case.reference]) + "#assistance",
            fetch_redirect_response=False,
        )
        refused = second.post(url, {**second_form, "objectives": "Objective from the supervisor"})
        self.assertRedirects(refused, url, fetch_redirect_response=False)

        objective.refresh_from_db()
        self.assertEqual(objective.objectives, "Objective from the case worker")
        self.assertEqual(objective.version, int(first_form["version"]) + 1)
        self.assertContains(second.get(url), escape(stale_edit_message()), count=1)


# --- 6. Bad input ----------------------------------------------------------------------


class BadInputTests(CaseManagementTestCase):
    def test_bad_case_record_answers_400_and_saves_nothing(self) -> None:
        case = self.case
        url = reverse("cases:record", args=[case.reference])
        client = self.client_for("A", Role.CASE_WORKER)
        form = form_as_sent(client.get(url))
        tomorrow = (today() + dt.timedelta(days=1)).isoformat()
        bad = [
            ({"exploitation_types": ["ForcedLabour", "Smuggling"]}, "Smuggling is not one of"),
            ({"age_when_trafficked": "-1"}, "greater than or equal to 0"),
            ({"guardian_appointed_on": tomorrow}, "Enter a date between 1950 and today."),
            ({"asylum_referral_on": tomorrow}, "Enter a date between 1950 and today."),
            ({"cooperation": "testified_in_exchange"}, "Select a valid choice."),
        ]
        before = snapshot(case)
        for change, message in bad:
            with self.subTest(change=change):
                response = client.post(url, {**form, **change})
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, escape(message), status_code=400)
                self.assertContains(response, "Nothing was saved", status_code=400)
                self.assertEqual(snapshot(case), before)

    def test_journey_step_in_the_future_is_refused(self) -> None:
        case = self.case
        url = reverse("cases:journey_add", args=[case.reference])
        client = self.client_for("A", Role.CASE_WORKER)
        response = client.post(
            url,
            {"stage": "recruitment", "happened_on": (today() + dt.timedelta(days=3)).isoformat()},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(case.journey.exists())
        event = add_journey_event(
            self.worker, case, {"stage": "recruitment", "happened_on": dt.date(2025, 5, 1)}
        )
        self.assertEqual(list(case.journey.all()), [event])


# --- 7. Team and home pages ------------------------------------------------------------


class TeamAndHomeTests(CaseManagementTestCase):
    def test_team_view_counts_the_case_workers_load(self) -> None:
        case = self.case
        FollowUp.objects.filter(case__organisation=self.world.orgs["A"]).delete()
        Case.objects.filter(pk=case.pk).update(
            identification_status=IdentificationStatus.PRESUMED,
            first_decision_due=today() - dt.timedelta(days=2),
        )
        self.new_case()
        self.new_case(status=CaseStatus.FOLLOW_UP)
        self.new_case(status=CaseStatus.CLOSED, closed_on=today())
        missed = self.new_case()
        FollowUp.objects.create(case=missed, due_on=today() - dt.timedelta(days=1))

        response = self.client_for("A", Role.SUPERVISOR).get(reverse("cases:team"))
        self.assertEqual(response.status_code, 200)
        rows = {row["worker"].username: row for row in response.context["rows"] if row["worker"]}
        row = rows[self.worker.username]
        self.assertEqual((row["open"], row["follow_up"], row["overdue"]), (3, 1, 2))
        self.assertContains(response, self.worker.username)
        self.assertContains(response, '<strong class="bad">2</strong>')
        self.assertContains(response, case.reference)
        self.assertNotContains(response, self.world.cases["B"].reference)
        self.assertEqual(
            self.client_for("A", Role.CASE_WORKER).get(reverse("cases:team")).status_code, 403
        )

    def test_home_page_shows_an_overdue_first_decision(self) -> None:
        case = self.case
        due_on = today() - dt.timedelta(days=3)
        Case.objects.filter(pk=case.pk).update(
            identification_status=IdentificationStatus.PRESUMED, first_decision_due=due_on
        )
        page = self.client_for("A", Role.CASE_WORKER).get(reverse("core:home"))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "<h2>Due</h2>", html=False)
        self.assertContains(page, "First decision past its target date")
        overdue = [i for i in page.context["due"].items if i.kind == "first_decision_overdue"]
        self.assertEqual(
            [(i.case.reference, i.due_on) for i in overdue], [(case.reference, due_on)]
        )

    def test_home_page_of_another_case_worker_does_not_list_the_case(self) -> None:
        case = self.case
        Case.objects.filter(pk=case.pk).update(
            identification_status=IdentificationStatus.PRESUMED,
            first_decision_due=today() - dt.timedelta(days=3),
        )
        page = self.client_for("B", Role.CASE_WORKER).get(reverse("core:home"))
        self.assertNotContains(page, case.reference)


class NotificationTests(CaseManagementTestCase):
    def test_home_lists_new_events_once_and_marking_them_read_moves_them_to_activity(self) -> None:
        supervisor = self.world.user("A", Role.SUPERVISOR)
        case = self.world.cases["A"]
        change_case_status(
            self.world.user("A", Role.CASE_WORKER), case, "FollowUp", expected_version=case.version
        )
        client = self.client_for("A", Role.SUPERVISOR)
        label = str(EventKind.STATUS.label)
        page = client.get(reverse("core:home")).content.decode()
        self.assertEqual(page.count(label), 1)  # under "New for you", not repeated below
        client.post(reverse("cases:notifications_read"))
        self.assertFalse(Notification.objects.filter(user=supervisor, read_at__isnull=True))
        page = client.get(reverse("core:home")).content.decode()
        self.assertEqual(page.count(label), 1)  # now under "Newest activity"
