"""Domain actions of the hotline. Each checks the actor's grant and scope, validates its
input, and makes its change with its audit row in one transaction; a refusal raises
RefusedError with a translated message and changes nothing.

Audit rows name a call, alert, shift or lead by its number and list field names only:
never the caller's words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.roles import Capability, Scope, can, scopes_for
from haven.audit.chain import record
from haven.audit.models import Action
from haven.cases.choices import Industry
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.core.places import is_region
from haven.core.training import refuse_crossing
from haven.hotline import advice as advice_library
from haven.hotline.access import calls_for, leads_for
from haven.hotline.choices import (
    OTHER_LANGUAGE,
    CallerType,
    CallOutcome,
    Channel,
    LeadSource,
    LeadStatus,
    Topic,
)
from haven.hotline.models import Call, DutyShift, Lead, SosAlert
from haven.referrals.receiving import active_users
from haven.screening.actions import start_screening

if TYPE_CHECKING:
    from haven.accounts.models import Organisation, User
    from haven.directory.models import Provider
    from haven.screening.models import Screening

# Notes are a few lines for the record, not a transcript.
MAX_NOTES = 2000
# The SOS fields are the minimum to act on: short on purpose.
MAX_SOS_TEXT = 500
MAX_SUMMARY = 2000
MAX_DISTRICT = 32
# A shift is a working period: a week at most.
MAX_SHIFT = dt.timedelta(days=7)

# Which lead statuses may follow which (the one transition table).
LEAD_FLOW: dict[str, frozenset[str]] = {
    LeadStatus.OPEN: frozenset({LeadStatus.ASSIGNED, LeadStatus.PASSED_ON, LeadStatus.CLOSED}),
    LeadStatus.ASSIGNED: frozenset(
        {LeadStatus.ASSIGNED, LeadStatus.PASSED_ON, LeadStatus.PERSON_MET, LeadStatus.CLOSED}
    ),
    LeadStatus.PASSED_ON: frozenset({LeadStatus.CLOSED}),
    LeadStatus.PERSON_MET: frozenset({LeadStatus.CLOSED}),
    LeadStatus.CLOSED: frozenset(),
}


def not_allowed_message() -> str:
    return _("Your role does not allow this.")


def _refuse_unless(actor: User, capability: Capability) -> None:
    if not can(actor, capability):
        raise RefusedError(not_allowed_message())


def _check_text(value: str, most: int, label: str) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise RefusedError(
            _("%(field)s contains a character that cannot be saved.") % {"field": label}
        )
    if len(value) > most:
        raise RefusedError(
            _("%(field)s is too long: at most %(most)d characters.")
            % {"field": label, "most": most}
        )
    return value


def _check_place(country: str, region: str) -> tuple[str, str]:
    country = (country or "").strip().upper()
    region = (region or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise RefusedError(_("Choose a country from the list."))
    if region:
        if not country:
            raise RefusedError(_("Choose the country of the region."))
        if not is_region(country, region):
            raise RefusedError(_("Choose a region of the country from the list."))
    return country, region


def _check_choice(value: str, allowed: Iterable[str], message: str) -> str:
    if value not in set(allowed):
        raise RefusedError(message)
    return value


def _language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES] + [OTHER_LANGUAGE]


def _check_call_facts(
    channel: str, caller_type: str, topic: str, language: str
) -> tuple[str, str, str, str]:
    return (
        _check_choice(channel, Channel.values, _("Choose how the call came in.")),
        _check_choice(caller_type, CallerType.values, _("Choose who called.")),
        _check_choice(topic, Topic.values, _("Choose the topic of the call.")),
        _check_choice(language, _language_codes(), _("Choose the language of the call.")),
    )


def log_call(
    actor: User,
    *,
    channel: str,
    caller_type: str,
    topic: str,
    language: str,
    outcome: str,
    country: str = "",
    region: str = "",
    advice: Iterable[str] = (),
    caller_consent: bool = False,
    notes: str = "",
    received_at: dt.datetime | None = None,
) -> Call:
    """Log one call or message. Nothing identifying is asked: the caller may stay
    anonymous. Passing what the caller said to police or an NGO needs their consent."""
    _refuse_unless(actor, Capability.HOTLINE_LOG)
    channel, caller_type, topic, language = _check_call_facts(channel, caller_type, topic, language)
    outcome = _check_choice(outcome, CallOutcome.values, _("Choose the outcome of the call."))
    if outcome == CallOutcome.PASSED_ON and not caller_consent:
        raise RefusedError(
            _("Passing the call to police or an NGO needs the caller's consent: record it first.")
        )
    country, region = _check_place(country, region)
    keys = sorted(set(advice))
    unknown = [key for key in keys if key not in advice_library.keys_set()]
    if unknown:
        raise RefusedError(_("Choose advice scripts from the library."))
    notes = _check_text(notes, MAX_NOTES, _("Notes"))
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + dt.timedelta(minutes=5):
        raise RefusedError(_("A call cannot be received in the future."))
    with transaction.atomic():
        call = Call.objects.create(
            organisation_id=actor.organisation_id,
            received_at=received_at,
            channel=channel,
            caller_type=caller_type,
            topic=topic,
            language=language,
            country=country,
            region=region,
            advice=keys,
            outcome=outcome,
            caller_consent=caller_consent,
            notes=notes,
            recorded_by=actor,
        )
        record(
            actor=actor,
            action=Action.HOTLINE_CALL,
            organisation=actor.organisation,
            object_type="call",
            object_ref=str(call.pk),
            changed_fields=["channel", "caller_type", "topic", "language", "outcome"]
            + (["notes"] if notes else []),
        )
    return call


def on_duty(organisation_id: int, at: dt.datetime | None = None) -> list[User]:
    """The organisation's supervisors on duty at `at` (now), who can respond to an SOS."""
    at = at or timezone.now()
    shifts = DutyShift.objects.filter(
        organisation_id=organisation_id, starts_at__lte=at, ends_at__gt=at
    ).select_related("supervisor")
    found: dict[int, User] = {}
    for shift in shifts:
        user = shift.supervisor
        if user.is_active and can(user, Capability.SOS_RESPOND):
            found[user.pk] = user
    return list(found.values())


def responders(organisation_id: int) -> list[User]:
    """Who an SOS alerts: the supervisors on duty, or every supervisor when none is."""
    return on_duty(organisation_id) or active_users(organisation_id, Capability.SOS_RESPOND)


def raise_sos(
    actor: User,
    *,
    where: str,
    who: str,
    danger: str,
    channel: str = Channel.PHONE,
    caller_type: str = CallerType.UNKNOWN,
    language: str = OTHER_LANGUAGE,
    country: str = "",
    region: str = "",
) -> SosAlert:
    """Record an SOS call with the minimum to act on (where, who, what danger) and alert
    the supervisors on duty (every supervisor when none is). Audited."""
    _refuse_unless(actor, Capability.HOTLINE_LOG)
    channel, caller_type, _topic, language = _check_call_facts(
        channel, caller_type, Topic.SOS, language
    )
    country, region = _check_place(country, region)
    where = _check_text(where, MAX_SOS_TEXT, _("Where"))
    who = _check_text(who, MAX_SOS_TEXT, _("Who is in danger"))
    danger = _check_text(danger, MAX_SOS_TEXT, _("What danger"))
    if not danger:
        raise RefusedError(_("Say what the danger is, in a few words."))
    if not (where or region):
        raise RefusedError(_("Say where, at least the region."))
    with transaction.atomic():
        call = Call.objects.create(
            organisation_id=actor.organisation_id,
            channel=channel,
            caller_type=caller_type,
            topic=Topic.SOS,
            language=language,
            country=country,
            region=region,
            recorded_by=actor,
        )
        alert = SosAlert.objects.create(
            call=call,
            organisation_id=actor.organisation_id,
            country=country,
            region=region,
            where=where,
            who=who,
            danger=danger,
            raised_by=actor,
        )
        told = responders(actor.organisation_id)
        alert.alerted.set(told)
        record(
            actor=actor,
            action=Action.SOS_RAISE,
            organisation=actor.organisation,
            object_type="sos",
            object_ref=str(alert.pk),
            changed_fields=["where", "who", "danger", "alerted"],
        )
    return alert


def acknowledge_sos(actor: User, alert: SosAlert) -> SosAlert:
    """A supervisor says they have the SOS in hand. Once: a second acknowledgement is
    refused, naming nobody but saying it was already taken."""
    _refuse_unless(actor, Capability.SOS_RESPOND)
    with transaction.atomic():
        current = (
            SosAlert.objects.select_for_update()
            .filter(pk=alert.pk, organisation_id=actor.organisation_id)
            .first()
        )
        if current is None:
            raise RefusedError(not_allowed_message())
        if current.acknowledged_at is not None:
            raise RefusedError(_("This SOS was already acknowledged."))
        current.acknowledged_by = actor
        current.acknowledged_at = timezone.now()
        current.version += 1
        current.save(update_fields=["acknowledged_by", "acknowledged_at", "version"])
        record(
            actor=actor,
            action=Action.SOS_ACKNOWLEDGE,
            organisation=actor.organisation,
            object_type="sos",
            object_ref=str(current.pk),
            changed_fields=["acknowledged_by", "acknowledged_at"],
        )
    return current


def set_duty(
    actor: User, *, supervisor: User, starts_at: dt.datetime, ends_at: dt.datetime
) -> DutyShift:
    """Put a supervisor of the organisation on duty for a period (a week at most)."""
    _refuse_unless(actor, Capability.SOS_RESPOND)
    if (
        supervisor.organisation_id != actor.organisation_id
        or not supervisor.is_active
        or not can(supervisor, Capability.SOS_RESPOND)
    ):
        raise RefusedError(_("Choose a supervisor of your organisation."))
    if ends_at <= starts_at:
        raise RefusedError(_("A shift must end after it starts."))
    if ends_at - starts_at > MAX_SHIFT:
        raise RefusedError(_("A shift can last a week at most."))
    if ends_at <= timezone.now():
        raise RefusedError(_("A shift that has already ended cannot be set."))
    with transaction.atomic():
        overlapping = DutyShift.objects.filter(
            organisation_id=actor.organisation_id,
            supervisor=supervisor,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        ).exists()
        if overlapping:
            raise RefusedError(_("This supervisor is already on duty during part of that time."))
        shift = DutyShift.objects.create(
            organisation_id=actor.organisation_id,
            supervisor=supervisor,
            starts_at=starts_at,
            ends_at=ends_at,
            set_by=actor,
        )
        record(
            actor=actor,
            action=Action.DUTY_SET,
            organisation=actor.organisation,
            object_type="duty",
            object_ref=str(shift.pk),
            changed_fields=["supervisor", "starts_at", "ends_at"],
        )
    return shift


def remove_duty(actor: User, shift: DutyShift) -> None:
    """Take a shift off the rota; one that has ended stays as the record of who was on."""
    _refuse_unless(actor, Capability.SOS_RESPOND)
    with transaction.atomic():
        current = (
            DutyShift.objects.select_for_update()
            .filter(pk=shift.pk, organisation_id=actor.organisation_id)
            .first()
        )
        if current is None:
            raise RefusedError(not_allowed_message())
        if current.ends_at <= timezone.now():
            raise RefusedError(_("A shift that has ended stays on the record."))
        record(
            actor=actor,
            action=Action.DUTY_SET,
            organisation=actor.organisation,
            object_type="duty",
            object_ref=str(current.pk),
            changed_fields=["removed"],
        )
        current.delete()


def open_lead(
    actor: User,
    *,
    source: str,
    country: str,
    region: str,
    district: str,
    sector: str,
    summary: str,
    call: Call | None = None,
) -> Lead:
    """Open a lead: a tip or report about someone not yet met. The one way to create a
    lead (community reports call it with source="community"). It names no person record;
    the summary is encrypted and must not be needed to identify the caller."""
    if source == LeadSource.COMMUNITY:
        # A community group's report turns into a lead by a coordinator's or supervisor's
        # decision (haven.community), never by the reporter.
        _refuse_unless(actor, Capability.LEAD_MANAGE)
    elif not (can(actor, Capability.LEAD_MANAGE) or can(actor, Capability.HOTLINE_LOG)):
        raise RefusedError(not_allowed_message())
    source = _check_choice(source, LeadSource.values, _("Choose where the lead comes from."))
    country, region = _check_place(country, region)
    district = _check_text(district, MAX_DISTRICT, _("District"))
    if sector:
        _check_choice(sector, Industry.values, _("Choose a sector from the list."))
    summary = _check_text(summary, MAX_SUMMARY, _("Summary"))
    if not summary:
        raise RefusedError(_("Say in a few words what the lead is about."))
    if call is not None:
        if not calls_for(actor).filter(pk=call.pk).exists():
            raise RefusedError(not_allowed_message())
        if source != LeadSource.HOTLINE:
            raise RefusedError(_("A lead from a call comes from the hotline."))
    with transaction.atomic():
        lead = Lead.objects.create(
            organisation_id=actor.organisation_id,
            source=source,
            call=call,
            country=country,
            region=region,
            district=district,
            sector=sector,
            summary=summary,
            created_by=actor,
        )
        record(
            actor=actor,
            action=Action.LEAD_OPEN,
            organisation=actor.organisation,
            object_type="lead",
            object_ref=str(lead.pk),
            changed_fields=["source", "country", "region", "district", "sector", "summary"],
        )
    return lead


def _lead_for_change(
    actor: User, lead: Lead, expected_version: int, to: str, capability: Capability
) -> Lead:
    current = leads_for(actor, capability).select_for_update().filter(pk=lead.pk).first()
    if current is None:
        raise RefusedError(not_allowed_message())
    if current.version != expected_version:
        raise ConcurrentEditError
    if to not in LEAD_FLOW[current.status]:
        raise RefusedError(
            _("A lead that is “%(status)s” cannot become “%(to)s”.")
            % {"status": current.get_status_display(), "to": LeadStatus(to).label}
        )
    return current


def _save_lead(actor: User, lead: Lead, to: str, changed: list[str]) -> Lead:
    lead.status = to
    lead.version += 1
    lead.updated_at = timezone.now()
    lead.save()
    record(
        actor=actor,
        action=Action.LEAD_CHANGE,
        organisation=actor.organisation,
        object_type="lead",
        object_ref=str(lead.pk),
        changed_fields=["status", *changed],
    )
    return lead


def reaches_assigned_leads(user: User) -> bool:
    """Whether a lead given to `user` is one they can then see (not an operator, who sees
    only the leads they opened)."""
    scopes = scopes_for(user, Capability.LEAD_VIEW)
    return user.is_active and bool(scopes & {Scope.ASSIGNED, Scope.ORGANISATION})


def outreach_workers(organisation_id: int) -> list[User]:
    """The organisation's users a lead can be given to."""
    return [
        u for u in active_users(organisation_id, Capability.LEAD_VIEW) if reaches_assigned_leads(u)
    ]


def assign_lead(actor: User, lead: Lead, *, worker: User, expected_version: int) -> Lead:
    """Give the lead to an outreach worker of the organisation (a case worker)."""
    _refuse_unless(actor, Capability.LEAD_MANAGE)
    if worker.organisation_id != actor.organisation_id or not reaches_assigned_leads(worker):
        raise RefusedError(_("Choose an outreach worker of your organisation."))
    with transaction.atomic():
        current = _lead_for_change(
            actor, lead, expected_version, LeadStatus.ASSIGNED, Capability.LEAD_MANAGE
        )
        current.assigned_to = worker
        return _save_lead(actor, current, LeadStatus.ASSIGNED, ["assigned_to"])


def pass_lead(
    actor: User,
    lead: Lead,
    *,
    expected_version: int,
    organisation: Organisation | None = None,
    provider: Provider | None = None,
    identifies_caller: bool,
    caller_consent: bool,
) -> Lead:
    """Pass the lead to police or an NGO: an organisation of this deployment or a provider
    of the directory. A tip that identifies the caller goes only with their consent."""
    _refuse_unless(actor, Capability.LEAD_MANAGE)
    if (organisation is None) == (provider is None):
        raise RefusedError(_("Choose one organisation or one provider to pass the lead to."))
    if organisation is not None and organisation.pk == actor.organisation_id:
        raise RefusedError(_("Pass the lead to another organisation, or assign it instead."))
    # Practice leads never leave the training space, and real ones never enter it.
    refuse_crossing(actor.organisation, organisation if provider is None else provider.organisation)
    if identifies_caller and not caller_consent:
        raise RefusedError(
            _("This tip identifies the caller: it can be passed on only with their consent.")
        )
    with transaction.atomic():
        current = _lead_for_change(
            actor, lead, expected_version, LeadStatus.PASSED_ON, Capability.LEAD_MANAGE
        )
        current.passed_to_organisation = organisation
        current.passed_to_provider = provider
        current.identifies_caller = identifies_caller
        current.caller_consent = caller_consent
        return _save_lead(
            actor,
            current,
            LeadStatus.PASSED_ON,
            [
                "passed_to_organisation" if organisation else "passed_to_provider",
                "identifies_caller",
                "caller_consent",
            ],
        )


def record_person_met(actor: User, lead: Lead, *, expected_version: int) -> Lead:
    """The outreach worker met the person: from here a person record may be opened, through
    the people app's own flow (the lead does not create one)."""
    if not (can(actor, Capability.LEAD_MANAGE) or can(actor, Capability.LEAD_VIEW)):
        raise RefusedError(not_allowed_message())
    with transaction.atomic():
        current = _lead_for_change(
            actor, lead, expected_version, LeadStatus.PERSON_MET, Capability.LEAD_VIEW
        )
        if current.assigned_to_id != actor.pk and not can(actor, Capability.LEAD_MANAGE):
            raise RefusedError(
                _("Only the outreach worker of the lead or a supervisor can say this.")
            )
        return _save_lead(actor, current, LeadStatus.PERSON_MET, [])


def close_lead(actor: User, lead: Lead, *, expected_version: int) -> Lead:
    """Close the lead: nothing more will be done with it."""
    _refuse_unless(actor, Capability.LEAD_MANAGE)
    with transaction.atomic():
        current = _lead_for_change(
            actor, lead, expected_version, LeadStatus.CLOSED, Capability.LEAD_MANAGE
        )
        return _save_lead(actor, current, LeadStatus.CLOSED, [])


def start_call_screening(actor: User, call: Call, *, readiness: dict[str, Any]) -> Screening:
    """Start the engine's quick screening from a call, through haven.screening's own
    anonymous flow (no person), and link it to the call."""
    _refuse_unless(actor, Capability.HOTLINE_LOG)
    _refuse_unless(actor, Capability.SCREENING_CREATE)
    with transaction.atomic():
        current = calls_for(actor).select_for_update().filter(pk=call.pk).first()
        if current is None:
            raise RefusedError(not_allowed_message())
        if current.screening_id is not None:
            raise RefusedError(_("A screening was already started from this call."))
        screening = start_screening(actor, readiness=readiness)
        current.screening = screening
        if not current.outcome or current.outcome == CallOutcome.ADVICE_ONLY:
            current.outcome = CallOutcome.SCREENING_STARTED
        current.version += 1
        current.save(update_fields=["screening", "outcome", "version"])
        record(
            actor=actor,
            action=Action.HOTLINE_SCREENING,
            organisation=actor.organisation,
            object_type="call",
            object_ref=str(current.pk),
            changed_fields=["screening", "outcome"],
        )
    return screening
