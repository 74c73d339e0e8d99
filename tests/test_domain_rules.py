"""Rules live in the domain actions: each action refuses on its own, whatever page, command
or script calls it.

- A closed case is read-only: every action that changes it, or anything hanging off it,
  is refused with a message in the user's language and changes nothing (not the row, not
  the audit trail). Reopening, withdrawing consent, revoking a referral and the recipient's
  answer stay possible, each for a reason given below.
- Who may hold a case, who may assign it, which services take referrals, who answers a
  referral: checked by the action, not only by the form or the page.
- Derived facts (overdue, missed, expired) come from one function, used by the case page
  and by `haven due` alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pyotp
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from haven.accounts.actions import create_user
from haven.accounts.models import User
from haven.accounts.roles import Role
from haven.assistance import actions as assist
from haven.assistance.models import FollowUp, ReturnPlan, Service, SupportObjective
from haven.cases import actions as cases
from haven.cases.choices import AsylumReferral, ClosureReason
from haven.cases.due import due_items
from haven.cases.models import Case, CaseEvent, CaseStatus, EventKind
from haven.core.errors import RefusedError
from haven.identification.actions import change_status
from haven.identification.status import IdentificationStatus
from haven.referrals import actions as referrals
from haven.referrals.models import (
    Channel,
    Consent,
    OverrideGround,
    OverrideRequest,
    Referral,
    ReferralStatus,
)
from haven.screening.actions import start_screening
from tests.closed_cases import close, everything_about
from tests.personas import PASSWORD, READY, HavenTestCase, World, consent_data

Act = Callable[[World], object]


def today() -> dt.date:
    return timezone.localdate()


def case_a(world: World) -> Case:
    return Case.objects.get(pk=world.cases["A"].pk)


def worker(world: World) -> User:
    return world.user("A", Role.CASE_WORKER)


def return_plan() -> dict[str, Any]:
    return {
        "informed_consent": True,
        "requested_on": today() - dt.timedelta(days=5),
        "destination_country": "KH",
        "risk_assessed_on": today() - dt.timedelta(days=2),
        "risk_level": "low",
        "risk_summary": "Family supportive",
        "receiving_organisation": "Receiving NGO",
        "receiving_plan": "Met at the border",
        "travel_on": None,
    }


def _send(world: World) -> Referral:
    return referrals.send_referral(
        worker(world),
        case_a(world),
        world.services_listed["B"],
        purpose="assistance",
        reason="AdditionalServicesRequired",
        details="",
        categories=["contact"],
        channel=Channel.HAVEN,
    )


def _objective(world: World) -> None:
    objective = SupportObjective.objects.get(pk=world.objectives["A"].pk)
    assist.update_objective(
        worker(world), objective, {"objectives": "Changed"}, expected_version=objective.version
    )


def _service(world: World) -> None:
    service = Service.objects.get(pk=world.services["A"].pk)
    assist.update_service(
        worker(world), service, {"note": "Changed"}, expected_version=service.version
    )


def _follow_up(world: World) -> None:
    follow_up = FollowUp.objects.get(pk=world.follow_ups["A"].pk)
    assist.record_follow_up(
        worker(world),
        follow_up,
        {"done_on": today(), "outcome": "well", "note": ""},
        expected_version=follow_up.version,
    )


def _approve_return(world: World) -> None:
    """A supervisor approves A's return plan (made here when the case is open: a closed
    case refuses before any plan is read, and nothing may be made on it first)."""
    case = case_a(world)
    if not case.is_closed:
        ReturnPlan.objects.create(case=case, **return_plan(), created_by=worker(world))
    assist.approve_return_plan(world.user("A", Role.SUPERVISOR), case, expected_version=1)


def _request_override(world: World) -> None:
    referral = Referral.objects.get(pk=world.referrals["A"].pk)
    referrals.request_override(
        worker(world),
        referral,
        ground=OverrideGround.IMMINENT_THREAT_TO_LIFE,  # A's referral goes to the police
        reason="Threatened tonight",
        hours=2,
        categories=["identity"],
        expected_version=referral.version,
    )


def _decide_override(world: World) -> None:
    """A supervisor approves the case worker's pending request (made here when the case is
    open; on a closed case an unsaved one: the closure refuses before the request is read,
    and nothing may be made on the case first)."""
    fields: dict[str, Any] = {
        "referral": world.referrals["A"],
        "requested_by": worker(world),
        "ground": OverrideGround.IMMINENT_THREAT_TO_LIFE,
        "reason": "Threatened tonight",
        "categories": ["identity"],
        "hours": 2,
    }
    if case_a(world).is_closed:
        request = OverrideRequest(**fields)
    else:
        request = OverrideRequest.objects.create(**fields)
    referrals.decide_override(
        world.user("A", Role.SUPERVISOR),
        request,
        approve=True,
        note="",
        expected_version=request.version,
    )


# Every action that changes a case or something hanging off it, called as the case's own
# case worker (or supervisor) would: each succeeds on an open case (checked below).
CHANGES: dict[str, Act] = {
    "update_case": lambda w: cases.update_case(
        worker(w),
        case_a(w),
        expected_version=case_a(w).version,
        summary="Changed notes",
        opened_on=case_a(w).opened_on,
    ),
    "update_case_record": lambda w: cases.update_case_record(
        worker(w), case_a(w), {"age_when_trafficked": 30}, expected_version=case_a(w).version
    ),
    "add_journey_event": lambda w: cases.add_journey_event(
        worker(w), case_a(w), {"stage": "Recruitment", "happened_on": dt.date(2025, 5, 1)}
    ),
    "change_case_status": lambda w: cases.change_case_status(
        worker(w), case_a(w), CaseStatus.FOLLOW_UP, expected_version=case_a(w).version
    ),
    "request_closure": lambda w: cases.request_closure(
        worker(w),
        case_a(w),
        to=CaseStatus.CLOSED_REFERRED,
        reason=ClosureReason.REFERRED,
        details="",
        expected_version=case_a(w).version,
    ),
    "decide_closure": lambda w: cases.decide_closure(
        w.user("A", Role.SUPERVISOR), case_a(w), approve=True, expected_version=case_a(w).version
    ),
    "identification.change_status": lambda w: change_status(
        worker(w),
        case_a(w),
        IdentificationStatus.PRESUMED,
        decided_on=today(),
        basis="",
        expected_version=case_a(w).version,
    ),
    "add_assessment": lambda w: assist.add_assessment(
        worker(w),
        case_a(w),
        {
            "assessed_on": today(),
            "individual_needs": "Rest",
            "family_needs": "",
            "community_needs": "",
            "retaliation_risk": "low",
            "retrafficking_risk": "low",
        },
    ),
    "add_objective": lambda w: assist.add_objective(
        worker(w), case_a(w), {"stage": "initial", "plan_type": "Health", "objectives": "Rest"}
    ),
    "update_objective": _objective,
    "record_service": lambda w: assist.record_service(
        worker(w),
        case_a(w),
        {"stage": "initial", "kind": "legal", "status": "offered", "on": today()},
    ),
    "update_service": _service,
    "save_return_plan": lambda w: assist.save_return_plan(
        worker(w), case_a(w), return_plan(), expected_version=None
    ),
    "approve_return_plan": _approve_return,
    "record_age_assessment": lambda w: cases.record_age_assessment(
        worker(w), case_a(w), method="interview", assessed_on=today(), outcome="child"
    ),
    "schedule_follow_ups": lambda w: assist.schedule_follow_ups(
        worker(w), case_a(w), dt.date(2026, 3, 1)
    ),
    "record_follow_up": _follow_up,
    "record_consent": lambda w: referrals.record_consent(
        worker(w), case_a(w), consent_data(w.providers["B"], categories=["health"])
    ),
    "send_referral": _send,
    "request_override": _request_override,
    "decide_override": _decide_override,
}
# Refused on an open case for its own reason: there is no closure request to decide.
NOTHING_TO_DECIDE_WHEN_OPEN = frozenset({"decide_closure"})


class ClosedCaseIsReadOnlyTests(HavenTestCase):
    def test_every_changing_action_is_refused_on_a_closed_case_and_changes_nothing(self) -> None:
        for to in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED):
            with transaction.atomic():
                case = close(self.world, to=to)
                for name, act in CHANGES.items():
                    with self.subTest(closed_as=to, action=name):
                        before = everything_about(case)
                        with self.assertRaises(RefusedError) as refused:
                            act(self.world)
                        self.assertEqual(refused.exception.message, cases.closed_case_message())
                        self.assertEqual(everything_about(case), before)
                transaction.set_rollback(True)

    def test_every_changing_action_works_on_the_open_case(self) -> None:
        """The refusals above are the closure's doing: the same calls succeed when open."""
        for name, act in CHANGES.items():
            if name in NOTHING_TO_DECIDE_WHEN_OPEN:
                continue
            with self.subTest(action=name), transaction.atomic():
                act(self.world)
                transaction.set_rollback(True)

    def test_the_refusal_is_in_the_users_language(self) -> None:
        close(self.world)
        with translation.override("id"), self.assertRaises(RefusedError) as refused:
            CHANGES["add_assessment"](self.world)
        with translation.override("en"):
            english = cases.closed_case_message()
        self.assertNotEqual(refused.exception.message, english)
        self.assertTrue(refused.exception.message)

    def test_a_case_object_read_before_the_closure_cannot_slip_through(self) -> None:
        """The check reads the locked row afresh: an object loaded before the case was
        closed (a form opened earlier, a slow request) does not count as open."""
        stale = case_a(self.world)
        close(self.world)
        self.assertFalse(stale.is_closed)
        before = everything_about(stale)
        with self.assertRaises(RefusedError):
            assist.record_service(
                worker(self.world),
                stale,
                {"stage": "initial", "kind": "legal", "status": "offered", "on": today()},
            )
        with self.assertRaises(RefusedError):
            cases.update_case(
                worker(self.world),
                stale,
                expected_version=stale.version,
                summary="From a form opened before the closure",
                opened_on=stale.opened_on,
            )
        self.assertEqual(everything_about(stale), before)

    def test_the_closed_refusal_comes_before_the_stale_version(self) -> None:
        """Someone closed the case while you edited: you are told it is closed, not to
        make your changes again."""
        stale_version = case_a(self.world).version
        close(self.world)
        with self.assertRaises(RefusedError) as refused:
            cases.update_case_record(
                worker(self.world),
                case_a(self.world),
                {"age_when_trafficked": 30},
                expected_version=stale_version,
            )
        self.assertEqual(refused.exception.message, cases.closed_case_message())


class AllowedAfterClosureTests(HavenTestCase):
    """What stays possible on a closed case, and why."""

    def test_reopening_is_the_one_status_change_a_closed_case_accepts(self) -> None:
        case = close(self.world)
        for to in (CaseStatus.FOLLOW_UP, CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED):
            with self.subTest(to=to), self.assertRaises(RefusedError):
                cases.change_case_status(
                    worker(self.world), case, to, expected_version=case.version
                )
        cases.change_case_status(
            worker(self.world), case, CaseStatus.ACTIVE, expected_version=case.version
        )
        case.refresh_from_db()
        self.assertEqual(case.status, CaseStatus.ACTIVE)
        self.assertIsNone(case.closed_on)
        # Open again: changes are accepted again.
        CHANGES["add_assessment"](self.world)

    def test_the_person_can_always_withdraw_consent(self) -> None:
        """Withdrawing only ever protects the person: it must not wait for a reopening."""
        case = close(self.world)
        consent = self.world.consents["A"]
        page = self.client_for("A", Role.CASE_WORKER).get(
            reverse("cases:detail", args=[case.reference])
        )
        withdraw = reverse("referrals:consent_withdraw", args=[case.reference, consent.pk])
        self.assertContains(page, f'href="{withdraw}"')
        response = self.client_for("A", Role.CASE_WORKER).post(
            withdraw, {"reason": ""}, follow=True
        )
        self.assertContains(response, "Recipients inside Haven lost access at once")
        consent.refresh_from_db()
        self.assertIsNotNone(consent.withdrawn_at)
        self.assertEqual(
            referrals.visible_categories(self.world.referrals["A"], timezone.now()), []
        )
        self.assertTrue(
            CaseEvent.objects.filter(case=case, kind=EventKind.CONSENT_WITHDRAWN).exists()
        )

    def test_the_sender_can_revoke_a_referral_of_a_closed_case(self) -> None:
        """Revoking shares less, like withdrawing consent: a closed case must not keep a
        recipient's access open until someone reopens it."""
        close(self.world)
        referral = self.world.referrals["A"]
        referrals.revoke(worker(self.world), referral, expected_version=referral.version)
        self.assertEqual(referral.status, ReferralStatus.REVOKED)

    def test_the_recipient_answers_whatever_the_senders_case_status(self) -> None:
        """The answer is the receiving organisation's, about the referral: the sender's
        case being closed is not theirs to know or to wait for."""
        close(self.world)
        referral = self.world.referrals["A"]  # from A's case, now closed, to B
        receiver = self.world.user("B", Role.CASE_WORKER)
        referrals.respond(
            receiver, referral, accept=True, reason="", expected_version=referral.version
        )
        referrals.complete(
            receiver, referral, helped=True, outcome="Stayed", expected_version=referral.version
        )
        self.assertEqual(referral.status, ReferralStatus.COMPLETED)

    def test_the_closed_case_page_offers_no_change_but_reopening_and_withdrawal(self) -> None:
        case = close(self.world)
        page = self.client_for("A", Role.SUPERVISOR).get(
            reverse("cases:detail", args=[case.reference])
        )
        for name in ("cases:edit", "cases:record", "assistance:service_add", "referrals:new"):
            with self.subTest(url=name):
                self.assertNotContains(page, reverse(name, args=[case.reference]))
        self.assertContains(page, reverse("cases:status", args=[case.reference, "Active"]))
        detail = self.client_for("A", Role.CASE_WORKER).get(
            reverse("referrals:detail", args=[self.world.referrals["A"].reference])
        )
        self.assertNotContains(
            detail,
            reverse("referrals:override_request", args=[self.world.referrals["A"].reference]),
        )


class AssignmentRuleTests(HavenTestCase):
    """A case is held by an active case worker of its own organisation, and only those
    who may assign (supervisors, in GRANTS) assign it to someone else."""

    def assert_refused_unchanged(self, act: Callable[[], object]) -> str:
        case = case_a(self.world)
        before = everything_about(case)
        cases_before = Case.objects.count()
        with self.assertRaises(RefusedError) as refused:
            act()
        self.assertEqual(everything_about(case), before)
        self.assertEqual(Case.objects.count(), cases_before)
        return refused.exception.message

    def update_assignment(self, actor: User, assignee: User | None) -> list[str]:
        case = case_a(self.world)
        return cases.update_case(
            actor,
            case,
            expected_version=case.version,
            summary=case.summary,
            opened_on=case.opened_on,
            assigned_to=assignee,
        )

    def open_for(self, actor: User, assignee: User | None) -> Case:
        return cases.open_case(
            actor,
            self.world.people["A"],
            assigned_to=assignee,
            opened_on=today(),
            summary="",
            confirmed_second_case=True,
        )

    def test_a_case_cannot_be_assigned_outside_its_organisation(self) -> None:
        supervisor, outsider = (
            self.world.user("A", Role.SUPERVISOR),
            self.world.user("B", Role.CASE_WORKER),
        )
        message = self.assert_refused_unchanged(
            lambda: self.update_assignment(supervisor, outsider)
        )
        self.assertIn("case worker of its organisation", message)
        self.assert_refused_unchanged(lambda: self.open_for(supervisor, outsider))

    def test_only_an_active_case_worker_can_hold_a_case(self) -> None:
        supervisor = self.world.user("A", Role.SUPERVISOR)
        inactive = create_user(
            actor=None,
            organisation_id=self.world.orgs["A"].pk,
            username="a-case-worker-gone",
            password=PASSWORD,
            roles=[Role.CASE_WORKER.value],
            totp_secret=pyotp.random_base32(),
        )
        User.objects.filter(pk=inactive.pk).update(is_active=False)
        inactive.refresh_from_db()
        for assignee in (self.world.user("A", Role.SCREENER), supervisor, inactive):
            with self.subTest(assignee=assignee.username):
                self.assert_refused_unchanged(
                    lambda a=assignee: self.update_assignment(supervisor, a)
                )
                self.assert_refused_unchanged(lambda a=assignee: self.open_for(supervisor, a))

    def test_a_case_worker_cannot_reassign_or_assign_someone_else(self) -> None:
        colleague = create_user(
            actor=None,
            organisation_id=self.world.orgs["A"].pk,
            username="a-case-worker-2",
            password=PASSWORD,
            roles=[Role.CASE_WORKER.value],
            totp_secret=pyotp.random_base32(),
        )
        me = worker(self.world)
        for assignee in (colleague, None):
            with self.subTest(assignee=getattr(assignee, "username", None)):
                self.assert_refused_unchanged(lambda a=assignee: self.update_assignment(me, a))
        self.assert_refused_unchanged(lambda: self.open_for(me, colleague))
        # Holding a case themselves, or keeping the assignment as it is, is fine.
        self.assertEqual(self.open_for(me, me).assigned_to, me)
        self.assertEqual(self.update_assignment(me, me), [])

    def test_a_supervisor_assigns_within_the_organisation(self) -> None:
        colleague = create_user(
            actor=None,
            organisation_id=self.world.orgs["A"].pk,
            username="a-case-worker-3",
            password=PASSWORD,
            roles=[Role.CASE_WORKER.value],
            totp_secret=pyotp.random_base32(),
        )
        supervisor = self.world.user("A", Role.SUPERVISOR)
        self.assertEqual(self.update_assignment(supervisor, colleague), ["assigned_to"])
        self.assertEqual(self.update_assignment(supervisor, None), ["assigned_to"])
        self.assertEqual(self.open_for(supervisor, colleague).assigned_to, colleague)

    def test_the_default_assignee_is_the_case_worker_who_opens_it(self) -> None:
        self.assertEqual(cases.default_assignee(worker(self.world)), worker(self.world))
        self.assertIsNone(cases.default_assignee(self.world.user("A", Role.SUPERVISOR)))


class ActorRuleTests(HavenTestCase):
    """The action checks the actor's roles and scope itself (GRANTS), as the page does."""

    def test_nobody_outside_the_case_team_changes_a_case(self) -> None:
        case = case_a(self.world)
        outsiders = [
            self.world.user("B", Role.SUPERVISOR),  # another organisation
            self.world.user("A", Role.SCREENER),  # no right to edit cases
            self.world.user("A", Role.ORG_ADMIN),
            create_user(  # a case worker of A to whom this case is not assigned
                actor=None,
                organisation_id=self.world.orgs["A"].pk,
                username="a-case-worker-other",
                password=PASSWORD,
                roles=[Role.CASE_WORKER.value],
                totp_secret=pyotp.random_base32(),
            ),
        ]
        before = everything_about(case)
        for actor in outsiders:
            for name, act in {
                "update_case": lambda a: cases.update_case(
                    a, case, expected_version=case.version, summary="x", opened_on=case.opened_on
                ),
                "add_assessment": lambda a: assist.add_assessment(
                    a, case, {"assessed_on": today(), "retaliation_risk": "low"}
                ),
                "change_status": lambda a: change_status(
                    a,
                    case,
                    IdentificationStatus.PRESUMED,
                    decided_on=today(),
                    basis="",
                    expected_version=case.version,
                ),
                "record_consent": lambda a: referrals.record_consent(
                    a, case, consent_data(self.world.providers["B"])
                ),
                "withdraw_consent": lambda a: referrals.withdraw_consent(
                    a, self.world.consents["A"]
                ),
            }.items():
                with self.subTest(actor=actor.username, action=name):
                    with self.assertRaises(RefusedError):
                        act(actor)
                    self.assertEqual(everything_about(case), before)

    def test_only_the_recipient_answers_and_only_the_sender_revokes(self) -> None:
        referral = self.world.referrals["A"]  # from A's case to B's service
        sender, receiver = worker(self.world), self.world.user("B", Role.CASE_WORKER)
        version = referral.version
        for actor in (sender, self.world.user("B", Role.SCREENER)):
            with self.subTest(answering=actor.username), self.assertRaises(RefusedError):
                referrals.respond(actor, referral, accept=True, reason="", expected_version=version)
        for actor in (receiver, self.world.user("B", Role.SUPERVISOR)):
            with self.subTest(revoking=actor.username):
                with self.assertRaises(RefusedError):
                    referrals.revoke(actor, referral, expected_version=version)
                with self.assertRaises(RefusedError):
                    referrals.request_override(
                        actor,
                        referral,
                        ground=OverrideGround.IMMINENT_THREAT_TO_LIFE,
                        reason="Threat",
                        hours=1,
                        categories=["identity"],
                        expected_version=version,
                    )
        referral.refresh_from_db()
        self.assertEqual((referral.status, referral.version), (ReferralStatus.SENT, version))
        self.assertFalse(referral.override_requests.exists())

    def test_only_a_supervisor_decides_a_closure(self) -> None:
        case = case_a(self.world)
        cases.request_closure(
            worker(self.world),
            case,
            to=CaseStatus.CLOSED,
            reason=ClosureReason.GOALS_MET,
            details="",
            expected_version=case.version,
        )
        for role in (Role.CASE_WORKER, Role.DETERMINATION_OFFICER, Role.ORG_ADMIN):
            with self.subTest(role=role.value), self.assertRaises(RefusedError):
                cases.decide_closure(
                    self.world.user("A", role), case, approve=True, expected_version=case.version
                )
        with self.assertRaises(RefusedError):  # a supervisor of another organisation
            cases.decide_closure(
                self.world.user("B", Role.SUPERVISOR),
                case,
                approve=True,
                expected_version=case.version,
            )
        self.assertTrue(case_a(self.world).closure_pending)


class ReferralRuleTests(HavenTestCase):
    def send(self, **changes: Any) -> Referral:
        arguments: dict[str, Any] = {
            "purpose": "assistance",
            "reason": "AdditionalServicesRequired",
            "details": "",
            "categories": ["contact"],
            "channel": Channel.HAVEN,
            **changes,
        }
        service = arguments.pop("service", self.world.services_listed["B"])
        return referrals.send_referral(worker(self.world), case_a(self.world), service, **arguments)

    def assert_refused_unchanged(self, **changes: Any) -> str:
        case = case_a(self.world)
        before, count = everything_about(case), Referral.objects.count()
        with self.assertRaises(RefusedError) as refused:
            self.send(**changes)
        self.assertEqual(everything_about(case), before)
        self.assertEqual(Referral.objects.count(), count)
        return refused.exception.message

    def test_a_service_that_takes_no_referrals_is_refused_by_the_action(self) -> None:
        service = self.world.services_listed["B"]
        service.accepts_referrals = False
        service.save()
        for channel in (Channel.HAVEN, Channel.LETTER):
            with self.subTest(channel=channel):
                message = self.assert_refused_unchanged(channel=channel)
                self.assertIn("does not take referrals", message)
        service.accepts_referrals = True
        service.save()
        self.assertEqual(self.send().status, ReferralStatus.SENT)

    def test_the_directory_as_it_is_now_counts_not_the_object_passed_in(self) -> None:
        service = self.world.services_listed["B"]
        type(service).objects.filter(pk=service.pk).update(accepts_referrals=False)
        self.assertTrue(service.accepts_referrals)  # stale in memory
        self.assert_refused_unchanged(service=service)

    def test_no_referral_to_the_cases_own_organisation_by_any_channel(self) -> None:
        own = self.world.services_listed["A"]
        for channel in (Channel.HAVEN, Channel.LETTER, Channel.ENCRYPTED_FILE):
            with self.subTest(channel=channel):
                self.assert_refused_unchanged(service=own, channel=channel)

    def test_a_cross_border_referral_goes_only_to_a_trusted_deployment(self) -> None:
        message = self.assert_refused_unchanged(
            channel=Channel.CROSS_BORDER, other_deployment="nobody-we-know"
        )
        self.assertIn("deployment", message)

    def test_consent_is_recorded_only_once_everything_was_explained(self) -> None:
        case = case_a(self.world)
        for point in referrals.EXPLAINED:
            with self.subTest(not_explained=point):
                before, count = everything_about(case), Consent.objects.count()
                with self.assertRaises(RefusedError):
                    referrals.record_consent(
                        worker(self.world),
                        case,
                        consent_data(self.world.providers["B"], **{point: False}),
                    )
                self.assertEqual(everything_about(case), before)
                self.assertEqual(Consent.objects.count(), count)


class OtherActionRuleTests(HavenTestCase):
    """Rules the forms check early, that the actions now check on their own."""

    def assert_refused_unchanged(self, act: Callable[[], object]) -> str:
        case = case_a(self.world)
        before = everything_about(case)
        with self.assertRaises(RefusedError) as refused:
            act()
        self.assertEqual(everything_about(case), before)
        return refused.exception.message

    def test_closure_needs_a_known_reason_and_details_for_other(self) -> None:
        for reason, details in (("", ""), ("bored", ""), (ClosureReason.OTHER, "  ")):
            with self.subTest(reason=reason):
                self.assert_refused_unchanged(
                    lambda r=reason, d=details: cases.request_closure(
                        worker(self.world),
                        case_a(self.world),
                        to=CaseStatus.CLOSED,
                        reason=r,
                        details=d,
                        expected_version=case_a(self.world).version,
                    )
                )

    def test_dates_of_things_done_cannot_be_in_the_future(self) -> None:
        tomorrow = today() + dt.timedelta(days=1)
        w = self.world
        for name, act in {
            "open_case": lambda: cases.open_case(
                worker(w), w.people["A"], assigned_to=None, opened_on=tomorrow, summary=""
            ),
            "update_case": lambda: cases.update_case(
                worker(w),
                case_a(w),
                expected_version=case_a(w).version,
                summary="",
                opened_on=tomorrow,
            ),
            "journey": lambda: cases.add_journey_event(
                worker(w), case_a(w), {"stage": "Recruitment", "happened_on": tomorrow}
            ),
            "record": lambda: cases.update_case_record(
                worker(w),
                case_a(w),
                {"guardian_appointed_on": tomorrow},
                expected_version=case_a(w).version,
            ),
            "objective": lambda: assist.add_objective(
                worker(w),
                case_a(w),
                {
                    "stage": "initial",
                    "plan_type": "Health",
                    "objectives": "x",
                    "actual_end": tomorrow,
                },
            ),
        }.items():
            with self.subTest(action=name):
                cases_before = Case.objects.count()
                self.assertIn("future", self.assert_refused_unchanged(act))
                self.assertEqual(Case.objects.count(), cases_before)

    def test_a_declined_service_says_why_and_any_other_carries_no_reason(self) -> None:
        declined = {"stage": "initial", "kind": "legal", "status": "declined", "on": today()}
        for reason in ("", "bored"):
            with self.subTest(reason=reason):
                message = self.assert_refused_unchanged(
                    lambda r=reason: assist.record_service(
                        worker(self.world), case_a(self.world), {**declined, "decline_reason": r}
                    )
                )
                self.assertIn("did not say", message)
        service = assist.record_service(
            worker(self.world), case_a(self.world), {**declined, "decline_reason": "not_said"}
        )
        self.assertEqual(service.decline_reason, "not_said")
        # Taken up later: the reason goes with the decline.
        assist.update_service(
            worker(self.world), service, {"status": "delivered"}, expected_version=service.version
        )
        service.refresh_from_db()
        self.assertEqual((service.status, service.decline_reason), ("delivered", ""))
        offered = assist.record_service(
            worker(self.world),
            case_a(self.world),
            {**declined, "status": "offered", "decline_reason": "fear"},
        )
        self.assertEqual(offered.decline_reason, "")

    def test_an_asylum_referral_needs_its_date(self) -> None:
        self.assert_refused_unchanged(
            lambda: cases.update_case_record(
                worker(self.world),
                case_a(self.world),
                {"asylum_referral": AsylumReferral.REFERRED, "asylum_referral_on": None},
                expected_version=case_a(self.world).version,
            )
        )

    def test_a_return_needs_an_assessed_risk(self) -> None:
        for level in ("", "unknown"):
            with self.subTest(risk_level=level):
                self.assert_refused_unchanged(
                    lambda lv=level: assist.save_return_plan(
                        worker(self.world),
                        case_a(self.world),
                        {**return_plan(), "risk_level": lv},
                        expected_version=None,
                    )
                )

    def test_a_decision_relies_only_on_completed_screenings(self) -> None:
        unfinished = start_screening(
            worker(self.world),
            readiness=READY,
            person=self.world.people["A"],
            case=case_a(self.world),
        )
        message = self.assert_refused_unchanged(
            lambda: change_status(
                worker(self.world),
                case_a(self.world),
                IdentificationStatus.PRESUMED,
                decided_on=today(),
                basis="",
                screenings=[unfinished],
                expected_version=case_a(self.world).version,
            )
        )
        self.assertIn("completed", message)


class DerivedFactsTests(HavenTestCase):
    """The case page and `haven due` judge "overdue" and "missed" by the same function."""

    OVERDUE = '<strong class="bad">overdue</strong>'

    def page(self, case: Case) -> str:
        response = self.client_for("A", Role.SUPERVISOR).get(
            reverse("cases:detail", args=[case.reference])
        )
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def due_kinds(self, case: Case) -> set[str]:
        return {item.kind for item in due_items(Case.objects.filter(pk=case.pk), today())}

    def test_page_and_due_agree_on_overdue_decisions_in_every_status(self) -> None:
        past = today() - dt.timedelta(days=3)
        case = case_a(self.world)
        for status in IdentificationStatus:
            for case_status in CaseStatus:
                with self.subTest(status=status.value, case_status=case_status.value):
                    Case.objects.filter(pk=case.pk).update(
                        identification_status=status,
                        status=case_status,
                        first_decision_due=past,
                        final_decision_earliest=past - dt.timedelta(days=30),
                        final_decision_due=past,
                    )
                    current = case_a(self.world)
                    kinds = self.due_kinds(current)
                    overdue = {"first_decision_overdue", "final_decision_overdue"} & kinds
                    self.assertEqual(self.page(current).count(self.OVERDUE), len(overdue))
                    self.assertEqual(
                        "first_decision_overdue" in kinds, current.first_decision_overdue(today())
                    )
                    self.assertEqual(
                        "final_decision_overdue" in kinds, current.final_decision_overdue(today())
                    )

    def test_page_and_due_agree_on_missed_follow_ups(self) -> None:
        case = case_a(self.world)
        follow_up = FollowUp.objects.get(pk=self.world.follow_ups["A"].pk)
        FollowUp.objects.filter(pk=follow_up.pk).update(due_on=today() - dt.timedelta(days=1))
        self.assertIn("follow_up_missed", self.due_kinds(case))
        self.assertIn('<strong class="bad">missed</strong>', self.page(case))
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=today())
        closed = case_a(self.world)
        self.assertNotIn("follow_up_missed", self.due_kinds(closed))
        page = self.page(closed)
        self.assertNotIn('<strong class="bad">missed</strong>', page)
        self.assertIn("not done", page)

    def test_an_expired_consent_is_shown_expired_and_shares_nothing(self) -> None:
        consent = self.world.consents["A"]
        Consent.objects.filter(pk=consent.pk).update(expires_on=today() - dt.timedelta(days=1))
        consent.refresh_from_db()
        self.assertTrue(consent.is_expired_today)
        self.assertFalse(consent.is_live_today)
        self.assertIn("<strong>expired</strong>", self.page(case_a(self.world)))
        self.assertEqual(
            referrals.visible_categories(self.world.referrals["A"], timezone.now()), []
        )
