"""The authorization matrix: every URL pattern, every persona, the expected answer.

A URL pattern without an entry here fails the suite, so no view ships unreviewed.
Roles missing from an entry's `allowed` map must be refused with 403. For users of the
other organisation, a record-bound URL answers 404 to the roles that could otherwise
reach it: another organisation's record is never confirmed to exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.html import escape

from haven.accounts.actions import create_user
from haven.accounts.models import User
from haven.accounts.roles import Role
from haven.api import tokens as api_tokens
from haven.api.models import ApiScope, ApiToken
from haven.assistance.models import FollowUp, ReturnPlan, Service, SupportObjective
from haven.care.models import Stay
from haven.cases.actions import closed_case_message
from haven.cases.models import Case, Intake
from haven.justice.models import Penalisation
from haven.referrals.models import OverrideGround, OverrideRequest, OverrideStatus, Referral
from haven.stats.models import Release, ReleaseKind, ResultsFramework
from haven.translations.models import Proposal
from tests import identification_requests
from tests.closed_cases import close, everything_about
from tests.directory_matrix import DIRECTORY_MATRIX
from tests.hotline_matrix import HOTLINE_MATRIX
from tests.personas import HavenTestCase, World

LOGIN = "login"  # a redirect to the sign-in page
ALL_ROLES = tuple(Role)
VIEWERS = (Role.SCREENER, Role.CASE_WORKER, Role.SUPERVISOR, Role.DETERMINATION_OFFICER)
CASE_TEAM = (Role.CASE_WORKER, Role.SUPERVISOR, Role.DETERMINATION_OFFICER)
CASE_EDITORS = (Role.CASE_WORKER, Role.SUPERVISOR)
STAFF = {role: 302 for role in Role}
# A stale version: the state-changing POSTs are refused and change nothing.
STALE = {"version": "999"}
SCREENERS = (Role.SCREENER, Role.CASE_WORKER, Role.SUPERVISOR)
# A hotline operator reaches only the anonymous screenings they started from a call.
NOT_OWN: dict[Role, int | str] = {Role.HOTLINE_OPERATOR: 404}


def _all(status: int | str) -> dict[Role, int | str]:
    return dict.fromkeys(ALL_ROLES, status)


@dataclass(frozen=True)
class Probe:
    method: str
    allowed: dict[Role, int | str]
    kwargs: Callable[[World], dict[str, Any]] = lambda world: {}
    data: dict[str, Any] = field(default_factory=dict)
    record_bound: bool = False  # other organisation's users get 404 instead of `allowed`
    anonymous: int | str = LOGIN
    # Where organisation B's users get something else than `allowed` without the record
    # being A's: translators of B work in other languages than A's.
    other_org: dict[Role, int | str] = field(default_factory=dict)


TRANSLATION_ADMINS = {Role.ORG_ADMIN: 200, Role.SYSTEM_ADMIN: 200}
TRANSLATION_READERS = {Role.TRANSLATOR: 200, **TRANSLATION_ADMINS}
NOT_B: dict[Role, int | str] = {Role.TRANSLATOR: 404}


def a_question(world: World) -> dict[str, Any]:
    return {"language": "my", "part": "question", "key": "excessive_working_hours:child"}


def a_proposal(world: World) -> dict[str, Any]:
    """A fresh proposal by A's Burmese translator, for an admin to decide on."""
    proposal = Proposal.objects.create(
        language="my",
        part="question",
        key="excessive_working_hours:child",
        text="proposed wording",
        base_digest="0" * 16,
        proposed_by=world.user("A", Role.TRANSLATOR),
        proposed_at=timezone.now(),
    )
    return {"pk": proposal.pk}


STATS_READERS = {Role.ANALYST: 200, Role.SUPERVISOR: 200, Role.COORDINATOR: 200}


def a_release(world: World) -> dict[str, Any]:
    """A release of A's people, asked for by A's analyst, awaiting a second person."""
    release = Release.objects.create(
        kind=ReleaseKind.K_ANONYMOUS,
        organisation=world.orgs["A"],
        sha256=hashlib.sha256(b"x").hexdigest(),
        content=b"x",
        filename="r.csv",
        rows=0,
        requested_by=world.user("A", Role.ANALYST),
    )
    return {"pk": release.pk}


def a_framework(world: World) -> dict[str, Any]:
    framework = ResultsFramework.objects.create(
        organisation=world.orgs["A"],
        title="Assistance 2026",
        goal="People identified get the help they need",
        created_by=world.user("A", Role.ANALYST),
    )
    return {"pk": framework.pk}


def person_a(world: World) -> dict[str, Any]:
    return {"reference": world.people["A"].reference}


def case_a(world: World) -> dict[str, Any]:
    return {"reference": world.cases["A"].reference}


def return_plan_a(world: World) -> dict[str, Any]:
    """A's case, with a voluntary return plan waiting for approval."""
    ReturnPlan.objects.get_or_create(
        case=world.cases["A"],
        defaults={
            "requested_on": timezone.localdate(),
            "informed_consent": True,
            "destination_country": "KH",
            "risk_assessed_on": timezone.localdate(),
            "risk_level": "low",
            "receiving_organisation": "Receiving NGO",
            "created_by": world.user("A", Role.CASE_WORKER),
        },
    )
    return case_a(world)


def screening_a(world: World) -> dict[str, Any]:
    return {"reference": world.screenings["A"].reference}


def screening_topic_a(world: World) -> dict[str, Any]:
    return {**screening_a(world), "topic": "safety"}


def case_status_a(world: World) -> dict[str, Any]:
    return {**case_a(world), "status": "FollowUp"}


def intake_a(world: World) -> dict[str, Any]:
    """A person of organisation A waiting in its intake queue."""
    item, _created = Intake.objects.get_or_create(
        screening=world.screenings["A"],
        defaults={
            "organisation": world.orgs["A"],
            "person": world.people["A"],
            "handed_over_by": world.user("A", Role.SCREENER),
        },
    )
    return {"pk": item.pk}


def case_decision_a(world: World) -> dict[str, Any]:
    return {**case_a(world), "decision": "approve"}


def objective_a(world: World) -> dict[str, Any]:
    return {**case_a(world), "pk": world.objectives["A"].pk}


def service_a(world: World) -> dict[str, Any]:
    return {**case_a(world), "pk": world.services["A"].pk}


def follow_up_a(world: World) -> dict[str, Any]:
    return {**case_a(world), "pk": world.follow_ups["A"].pk}


def stay_a(world: World) -> dict[str, Any]:
    """A stay at a shelter on A's case, straight through the ORM: the matrix checks access."""
    stay, _created = Stay.objects.get_or_create(
        case=world.cases["A"],
        defaults={
            "place": "Matrix shelter",
            "entered_on": dt.date(2026, 1, 6),
            "free_to_leave_explained": True,
            "created_by": world.user("A", Role.CASE_WORKER),
        },
    )
    return {**case_a(world), "pk": stay.pk}


def justice_kind_a(world: World) -> dict[str, Any]:
    return {**case_a(world), "kind": "penalisation"}


def penalisation_a(world: World) -> dict[str, Any]:
    """An arrest recorded on A's case (one, made on first use)."""
    record, _created = Penalisation.objects.get_or_create(
        case=world.cases["A"],
        defaults={
            "kind": "arrest",
            "on": dt.date(2026, 1, 4),
            "authority_type": "police",
            "created_by": world.user("A", Role.CASE_WORKER),
        },
    )
    return {**justice_kind_a(world), "pk": record.pk}


def sent_by_a(world: World) -> dict[str, Any]:
    """A referral from A's case to B's service: A is the sender."""
    return {"reference": world.referrals["A"].reference}


def override_request_a(world: World) -> dict[str, Any]:
    """A's case worker asks to share A's referral without consent: waiting for a decision."""
    request, _made = OverrideRequest.objects.get_or_create(
        referral=world.referrals["A"],
        status=OverrideStatus.PENDING,
        defaults={
            "requested_by": world.user("A", Role.CASE_WORKER),
            "ground": OverrideGround.IMMINENT_THREAT_TO_LIFE,
            "reason": "Threatened tonight",
            "categories": ["identity"],
            "hours": 2,
        },
    )
    return {"pk": request.pk}


def sent_to_a(world: World) -> dict[str, Any]:
    """A referral from B's case to A's service: A is the receiver."""
    return {"reference": world.referrals["B"].reference}


def request_by_a(world: World) -> dict[str, Any]:
    """An identification request from A (an NGO) to B, the competent authority."""
    return {"reference": identification_requests.request_by_a(world).reference}


def consent_a(world: World) -> dict[str, Any]:
    return {**case_a(world), "pk": world.consents["A"].pk}


def screener_a(world: World) -> dict[str, Any]:
    return {"pk": world.user("A", Role.SCREENER).pk}


def a_token(world: World) -> dict[str, Any]:
    holder = world.user("A", Role.SUPERVISOR)
    ApiToken.objects.filter(user=holder).delete()  # a fresh token for each probe
    token, _secret = api_tokens.create_personal(
        holder, name="probe", scopes=[ApiScope.CASES_READ], days=1
    )
    return {"prefix": token.prefix}


def a_listed_service(world: World) -> dict[str, Any]:
    return {"service_id": world.services_listed["A"].pk}


# A hotline operator's own anonymous screenings are served by the API too.
TOKEN_HOLDERS = (
    Role.HOTLINE_OPERATOR,
    Role.SCREENER,
    Role.CASE_WORKER,
    Role.SUPERVISOR,
    Role.DETERMINATION_OFFICER,
    Role.COORDINATOR,
    Role.ANALYST,
    Role.ORG_ADMIN,
)


def spare_a(world: World) -> dict[str, Any]:
    """A user of A with no part in other probes: resetting them changes no persona."""
    spare = User.objects.filter(username="a-spare").first() or create_user(
        actor=None,
        organisation_id=world.orgs["A"].pk,
        username="a-spare",
        password="a spare account password",
        roles=[Role.SCREENER.value],
    )
    return {"pk": spare.pk}


MATRIX: dict[str, Probe] = {
    "core:home": Probe("GET", _all(200)),
    "core:healthz": Probe("GET", _all(200), anonymous=200),
    "set_language": Probe("POST", _all(302), data={"language": "km"}, anonymous=302),
    "accounts:login": Probe("GET", _all(302), anonymous=200),
    "accounts:enrol": Probe("GET", _all(302)),
    "accounts:enrol_codes": Probe("GET", _all(302)),
    "accounts:logout": Probe("POST", _all(302)),
    "accounts:reset_factors": Probe(
        "POST", {Role.ORG_ADMIN: 302, Role.SYSTEM_ADMIN: 302}, spare_a, record_bound=True
    ),
    "accounts:temporary_password": Probe(
        "POST", {Role.ORG_ADMIN: 200, Role.SYSTEM_ADMIN: 200}, spare_a, record_bound=True
    ),
    # Each organisation's admin sets their own organisation's rule: nothing to leak.
    "accounts:passkey_requirement": Probe("POST", {Role.ORG_ADMIN: 302, Role.SYSTEM_ADMIN: 302}),
    # Sign-in on django-allauth, under the names allauth reverses (haven.accounts.urls).
    "account_login": Probe("GET", _all(302), anonymous=200),
    "mfa_authenticate": Probe("GET", _all(302)),
    "account_logout": Probe("POST", _all(302)),
    "account_reauthenticate": Probe("GET", _all(200)),
    "mfa_reauthenticate": Probe("GET", _all(200)),
    "mfa_reauthenticate_webauthn": Probe("GET", _all(302)),
    "mfa_index": Probe("GET", _all(200)),
    "mfa_list_webauthn": Probe("GET", _all(200)),
    "mfa_add_webauthn": Probe("GET", _all(302)),
    "mfa_remove_webauthn": Probe("GET", _all(302), lambda world: {"pk": 1}),
    "mfa_activate_totp": Probe("GET", _all(302)),
    "mfa_deactivate_totp": Probe("GET", _all(302)),
    "mfa_view_recovery_codes": Probe("GET", _all(200)),
    "mfa_generate_recovery_codes": Probe("GET", _all(302)),
    # Recovery codes are shown once, right after they are made: none here.
    "mfa_download_recovery_codes": Probe("GET", _all(404), anonymous=302),
    "account_change_password": Probe("GET", _all(200)),
    # The work e-mail for reset links: only where reset by e-mail is on.
    "accounts:work_email": Probe("POST", _all(404), data={"email": "someone@example.org"}),
    "account_confirm_email": Probe("GET", _all(404), lambda world: {"key": "x"}, anonymous=404),
    # Reset by e-mail is off unless HAVEN_PASSWORD_RESET is "email".
    "account_reset_password": Probe("GET", _all(404), anonymous=404),
    "account_reset_password_done": Probe("GET", _all(404), anonymous=404),
    "account_reset_password_from_key": Probe(
        "GET", _all(404), lambda world: {"uidb36": "1", "key": "x"}, anonymous=404
    ),
    "account_reset_password_from_key_done": Probe("GET", _all(404), anonymous=404),
    "accounts:users": Probe("GET", {Role.ORG_ADMIN: 200, Role.SYSTEM_ADMIN: 200}),
    "accounts:unlock": Probe(
        "POST", {Role.ORG_ADMIN: 302, Role.SYSTEM_ADMIN: 302}, screener_a, record_bound=True
    ),
    "accounts:organisations": Probe("GET", {Role.SYSTEM_ADMIN: 200}),
    # Translations: deployment-wide texts; A's translator works in Burmese, B's in Thai.
    "translations:index": Probe("GET", TRANSLATION_READERS),
    "translations:proposals": Probe("GET", TRANSLATION_ADMINS),
    "translations:decide": Probe(
        "POST", dict.fromkeys(TRANSLATION_ADMINS, 302), a_proposal, data={"decision": "reject"}
    ),
    "translations:export": Probe(
        "GET", TRANSLATION_READERS, lambda w: {"language": "my", "kind": "po"}, other_org=NOT_B
    ),
    "translations:import": Probe(
        "GET", {Role.TRANSLATOR: 200}, lambda w: {"language": "my"}, other_org=NOT_B
    ),
    "translations:list": Probe(
        "GET",
        TRANSLATION_READERS,
        lambda w: {"language": "my", "part": "question"},
        other_org=NOT_B,
    ),
    "translations:detail": Probe("GET", TRANSLATION_READERS, a_question, other_org=NOT_B),
    "translations:review": Probe("POST", {Role.TRANSLATOR: 400}, a_question, other_org=NOT_B),
    "translations:propose": Probe("POST", {Role.TRANSLATOR: 400}, a_question, other_org=NOT_B),
    # Statistics: aggregates of the reader's organisation (a coordinator's: the deployment).
    "statistics:index": Probe("GET", STATS_READERS),
    "statistics:download": Probe("GET", STATS_READERS, lambda w: {"fmt": "csv"}),
    "statistics:chart": Probe("GET", STATS_READERS, lambda w: {"slug": "sex_age"}),
    "statistics:report": Probe("GET", STATS_READERS),
    "statistics:frameworks": Probe("GET", STATS_READERS),
    "statistics:framework": Probe(
        "GET", STATS_READERS, a_framework, record_bound=True, other_org={Role.COORDINATOR: 200}
    ),
    "statistics:framework_pdf": Probe(
        "GET", STATS_READERS, a_framework, record_bound=True, other_org={Role.COORDINATOR: 200}
    ),
    # A stale version: refused (400), nothing added.
    "statistics:framework_result": Probe(
        "POST",
        {Role.ANALYST: 400, Role.COORDINATOR: 400},
        a_framework,
        data={"level": "outcome", "statement": "More people assisted", "version": "999"},
        record_bound=True,
        other_org={Role.COORDINATOR: 400},
    ),
    "statistics:framework_indicator": Probe(
        "POST",
        {Role.ANALYST: 400, Role.COORDINATOR: 400},
        a_framework,
        data={"version": "999"},
        record_bound=True,
        other_org={Role.COORDINATOR: 400},
    ),
    "statistics:framework_value": Probe(
        "POST",
        {Role.ANALYST: 400, Role.COORDINATOR: 400},
        a_framework,
        data={"value-version": "999"},
        record_bound=True,
        other_org={Role.COORDINATOR: 400},
    ),
    "interop:import": Probe("GET", {Role.ORG_ADMIN: 200, Role.SUPERVISOR: 200}),
    "interop:xlsform": Probe("GET", dict.fromkeys((*SCREENERS, Role.HOTLINE_OPERATOR), 200)),
    "interop:submissions": Probe("GET", dict.fromkeys((*SCREENERS, Role.HOTLINE_OPERATOR), 200)),
    "statistics:releases": Probe(
        "GET", {Role.ANALYST: 200, Role.COORDINATOR: 200, Role.ORG_ADMIN: 200}
    ),
    "statistics:release_new": Probe("GET", {Role.ANALYST: 200, Role.COORDINATOR: 200}),
    # A's analyst asked for it: they may not approve it, nor download it before approval.
    "statistics:release_decide": Probe(
        "POST",
        {Role.ANALYST: 302, Role.COORDINATOR: 302, Role.ORG_ADMIN: 302},
        a_release,
        data={"decision": "approve", "version": "999"},
        record_bound=True,
        other_org={Role.COORDINATOR: 302},
    ),
    "statistics:release_download": Probe(
        "GET",
        {Role.ANALYST: 302, Role.COORDINATOR: 404, Role.ORG_ADMIN: 404},
        a_release,
        record_bound=True,
    ),
    "people:list": Probe("GET", dict.fromkeys(VIEWERS, 200)),
    "people:search": Probe("POST", dict.fromkeys(VIEWERS, 200), data={"name": "nobody"}),
    "people:create": Probe(
        "GET", {Role.SCREENER: 200, Role.CASE_WORKER: 200, Role.SUPERVISOR: 200}
    ),
    "people:detail": Probe("GET", dict.fromkeys(VIEWERS, 200), person_a, record_bound=True),
    "people:edit": Probe(
        "GET",
        {Role.SCREENER: 200, Role.CASE_WORKER: 200, Role.SUPERVISOR: 200},
        person_a,
        record_bound=True,
    ),
    "cases:list": Probe("GET", dict.fromkeys(CASE_TEAM, 200)),
    "cases:due": Probe("GET", dict.fromkeys(CASE_TEAM, 200)),
    "cases:create": Probe(
        "GET",
        # An intake officer opens cases only from the intake queue: no person is theirs to see.
        {Role.CASE_WORKER: 200, Role.SUPERVISOR: 200, Role.INTAKE_OFFICER: 404},
        person_a,
        record_bound=True,
    ),
    "cases:detail": Probe("GET", dict.fromkeys(CASE_TEAM, 200), case_a, record_bound=True),
    "cases:edit": Probe(
        "GET", {Role.CASE_WORKER: 200, Role.SUPERVISOR: 200}, case_a, record_bound=True
    ),
    "cases:record": Probe("GET", dict.fromkeys(CASE_EDITORS, 200), case_a, record_bound=True),
    "cases:journey_add": Probe("GET", dict.fromkeys(CASE_EDITORS, 200), case_a, record_bound=True),
    # Who may record an age assessment: who may edit the case record.
    "cases:age_assessment_add": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), case_a, record_bound=True
    ),
    "cases:status": Probe(
        "POST", dict.fromkeys(CASE_EDITORS, 302), case_status_a, data=STALE, record_bound=True
    ),
    "cases:close_request": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), case_a, record_bound=True
    ),
    "cases:close_decide": Probe(
        "POST", {Role.SUPERVISOR: 302}, case_decision_a, data=STALE, record_bound=True
    ),
    "cases:team": Probe("GET", {Role.SUPERVISOR: 200}),
    "cases:intake": Probe("GET", {Role.SUPERVISOR: 200, Role.INTAKE_OFFICER: 200}),
    "cases:intake_assign": Probe(
        "POST",
        {Role.SUPERVISOR: 302, Role.INTAKE_OFFICER: 302},
        intake_a,
        data={"version": "999"},
        record_bound=True,
    ),
    "cases:notifications_read": Probe("POST", STAFF),
    "identification:change": Probe("GET", dict.fromkeys(CASE_TEAM, 200), case_a, record_bound=True),
    "assistance:assessment_add": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), case_a, record_bound=True
    ),
    "assistance:objective_add": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), case_a, record_bound=True
    ),
    "assistance:objective_edit": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), objective_a, record_bound=True
    ),
    "assistance:service_add": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), case_a, record_bound=True
    ),
    "assistance:service_edit": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), service_a, record_bound=True
    ),
    "assistance:return_plan": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), case_a, record_bound=True
    ),
    "assistance:return_approve": Probe(
        "GET", {Role.SUPERVISOR: 200}, return_plan_a, record_bound=True
    ),
    "assistance:follow_ups_schedule": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), case_a, record_bound=True
    ),
    "assistance:follow_up_record": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), follow_up_a, record_bound=True
    ),
    # Shelter stays and feedback: assistance on the case; the aggregate for those who run
    # and evaluate the services.
    "care:stay_add": Probe("GET", dict.fromkeys(CASE_EDITORS, 200), case_a, record_bound=True),
    "care:stay_end": Probe("GET", dict.fromkeys(CASE_EDITORS, 200), stay_a, record_bound=True),
    "care:feedback_add": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), service_a, record_bound=True
    ),
    "care:feedback_anonymous": Probe("GET", dict.fromkeys(CASE_EDITORS, 200)),
    "care:feedback_summary": Probe("GET", {Role.SUPERVISOR: 200, Role.ANALYST: 200}),
    "justice:case": Probe("GET", dict.fromkeys(CASE_EDITORS, 200), case_a, record_bound=True),
    "justice:letter": Probe("GET", dict.fromkeys(CASE_EDITORS, 200), case_a, record_bound=True),
    "justice:add": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), justice_kind_a, record_bound=True
    ),
    "justice:edit": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), penalisation_a, record_bound=True
    ),
    "referrals:outgoing": Probe("GET", dict.fromkeys(CASE_EDITORS, 200)),
    # Two sides: A's case team sent it; B's determination officers and supervisors are
    # the authority. Everyone else, A's officers and B's case workers included: 404.
    "identification:requests": Probe(
        "GET", {Role.DETERMINATION_OFFICER: 200, Role.SUPERVISOR: 200}
    ),
    "identification:request": Probe(
        "GET",
        {Role.CASE_WORKER: 200, Role.SUPERVISOR: 200, Role.DETERMINATION_OFFICER: 404},
        request_by_a,
        record_bound=True,
        other_org={Role.SUPERVISOR: 200, Role.DETERMINATION_OFFICER: 200, Role.CASE_WORKER: 404},
    ),
    # An empty message: refused with a message, nothing written (test_identification_requests).
    "identification:request_message": Probe(
        "POST",
        {Role.CASE_WORKER: 302, Role.SUPERVISOR: 302, Role.DETERMINATION_OFFICER: 404},
        request_by_a,
        data={"body": ""},
        record_bound=True,
        other_org={Role.SUPERVISOR: 302, Role.DETERMINATION_OFFICER: 302, Role.CASE_WORKER: 404},
    ),
    # Only the authority decides; a stale form changes nothing.
    "identification:request_decide": Probe(
        "POST",
        {Role.DETERMINATION_OFFICER: 404, Role.SUPERVISOR: 404},
        request_by_a,
        data=STALE,
        record_bound=True,
        other_org={Role.SUPERVISOR: 302, Role.DETERMINATION_OFFICER: 302},
    ),
    "referrals:incoming": Probe("GET", dict.fromkeys((*CASE_EDITORS, Role.COORDINATOR), 200)),
    "referrals:import": Probe("GET", {Role.SUPERVISOR: 200}),
    "referrals:flows": Probe("GET", {Role.COORDINATOR: 200}),
    "referrals:consent_add": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), case_a, record_bound=True
    ),
    # A stale form: refused without change. Withdrawing is tested in test_referrals.
    "referrals:consent_withdraw": Probe(
        "POST", dict.fromkeys(CASE_EDITORS, 302), consent_a, data=STALE, record_bound=True
    ),
    "referrals:new": Probe("GET", dict.fromkeys(CASE_EDITORS, 200), case_a, record_bound=True),
    "referrals:detail": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), sent_by_a, record_bound=True
    ),
    "referrals:revoke": Probe(
        "POST", dict.fromkeys(CASE_EDITORS, 302), sent_by_a, data=STALE, record_bound=True
    ),
    "referrals:override_request": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), sent_by_a, record_bound=True
    ),
    # Emergency sharing: supervisors decide, and case workers approve in their place where
    # the case's jurisdiction allows it (A's is generic, which does).
    "referrals:emergency": Probe("GET", dict.fromkeys(CASE_EDITORS, 200)),
    "referrals:override_decide": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), override_request_a, record_bound=True
    ),
    # A stale form: refused without change. Only the requester (A's case worker) reaches
    # it; a supervisor of A is not the requester, so it is not found for them either.
    "referrals:override_withdraw": Probe(
        "POST",
        {Role.CASE_WORKER: 302, Role.SUPERVISOR: 404},
        override_request_a,
        data=STALE,
        record_bound=True,
    ),
    # A referral inside Haven has no letter: the page sends the user back to it.
    "referrals:letter": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 302), sent_by_a, record_bound=True
    ),
    "referrals:export": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 302), sent_by_a, record_bound=True
    ),
    "referrals:withdrawal_notice": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 302), sent_by_a, record_bound=True
    ),
    # The receiving side: only the receiving organisation, and only the packet.
    "referrals:packet": Probe(
        "GET", dict.fromkeys(CASE_EDITORS, 200), sent_to_a, record_bound=True
    ),
    "referrals:respond": Probe(
        "POST", dict.fromkeys(CASE_EDITORS, 302), sent_to_a, data=STALE, record_bound=True
    ),
    "referrals:route": Probe(
        "POST",
        {Role.SUPERVISOR: 302, Role.COORDINATOR: 302},
        sent_to_a,
        data=STALE,
        record_bound=True,
    ),
    "referrals:complete": Probe(
        "POST", dict.fromkeys(CASE_EDITORS, 302), sent_to_a, data=STALE, record_bound=True
    ),
    "referrals:ack": Probe("GET", dict.fromkeys(CASE_EDITORS, 302), sent_to_a, record_bound=True),
    "audit:list": Probe("GET", {Role.ORG_ADMIN: 200}),
    # A hotline operator screens anonymously from a call: their own screenings only.
    "screening:list": Probe("GET", dict.fromkeys((*VIEWERS, Role.HOTLINE_OPERATOR), 200)),
    "screening:start": Probe("GET", dict.fromkeys((*SCREENERS, Role.HOTLINE_OPERATOR), 200)),
    "screening:start_for_person": Probe(
        "GET", {**dict.fromkeys(SCREENERS, 200), **NOT_OWN}, person_a, record_bound=True
    ),
    # Screening from a case needs the right to edit that case: a screener has none.
    "screening:start_for_case": Probe(
        "GET",
        {Role.SCREENER: 404, Role.CASE_WORKER: 200, Role.SUPERVISOR: 200, **NOT_OWN},
        case_a,
        record_bound=True,
    ),
    "screening:resume": Probe(
        "GET", {**dict.fromkeys(VIEWERS, 302), **NOT_OWN}, screening_a, record_bound=True
    ),
    "screening:profile": Probe(
        "GET", {**dict.fromkeys(SCREENERS, 200), **NOT_OWN}, screening_a, record_bound=True
    ),
    "screening:topic": Probe(
        "GET", {**dict.fromkeys(SCREENERS, 200), **NOT_OWN}, screening_topic_a, record_bound=True
    ),
    "screening:quick": Probe(
        "GET", {**dict.fromkeys(SCREENERS, 200), **NOT_OWN}, screening_a, record_bound=True
    ),
    # Nothing answered yet opens a follow-up: the page sends the screener on.
    "screening:follow_up": Probe(
        "GET", {**dict.fromkeys(SCREENERS, 302), **NOT_OWN}, screening_a, record_bound=True
    ),
    "screening:suspended": Probe(
        "GET", {**dict.fromkeys(SCREENERS, 302), **NOT_OWN}, screening_a, record_bound=True
    ),
    # An unfinished screening's result is for those who may still edit it.
    "screening:result": Probe(
        "GET",
        {**dict.fromkeys(SCREENERS, 200), **NOT_OWN, Role.DETERMINATION_OFFICER: 404},
        screening_a,
        record_bound=True,
    ),
    "screening:hand_over": Probe(
        "POST", {**dict.fromkeys(VIEWERS, 302), **NOT_OWN}, screening_a, record_bound=True
    ),
    "screening:attach": Probe(
        "POST",
        {**dict.fromkeys(SCREENERS, 302), **NOT_OWN},
        screening_a,
        data={"person": "HVN-222-222"},
        record_bound=True,
    ),
    # A person's right to their data, and retention (haven.rights).
    "rights:subject_export": Probe("GET", {Role.SUPERVISOR: 200}, person_a, record_bound=True),
    "rights:retention": Probe("GET", {Role.ORG_ADMIN: 200}),
    "rights:legal_hold": Probe("GET", {Role.SUPERVISOR: 200}, case_a, record_bound=True),
    # API tokens: for the roles that some scope serves, and organisation admins.
    "api:tokens": Probe("GET", dict.fromkeys(TOKEN_HOLDERS, 200)),
    # A's supervisor's token: its holder and A's admin revoke it; B's admin cannot.
    "api:revoke": Probe(
        "POST",
        {
            **dict.fromkeys(TOKEN_HOLDERS, 404),
            Role.SUPERVISOR: 302,
            Role.ORG_ADMIN: 302,
        },
        a_token,
        record_bound=True,
    ),
}

# The API answers a session (or no credentials) with 401: only a token reaches it. Its
# documents and the public directory are open; the token paths are tested in test_api.
API_OPEN = (
    "api-v1:openapi-json",
    "api-v1:openapi-view",
    "api-v1:directory_services",
    "api-v1:directory_service",
)
for _name, _method, _kwargs in (
    ("api-v1:openapi-json", "GET", None),
    ("api-v1:openapi-view", "GET", None),
    ("api-v1:directory_services", "GET", None),
    ("api-v1:directory_service", "GET", a_listed_service),
    ("api-v1:api-root", "GET", None),
    ("api-v1-unknown", "GET", None),
    ("api-v1:people_list", "GET", None),
    ("api-v1:person_detail", "GET", person_a),
    ("api-v1:person_identity", "GET", person_a),
    ("api-v1:case_list", "GET", None),
    ("api-v1:case_detail", "GET", case_a),
    ("api-v1:screening_list", "GET", None),
    ("api-v1:screening_submit", "POST", None),
    ("api-v1:screening_detail", "GET", screening_a),
    ("api-v1:screening_complete", "POST", screening_a),
    ("api-v1:referral_incoming", "GET", None),
    ("api-v1:referral_outgoing", "GET", None),
    ("api-v1:referral_respond", "POST", sent_to_a),
    ("api-v1:referral_complete", "POST", sent_to_a),
    ("api-v1:statistics_tables", "GET", None),
):
    _status = 200 if _name in API_OPEN else 404 if _name.endswith(("root", "unknown")) else 401
    MATRIX[_name] = Probe(_method, _all(_status), _kwargs or (lambda world: {}), anonymous=_status)


# The directory's own entries live beside its tests (plain dicts: Probe's fields).
MATRIX.update({name: Probe(**spec) for name, spec in DIRECTORY_MATRIX.items()})
MATRIX.update({name: Probe(**spec) for name, spec in HOTLINE_MATRIX.items()})

# Training: the training capabilities count only in a training organisation. A and B are
# real organisations, so their trainers and trainees find no training there (404) and
# every other role is refused (403). The training organisation's own users are in
# tests/test_training.py (TrainingOrganisationMatrixTests).
TRAINING_404: dict[Role, int | str] = {Role.TRAINEE: 404, Role.TRAINER: 404}
TRAINER_404: dict[Role, int | str] = {Role.TRAINER: 404}
_TRAINING_URLS: tuple[tuple[str, dict[Role, int | str], dict[str, Any]], ...] = (
    ("training:index", TRAINING_404, {}),
    ("training:start", TRAINING_404, {"scenario_id": "kiln_at_home"}),
    ("training:attempt", TRAINING_404, {"pk": 1}),
    ("training:stage", TRAINING_404, {"pk": 1}),
    ("training:profile", TRAINING_404, {"pk": 1}),
    ("training:quick", TRAINING_404, {"pk": 1}),
    ("training:follow_up", TRAINING_404, {"pk": 1}),
    ("training:topic", TRAINING_404, {"pk": 1, "topic": "work"}),
    ("training:suspended", TRAINING_404, {"pk": 1}),
    ("training:debrief", TRAINING_404, {"pk": 1, "stage": 1}),
    ("training:complete", TRAINING_404, {"pk": 1}),
    ("training:quiz", TRAINING_404, {}),
    ("training:quiz_result", TRAINING_404, {"pk": 1}),
    ("training:results", TRAINER_404, {}),
    ("training:scenario_results", TRAINER_404, {"scenario_id": "kiln_at_home"}),
    ("training:scenario_new", TRAINER_404, {}),
    ("training:scenario_edit", TRAINER_404, {"pk": 1}),
)


def _fixed(kwargs: dict[str, Any]) -> Callable[[World], dict[str, Any]]:
    """URL arguments that need no record: a real organisation answers before any lookup."""
    return lambda world: dict(kwargs)


MATRIX.update({name: Probe("GET", allowed, _fixed(kw)) for name, allowed, kw in _TRAINING_URLS})


# --- A closed case is read-only, for every role ---------------------------------------
#
# Every URL that changes a case or something hanging off it, POSTed on A's closed case with
# a form that would be saved on an open case: the roles that `MATRIX` lets in get the
# closed-case refusal (`refused`: 400 with the form shown again, or 302 back to the case
# with the message), everyone else gets 403 (404 in the other organisation), exactly as in
# `MATRIX`, and nothing changes: not the case, not what hangs off it, not the audit trail.


@dataclass(frozen=True)
class ClosedProbe:
    data: Callable[[World], dict[str, Any]]
    refused: int = 400


def _today(days: int = 0) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _case_version(world: World) -> int:
    return Case.objects.get(pk=world.cases["A"].pk).version


def _versioned(world: World) -> dict[str, Any]:
    return {"version": _case_version(world)}


def _objective(world: World) -> dict[str, Any]:
    objective = SupportObjective.objects.get(pk=world.objectives["A"].pk)
    return {
        "stage": "initial",
        "plan_type": "Health",
        "objectives": "Changed on a closed case",
        "version": objective.version,
    }


def _service(world: World, version: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "stage": "initial",
        "kind": "legal",
        "status": "offered",
        "on": _today(),
    }
    if version:
        data["version"] = Service.objects.get(pk=world.services["A"].pk).version
    return data


CONSENT_FORM = {
    "categories": ["health"],
    "purpose": "assistance",
    "expires_on": _today(30),
    "method": "written",
    "purpose_explained": "on",
    "uses_explained": "on",
    "right_to_see_explained": "on",
    "storage_explained": "on",
    "withdrawal_explained": "on",
}

ARREST = {"kind": "arrest", "on": "2026-01-04", "authority_type": "police", "outcome": "pending"}

CLOSED_CASE_MATRIX: dict[str, ClosedProbe] = {
    "cases:edit": ClosedProbe(
        lambda w: {
            "opened_on": "2026-01-05",
            "summary": "Changed on a closed case",
            "assigned_to": w.user("A", Role.CASE_WORKER).pk,
            **_versioned(w),
        }
    ),
    "cases:record": ClosedProbe(
        lambda w: {
            "age_when_trafficked": "33",
            "cooperation": "none",
            "fear_of_return": "unknown",
            "asylum_referral": "not_yet",
            **_versioned(w),
        }
    ),
    "cases:journey_add": ClosedProbe(
        lambda w: {"stage": "Recruitment", "happened_on": "2025-05-01"}
    ),
    "cases:age_assessment_add": ClosedProbe(
        lambda w: {"method": "interview", "assessed_on": _today(), "outcome": "child"}
    ),
    "cases:status": ClosedProbe(_versioned, refused=302),  # to follow-up; reopening is allowed
    "cases:close_request": ClosedProbe(
        lambda w: {"to": "ClosedReferred", "reason": "referred", **_versioned(w)}
    ),
    "cases:close_decide": ClosedProbe(_versioned, refused=302),
    "identification:change": ClosedProbe(
        lambda w: {"target": "presumed", "decided_on": _today(), **_versioned(w)}
    ),
    "assistance:assessment_add": ClosedProbe(
        lambda w: {"assessed_on": _today(), "retaliation_risk": "low", "retrafficking_risk": "low"}
    ),
    "assistance:objective_add": ClosedProbe(
        lambda w: {"stage": "initial", "plan_type": "Health", "objectives": "New"}
    ),
    "assistance:objective_edit": ClosedProbe(_objective),
    "assistance:service_add": ClosedProbe(_service),
    "assistance:service_edit": ClosedProbe(lambda w: _service(w, version=True)),
    "assistance:return_plan": ClosedProbe(
        lambda w: {
            "informed_consent": "on",
            "requested_on": _today(-5),
            "destination_country": "KH",
            "risk_assessed_on": _today(-2),
            "risk_level": "low",
            "risk_summary": "Family supportive",
            "receiving_organisation": "Receiving NGO",
            "receiving_plan": "Met at the border",
        }
    ),
    "assistance:return_approve": ClosedProbe(
        lambda w: {"version": ReturnPlan.objects.get(case=w.cases["A"]).version}
    ),
    "assistance:follow_ups_schedule": ClosedProbe(lambda w: {"start": "2026-03-01"}),
    "assistance:follow_up_record": ClosedProbe(
        lambda w: {
            "done_on": _today(),
            "outcome": "well",
            "version": FollowUp.objects.get(pk=w.follow_ups["A"].pk).version,
        }
    ),
    "care:stay_add": ClosedProbe(
        lambda w: {"place": "Shelter", "entered_on": _today(-1), "free_to_leave_explained": "on"}
    ),
    "care:stay_end": ClosedProbe(
        lambda w: {"left_on": _today(), "leaving_reason": "returned_home", "version": "1"}
    ),
    "care:feedback_add": ClosedProbe(
        lambda w: {
            "consent": "on",
            "respected": "yes",
            "safe": "yes",
            "helped": "yes",
            "recommend": "yes",
        }
    ),
    "justice:add": ClosedProbe(lambda w: ARREST),
    "justice:edit": ClosedProbe(
        lambda w: {
            **ARREST,
            "version": Penalisation.objects.get(pk=penalisation_a(w)["pk"]).version,
        }
    ),
    # Deciding on a closed case: refused, and the page says why (after a redirect).
    "referrals:override_decide": ClosedProbe(
        lambda w: {
            "decision": "approve",
            "note": "",
            "version": OverrideRequest.objects.get(pk=override_request_a(w)["pk"]).version,
        },
        refused=302,
    ),
    "referrals:consent_add": ClosedProbe(
        lambda w: {"recipient_provider": w.providers["B"].pk, **CONSENT_FORM}
    ),
    "referrals:new": ClosedProbe(
        lambda w: {
            "service": w.services_listed["B"].pk,
            "purpose": "assistance",
            "reason": "AdditionalServicesRequired",
            "categories": ["contact"],
            "channel": "haven",
            "send": "1",
        }
    ),
    "referrals:override_request": ClosedProbe(
        lambda w: {
            "ground": "threat_to_life",
            "reason": "Threatened tonight",
            "hours": "2",
            "categories": ["identity"],
            "version": Referral.objects.get(pk=w.referrals["A"].pk).version,
        }
    ),
}

# The URLs bound to A's case (or to something of it) that are not in the matrix above,
# and why a closed case does not refuse them.
AFTER_CLOSURE: dict[str, str] = {
    "cases:detail": "reads the case",
    "referrals:detail": "reads the referral",
    "referrals:letter": "downloads a referral already sent, cut to live consent",
    "referrals:export": "downloads a referral already sent, cut to live consent",
    "referrals:withdrawal_notice": "only ever asks the receiver to hide what it holds",
    "referrals:consent_withdraw": "the person may always withdraw consent (test_domain_rules)",
    "referrals:revoke": "revoking only shares less, like withdrawing consent (test_domain_rules)",
    "referrals:override_withdraw": "withdrawing a request only shares less (emergency tests)",
    "screening:start_for_case": "the screening app's own page; it records no change to the case",
    "api-v1:case_detail": "reads the case (the API changes no case)",
    "rights:legal_hold": "a hold matters most on a closed case: it stops retention",
    "justice:case": "reads the justice records",
    "justice:letter": "makes a letter from what is recorded; it changes nothing on the case",
}
CASE_BOUND = (
    case_a,
    return_plan_a,
    case_status_a,
    case_decision_a,
    objective_a,
    service_a,
    follow_up_a,
    consent_a,
    sent_by_a,
    override_request_a,
    stay_a,
    justice_kind_a,
    penalisation_a,
)


class ClosedCaseMatrixTests(HavenTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        close(cls.world)

    def test_every_url_of_a_case_is_in_the_closed_case_matrix_or_says_why_not(self) -> None:
        bound = {name for name, probe in MATRIX.items() if probe.kwargs in CASE_BOUND}
        self.assertEqual(bound - set(CLOSED_CASE_MATRIX) - set(AFTER_CLOSURE), set())
        self.assertEqual(set(CLOSED_CASE_MATRIX) & set(AFTER_CLOSURE), set())
        self.assertEqual(set(CLOSED_CASE_MATRIX) - bound, set(), "not a URL of A's case")

    def test_a_closed_case_refuses_every_change_for_every_persona(self) -> None:
        case = self.world.cases["A"]
        for name, closed in CLOSED_CASE_MATRIX.items():
            probe = MATRIX[name]
            url = reverse(name, kwargs=probe.kwargs(self.world))
            data = closed.data(self.world)
            for org in ("A", "B"):
                for role in ALL_ROLES:
                    with self.subTest(url=name, org=org, role=role.value):
                        before = everything_about(case)
                        response = self.client_for(org, role).post(url, data)
                        if org == "A" and role in probe.allowed:
                            self.assert_refused(response, closed.refused)
                        else:
                            self.assertEqual(response.status_code, expected(probe, org, role))
                        self.assertEqual(everything_about(case), before)

    def assert_refused(self, response: HttpResponse, status: int) -> None:
        message = closed_case_message()
        self.assertEqual(response.status_code, status)
        if status == 400:
            self.assertContains(response, escape(message), status_code=400)
        else:
            shown = [str(m) for m in get_messages(response.wsgi_request)]
            self.assertIn(message, shown)


def url_names(patterns: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}"
        else:
            yield f"{namespace}<unnamed {pattern.pattern}>"


def expected(probe: Probe, org: str, role: Role) -> int | str:
    outcome = probe.allowed.get(role, 403)
    if org == "B" and role in probe.other_org:
        return probe.other_org[role]
    if org == "B" and probe.record_bound and role in probe.allowed:
        return 404
    return outcome


class AuthorizationMatrixTests(HavenTestCase):
    def _request(self, client: Client, name: str, probe: Probe) -> tuple[int, str]:
        url = reverse(name, kwargs=probe.kwargs(self.world))
        response = client.post(url, probe.data) if probe.method == "POST" else client.get(url)
        return response.status_code, response.get("Location", "")

    def _assert_outcome(self, status: int, location: str, want: int | str) -> None:
        if want == LOGIN:
            self.assertEqual(status, 302)
            self.assertTrue(location.startswith(reverse("account_login")), location)
        else:
            self.assertEqual(status, want)

    def test_every_url_pattern_has_a_matrix_entry(self) -> None:
        names = set(url_names(get_resolver().url_patterns))
        self.assertEqual(names - set(MATRIX), set(), "URL patterns missing from the matrix")
        self.assertEqual(set(MATRIX) - names, set(), "matrix entries for URLs that are gone")

    def test_every_persona_gets_the_expected_answer(self) -> None:
        for name, probe in MATRIX.items():
            for org in ("A", "B"):
                for role in ALL_ROLES:
                    with self.subTest(url=name, org=org, role=role.value):
                        client = self.client_for(org, role)
                        status, location = self._request(client, name, probe)
                        self._assert_outcome(status, location, expected(probe, org, role))

    def test_anonymous_visitors_are_sent_to_sign_in(self) -> None:
        for name, probe in MATRIX.items():
            with self.subTest(url=name):
                status, location = self._request(Client(), name, probe)
                self._assert_outcome(status, location, probe.anonymous)

    def test_screener_sees_only_people_they_recorded(self) -> None:
        colleague = self._second_user(Role.SCREENER)
        client = Client()
        client.force_login(colleague)
        response = client.get(reverse("people:detail", kwargs=person_a(self.world)))
        self.assertEqual(response.status_code, 404)
        listing = client.get(reverse("people:list")).content.decode()
        self.assertNotIn(self.world.people["A"].reference, listing)

    def test_case_worker_sees_only_assigned_or_own_cases(self) -> None:
        colleague = self._second_user(Role.CASE_WORKER)
        client = Client()
        client.force_login(colleague)
        for name, kwargs in (("cases:detail", case_a), ("people:detail", person_a)):
            with self.subTest(url=name):
                response = client.get(reverse(name, kwargs=kwargs(self.world)))
                self.assertEqual(response.status_code, 404)

    def test_unknown_reference_answers_404_like_another_organisations(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        response = client.get(reverse("people:detail", kwargs={"reference": "HVN-222-222"}))
        self.assertEqual(response.status_code, 404)

    def test_malformed_reference_is_not_routed(self) -> None:
        client = self.client_for("A", Role.SUPERVISOR)
        self.assertEqual(client.get("/people/1/").status_code, 404)
        self.assertEqual(client.get("/people/HVN-000-000/").status_code, 404)

    def _second_user(self, role: Role) -> User:
        return create_user(
            actor=None,
            organisation_id=self.world.orgs["A"].pk,
            username=f"a-second-{role.value}",
            password="another long password",
            roles=[role.value],
        )
