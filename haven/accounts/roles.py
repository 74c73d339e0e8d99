"""Roles, record scopes and what each role may do. The one place that grants access.

Deny by default: a capability not listed for a role is refused. Scopes say which records
a granted capability reaches: those the user created (OWN), those assigned to them
(ASSIGNED), or all of their organisation's (ORGANISATION). Nothing reaches another
organisation's records, with one named exception: the directory steward keeps the whole
public directory (DEPLOYMENT scope), because most providers in it do not run Haven.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from haven.accounts.models import User


class Role(models.TextChoices):
    SCREENER = "screener", _("Frontline screener")
    CASE_WORKER = "case_worker", _("Case worker")
    SUPERVISOR = "supervisor", _("Supervisor")
    DETERMINATION_OFFICER = "determination_officer", _("Determination officer")
    COORDINATOR = "coordinator", _("Referral-mechanism coordinator")
    ANALYST = "analyst", _("Data analyst")
    ORG_ADMIN = "org_admin", _("Organisation admin")
    SYSTEM_ADMIN = "system_admin", _("System admin")
    # Named by the organisation to take people handed over from screenings and give each
    # a case worker: reads the intake queue (verdict and flags, never identity).
    INTAKE_OFFICER = "intake_officer", _("Intake officer")
    # Keeps the public directory of the whole deployment: every provider, including those
    # outside Haven, and links providers to organisations. Reaches no case, person or user.
    DIRECTORY_STEWARD = "directory_steward", _("Directory steward (whole deployment)")
    # A fluent speaker who reviews Haven's texts in the languages named on their account
    # (User.translation_languages): reads and proposes wording, reaches no record.
    TRANSLATOR = "translator", _("Translator")
    # Answers a hotline: logs calls and messages, gives the advice scripts, takes SOS
    # calls and tips (haven.hotline). Reaches no person or case record.
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    # A trained member of a community group: records what they saw against the observable
    # indicators (haven.community), and sees nothing else, not even other reports.
    COMMUNITY_REPORTER = "community_reporter", _("Community reporter")
    # The training space (an organisation flagged as training, haven.training): trainers
    # write scenarios and see a group's results; trainees run the scenarios and quizzes.
    TRAINER = "trainer", _("Trainer")
    TRAINEE = "trainee", _("Trainee")


class Scope(enum.Enum):
    OWN = "own"
    ASSIGNED = "assigned"
    ORGANISATION = "organisation"
    # Every record of the deployment, whatever organisation holds it (or none). Only the
    # directory honours it (haven.directory.access); haven.core.access.scoped() does not,
    # so granting it anywhere else reaches nothing: it fails closed.
    DEPLOYMENT = "deployment"


class Capability(enum.Enum):
    PERSON_CREATE = "person.create"
    PERSON_VIEW = "person.view"  # includes identity; every view is audited
    PERSON_EDIT = "person.edit"
    CASE_CREATE = "case.create"
    CASE_VIEW = "case.view"
    CASE_EDIT = "case.edit"
    CASE_ASSIGN = "case.assign"
    INTAKE_ASSIGN = "intake.assign"  # the intake queue: give a handed-over person a worker
    SCREENING_CREATE = "screening.create"
    SCREENING_VIEW = "screening.view"
    IDENTIFICATION_CHANGE = "identification.change"  # the jurisdiction says which moves
    ASSISTANCE_EDIT = "assistance.edit"
    CASE_CLOSE_APPROVE = "case.close_approve"
    TEAM_VIEW = "team.view"
    DIRECTORY_EDIT = "directory.edit"  # providers and services of the directory
    DIRECTORY_AVAILABILITY = "directory.availability"  # e.g. free shelter beds today
    CONSENT_RECORD = "consent.record"
    REFERRAL_SEND = "referral.send"
    REFERRAL_RECEIVE = "referral.receive"  # see incoming packets, accept, decline, complete
    REFERRAL_ROUTE = "referral.route"  # see incoming referrals' headers, pass them to a colleague
    REFERRAL_OVERRIDE = "referral.override"  # ask for emergency sharing without consent
    OVERRIDE_APPROVE = "override.approve"  # approve or refuse another's emergency request
    # Approve (never refuse) a colleague's emergency request when no supervisor can be
    # reached, where the case's jurisdiction profile allows it ([emergency]).
    OVERRIDE_SECOND = "override.second"
    REFERRAL_EXCHANGE = "referral.exchange"  # cross-border files between deployments
    REFERRAL_FLOWS = "referral.flows"  # counts across organisations, never identities
    AUDIT_VIEW = "audit.view"
    USERS_VIEW = "users.view"
    ORGANISATIONS_VIEW = "organisations.view"
    TRANSLATION_REVIEW = "translation.review"  # review and propose wording, own languages
    TRANSLATION_ACCEPT = "translation.accept"  # make a proposed wording the one in use
    STATISTICS_VIEW = "statistics.view"  # aggregates under disclosure control, never records
    RELEASE_REQUEST = "release.request"  # ask for an anonymised data release
    RELEASE_APPROVE = "release.approve"  # the second person: approve another's release
    RESULTS_EDIT = "results.edit"  # results frameworks: goal, outcomes, outputs, indicators
    DATA_EXPORT = "data.export"  # cases out as HTCDS files (identity: also PERSON_VIEW)
    DATA_IMPORT = "data.import"  # HTCDS files in: people and cases of the organisation
    API_TOKENS_MANAGE = "api.tokens_manage"  # see and revoke the organisation's API tokens
    # A competent authority's queue of identification requests from other organisations:
    # the consented packet, the thread, the decision (the jurisdiction says which roles).
    IDENTIFICATION_REQUESTS = "identification.requests"
    SUBJECT_EXPORT = "subject.export"  # everything held about one person, for that person
    RETENTION_MANAGE = "retention.manage"  # the organisation's retention policy
    LEGAL_HOLD = "legal_hold.manage"  # place or lift a legal hold on a case
    FEEDBACK_VIEW = "feedback.view"  # survivors' feedback on services, aggregated
    # Arrests, detention, charges, proceedings, protection measures, compensation claims:
    # read and recorded by the case team only (haven.justice).
    JUSTICE_EDIT = "justice.edit"
    # Approve a voluntary return plan, with the protection assessment where the person
    # fears harm on return or was referred for asylum (non-refoulement).
    RETURN_APPROVE = "return.approve"
    # Prevention (haven.hotline, haven.community, haven.campaigns).
    HOTLINE_LOG = "hotline.log"  # log calls and messages, SOS, tips; see the log
    SOS_RESPOND = "sos.respond"  # be alerted to an SOS call and acknowledge it
    LEAD_VIEW = "lead.view"  # leads: a tip or a report about someone not yet met
    LEAD_MANAGE = "lead.manage"  # open a lead from a report, assign it, pass it on, close it
    COMMUNITY_REPORT = "community.report"  # record an observation (never names or photos)
    COMMUNITY_MAP = "community.map"  # observations in aggregate, by district and sector
    CAMPAIGN_EDIT = "campaign.edit"  # information campaigns, their six steps and materials
    # The training simulator, in a training organisation only (haven.training).
    TRAINING_RUN = "training.run"  # run scenarios and quizzes
    TRAINING_MANAGE = "training.manage"  # write scenarios, see a group's results


_OWN = frozenset({Scope.OWN})
_ASSIGNED = frozenset({Scope.ASSIGNED})
_OWN_ASSIGNED = frozenset({Scope.OWN, Scope.ASSIGNED})
_ORG = frozenset({Scope.ORGANISATION})
_DEPLOYMENT = frozenset({Scope.DEPLOYMENT})

GRANTS: dict[Capability, dict[Role, frozenset[Scope]]] = {
    Capability.PERSON_CREATE: {Role.SCREENER: _OWN, Role.CASE_WORKER: _OWN, Role.SUPERVISOR: _ORG},
    Capability.PERSON_VIEW: {
        Role.SCREENER: _OWN,
        Role.CASE_WORKER: _OWN_ASSIGNED,
        Role.SUPERVISOR: _ORG,
        Role.DETERMINATION_OFFICER: _ORG,
    },
    Capability.PERSON_EDIT: {
        Role.SCREENER: _OWN,
        Role.CASE_WORKER: _OWN_ASSIGNED,
        Role.SUPERVISOR: _ORG,
    },
    Capability.CASE_CREATE: {
        Role.CASE_WORKER: _OWN_ASSIGNED,
        Role.SUPERVISOR: _ORG,
        Role.INTAKE_OFFICER: _ORG,
    },
    Capability.CASE_VIEW: {
        Role.CASE_WORKER: _OWN_ASSIGNED,
        Role.SUPERVISOR: _ORG,
        Role.DETERMINATION_OFFICER: _ORG,
    },
    Capability.CASE_EDIT: {Role.CASE_WORKER: _OWN_ASSIGNED, Role.SUPERVISOR: _ORG},
    Capability.CASE_ASSIGN: {Role.SUPERVISOR: _ORG, Role.INTAKE_OFFICER: _ORG},
    Capability.INTAKE_ASSIGN: {Role.SUPERVISOR: _ORG, Role.INTAKE_OFFICER: _ORG},
    # A hotline operator starts the quick screening from a call (haven.hotline): an
    # anonymous screening of their own, which reaches no person or case record.
    Capability.SCREENING_CREATE: {
        Role.SCREENER: _OWN,
        Role.CASE_WORKER: _OWN_ASSIGNED,
        Role.SUPERVISOR: _ORG,
        Role.HOTLINE_OPERATOR: _OWN,
    },
    Capability.SCREENING_VIEW: {
        Role.SCREENER: _OWN,
        Role.CASE_WORKER: _OWN_ASSIGNED,
        Role.SUPERVISOR: _ORG,
        Role.DETERMINATION_OFFICER: _ORG,
        Role.HOTLINE_OPERATOR: _OWN,
    },
    Capability.IDENTIFICATION_CHANGE: {
        Role.CASE_WORKER: _OWN_ASSIGNED,
        Role.SUPERVISOR: _ORG,
        Role.DETERMINATION_OFFICER: _ORG,
    },
    Capability.ASSISTANCE_EDIT: {Role.CASE_WORKER: _OWN_ASSIGNED, Role.SUPERVISOR: _ORG},
    # Criminal-justice records say where a person was held and what they are accused of:
    # the case team that holds the case, nobody else (not even determination officers).
    Capability.JUSTICE_EDIT: {Role.CASE_WORKER: _OWN_ASSIGNED, Role.SUPERVISOR: _ORG},
    Capability.CASE_CLOSE_APPROVE: {Role.SUPERVISOR: _ORG},
    Capability.RETURN_APPROVE: {Role.SUPERVISOR: _ORG},
    Capability.TEAM_VIEW: {Role.SUPERVISOR: _ORG},
    # An organisation admin keeps their own organisation's entry; the steward, named for
    # the deployment, keeps every entry. System admins of an organisation do not: being
    # an admin somewhere must not reach other organisations' entries.
    Capability.DIRECTORY_EDIT: {Role.ORG_ADMIN: _ORG, Role.DIRECTORY_STEWARD: _DEPLOYMENT},
    Capability.DIRECTORY_AVAILABILITY: {
        Role.CASE_WORKER: _ORG,
        Role.SUPERVISOR: _ORG,
        Role.ORG_ADMIN: _ORG,
    },
    Capability.CONSENT_RECORD: {Role.CASE_WORKER: _OWN_ASSIGNED, Role.SUPERVISOR: _ORG},
    Capability.REFERRAL_SEND: {Role.CASE_WORKER: _OWN_ASSIGNED, Role.SUPERVISOR: _ORG},
    Capability.REFERRAL_RECEIVE: {Role.CASE_WORKER: _ORG, Role.SUPERVISOR: _ORG},
    # Coordinators route what arrives without reading the packets: least privilege.
    Capability.REFERRAL_ROUTE: {Role.SUPERVISOR: _ORG, Role.COORDINATOR: _ORG},
    Capability.REFERRAL_OVERRIDE: {Role.CASE_WORKER: _OWN_ASSIGNED, Role.SUPERVISOR: _ORG},
    # Sharing without consent takes two people: the requester and a supervisor, or (where
    # the jurisdiction allows) a second case worker of the organisation, who need not be
    # on the case, because the case's own team may be the one that cannot be reached.
    Capability.OVERRIDE_APPROVE: {Role.SUPERVISOR: _ORG},
    Capability.OVERRIDE_SECOND: {Role.CASE_WORKER: _ORG},
    Capability.REFERRAL_EXCHANGE: {Role.SUPERVISOR: _ORG},
    Capability.REFERRAL_FLOWS: {Role.COORDINATOR: _ORG},
    Capability.AUDIT_VIEW: {Role.ORG_ADMIN: _ORG},
    # The user list and unlocking accounts (haven.accounts.views) filter on the admin's
    # own organisation: a system admin never sees or unlocks another organisation's users.
    Capability.USERS_VIEW: {Role.ORG_ADMIN: _ORG, Role.SYSTEM_ADMIN: _ORG},
    # Deliberately deployment-wide, and the only system-admin grant that is: the list of
    # organisations (name, type, country, number of users) so that an operator can see
    # who is set up. It shows no record of any organisation: no person, case, referral,
    # user name or audit row. Everything else a system admin holds is organisation-scoped.
    Capability.ORGANISATIONS_VIEW: {Role.SYSTEM_ADMIN: _DEPLOYMENT},
    # Haven's own texts (interface, questions, engine messages) are the deployment's, not
    # an organisation's, and hold no personal data. A translator works only in the
    # languages on their account (haven.translations.actions checks it); an admin of any
    # organisation accepts, because a wording change reaches every organisation's
    # screenings, and each acceptance is audited.
    Capability.TRANSLATION_REVIEW: {Role.TRANSLATOR: _DEPLOYMENT},
    Capability.TRANSLATION_ACCEPT: {Role.ORG_ADMIN: _DEPLOYMENT, Role.SYSTEM_ADMIN: _DEPLOYMENT},
    # Analysts and supervisors see their organisation's statistics; a coordinator sees the
    # referral mechanism's, across the organisations of this deployment. Aggregates only.
    Capability.STATISTICS_VIEW: {
        Role.ANALYST: _ORG,
        Role.SUPERVISOR: _ORG,
        Role.COORDINATOR: _DEPLOYMENT,
    },
    Capability.RELEASE_REQUEST: {Role.ANALYST: _ORG, Role.COORDINATOR: _DEPLOYMENT},
    Capability.RESULTS_EDIT: {Role.ANALYST: _ORG, Role.COORDINATOR: _DEPLOYMENT},
    Capability.DATA_EXPORT: {Role.SUPERVISOR: _ORG},
    Capability.DATA_IMPORT: {Role.SUPERVISOR: _ORG, Role.ORG_ADMIN: _ORG},
    # Every user may hold personal API tokens for what their own roles grant
    # (haven.api.tokens); an organisation admin also sees and revokes everyone's, and
    # makes the read-only statistics service tokens.
    Capability.API_TOKENS_MANAGE: {Role.ORG_ADMIN: _ORG},
    Capability.IDENTIFICATION_REQUESTS: {Role.DETERMINATION_OFFICER: _ORG, Role.SUPERVISOR: _ORG},
    # A person's own copy of everything the organisation holds about them crosses every
    # case of theirs: supervisors, who see the whole organisation, make it.
    Capability.SUBJECT_EXPORT: {Role.SUPERVISOR: _ORG},
    # How long closed cases are kept is the organisation's decision, set by its admin; a
    # supervisor stops the clock on a case that a court or an investigation still needs.
    Capability.RETENTION_MANAGE: {Role.ORG_ADMIN: _ORG},
    Capability.LEGAL_HOLD: {Role.SUPERVISOR: _ORG},
    # What survivors say of the services, in aggregate with small counts hidden: those who
    # run and evaluate the services of the organisation. Recording it is assistance.
    Capability.FEEDBACK_VIEW: {Role.SUPERVISOR: _ORG, Role.ANALYST: _ORG},
    Capability.RELEASE_APPROVE: {
        Role.ANALYST: _ORG,
        Role.ORG_ADMIN: _ORG,
        Role.COORDINATOR: _DEPLOYMENT,
    },
    # A hotline works in shifts and calls back: its operators and supervisors share the
    # organisation's log. Free text in it is encrypted; a caller may stay anonymous.
    Capability.HOTLINE_LOG: {Role.HOTLINE_OPERATOR: _ORG, Role.SUPERVISOR: _ORG},
    # The supervisor on duty is alerted to an SOS (every supervisor when none is on duty).
    Capability.SOS_RESPOND: {Role.SUPERVISOR: _ORG},
    # A lead names no person record until someone meets the person. Whoever logged the
    # tip sees it; outreach workers see those assigned to them; supervisors and
    # coordinators see the organisation's and decide where each goes.
    Capability.LEAD_VIEW: {
        Role.HOTLINE_OPERATOR: _OWN,
        Role.CASE_WORKER: _ASSIGNED,
        Role.SUPERVISOR: _ORG,
        Role.COORDINATOR: _ORG,
    },
    Capability.LEAD_MANAGE: {Role.SUPERVISOR: _ORG, Role.COORDINATOR: _ORG},
    # A community reporter holds this and nothing else: their own reports only.
    Capability.COMMUNITY_REPORT: {Role.COMMUNITY_REPORTER: _OWN},
    Capability.COMMUNITY_MAP: {Role.COORDINATOR: _ORG, Role.SUPERVISOR: _ORG},
    Capability.CAMPAIGN_EDIT: {
        Role.SUPERVISOR: _ORG,
        Role.COORDINATOR: _ORG,
        Role.ANALYST: _ORG,
    },
    # Honoured only in an organisation flagged as training (haven.training.access): in a
    # real organisation these roles reach nothing.
    Capability.TRAINING_RUN: {Role.TRAINEE: _OWN, Role.TRAINER: _ORG},
    Capability.TRAINING_MANAGE: {Role.TRAINER: _ORG},
}

# Roles whose holders can read identity data. Every role must sign in with a second
# factor in Haven; this set is kept for the record and for checks that say why.
IDENTITY_ROLES = frozenset(role for role, _scopes in GRANTS[Capability.PERSON_VIEW].items())


def scopes_for(user: User, capability: Capability) -> frozenset[Scope]:
    """The union of the scopes that the user's roles grant for `capability`."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    granted = GRANTS.get(capability, {})
    scopes: set[Scope] = set()
    for role in user.role_list:
        scopes |= granted.get(role, frozenset())
    return frozenset(scopes)


def can(user: User, capability: Capability) -> bool:
    return bool(scopes_for(user, capability))
