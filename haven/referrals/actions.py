"""Consent and referral actions. Each runs in one transaction with its audit row.

Every packet is cut to the categories a live consent covers at the moment it is built or
looked at, except under an emergency override, which is named, time-limited, approved by
a second person (a supervisor, or where the jurisdiction allows a second case worker),
notified to supervisors and audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import OrganisationType
from haven.accounts.roles import Capability, can
from haven.audit.chain import record
from haven.audit.models import Action
from haven.cases.actions import audit_case, case_team, locked_case, record_event
from haven.cases.children import is_child
from haven.cases.models import EventKind, NoticeKind, Notification
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.core.pseudonyms import REFERRAL_PREFIX, create_with_reference
from haven.core.testing_hooks import pause_point
from haven.core.training import refuse_crossing
from haven.directory.models import DirectoryService
from haven.identification import authority, jurisdictions
from haven.referrals import packet as packets
from haven.referrals import receiving
from haven.referrals.consent import in_order, live_categories, usable_consents
from haven.referrals.letters import new_password
from haven.referrals.models import (
    ApprovedAs,
    Channel,
    Consent,
    ConsentMethod,
    DataCategory,
    DeclineCode,
    Deployment,
    Direction,
    OverrideGround,
    OverrideRequest,
    OverrideStatus,
    Purpose,
    Referral,
    ReferralMessage,
    ReferralStatus,
)

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.cases.models import Case
    from haven.directory.models import Provider

# The HTCDS consent checklist: what the person must have been told before consenting.
EXPLAINED = (
    "purpose_explained",
    "uses_explained",
    "right_to_see_explained",
    "storage_explained",
    "withdrawal_explained",
)

MESSAGE_LIMIT = 4000
# What may travel under an emergency override: enough to reach and treat the person.
OVERRIDE_CATEGORIES = (DataCategory.IDENTITY, DataCategory.CONTACT, DataCategory.HEALTH)


def _audit(actor: User, action: str, referral: Referral, fields: list[str]) -> None:
    record(
        actor=actor,
        action=action,
        object_type="referral",
        object_ref=referral.reference,
        changed_fields=fields,
    )


def _check_deployment(data: Mapping[str, Any]) -> None:
    """A consent across a border names a trusted deployment, and only an organisation
    that deployment publishes."""
    deployment_id = data.get("recipient_deployment_id")
    organisation = data.get("recipient_deployment_organisation") or ""
    if deployment_id is None:
        if organisation:
            raise RefusedError(_("Choose the Haven deployment of that organisation."))
        return
    deployment = Deployment.objects.filter(pk=deployment_id, is_self=False).first()
    if deployment is None:
        raise RefusedError(_("Choose the Haven deployment that receives the file."))
    published = {str(o.get("id", "")) for o in deployment.organisations}
    if organisation and organisation not in published:
        raise RefusedError(_("That deployment does not publish this organisation."))


def record_consent(actor: User, case: Case, data: Mapping[str, Any]) -> Consent:
    """Record what the person agreed to share, with whom, for what, until when."""
    categories = in_order(data.get("categories", []))
    with transaction.atomic():
        current = locked_case(actor, case, Capability.CONSENT_RECORD)
        if not categories:
            raise RefusedError(_("Choose at least one kind of information."))
        if data["expires_on"] < timezone.localdate():
            raise RefusedError(_("A consent must be valid until today or later."))
        if bool(data.get("recipient_provider_id")) == bool(data.get("recipient_org_type")):
            raise RefusedError(_("Choose one recipient: a provider, or a type of organisation."))
        _check_deployment(data)
        if not all(data.get(name) for name in EXPLAINED):
            raise RefusedError(
                _("Consent is informed only once every point of the checklist was explained.")
            )
        data = _child_consent(current, data)
        consent = Consent.objects.create(
            person=current.person,
            case=current,
            organisation=current.organisation,
            recorded_by=actor,
            **{**data, "categories": categories},
        )
        changed = ["categories", "purpose", "recipient", "expires_on", "method"]
        if consent.method == ConsentMethod.CHILD:
            changed += ["guardian_consented", "guardian_name", "child_assented"]
        audit_case(actor, current, Action.CONSENT_RECORD, sorted(changed))
        record_event(actor, current, EventKind.CONSENT, consent.purpose)
    return consent


def _child_consent(case: Case, data: Mapping[str, Any]) -> dict[str, Any]:
    """A child's consent is the guardian's consent and the child's own assent, each
    recorded; an adult's consent method is refused for a child (or a person of uncertain
    age). The guardian named defaults to the case's guardian."""
    data = dict(data)
    if data.get("method") != ConsentMethod.CHILD:
        if is_child(case):
            raise RefusedError(
                _("This person is a child: record the guardian's consent and the child's assent.")
            )
        # An adult's consent says nothing of a guardian.
        for name in ("guardian_consented", "guardian_name", "child_assented"):
            data.pop(name, None)
        return data
    data["guardian_name"] = str(data.get("guardian_name") or "").strip() or case.guardian.strip()
    if not data["guardian_name"]:
        raise RefusedError(_("Name the guardian who gives consent for the child."))
    if not data.get("guardian_consented"):
        raise RefusedError(_("Record that the guardian consents."))
    if not data.get("child_assented"):
        raise RefusedError(_("Record that the child assents."))
    return data


def withdraw_consent(actor: User, consent: Consent, *, reason: str = "") -> None:
    """At once: no new sharing, and packets shared inside Haven under it lose what it
    covered. Letters and files that already left Haven cannot be recalled
    (`Consent.sent_outside_haven` lists them). The optional reason is stored encrypted; the
    audit row names the field, never its value.

    Always possible, on a closed case too: withdrawing only ever protects the person, and
    they must not have to wait for anyone to reopen their case to stop the sharing."""
    case = consent.case
    assert case is not None  # noqa: S101 - record_consent always ties it to a case
    reason = reason.strip()
    with transaction.atomic():
        locked = locked_case(actor, case, Capability.CONSENT_RECORD, even_if_closed=True)
        current = Consent.objects.select_for_update().get(pk=consent.pk)
        if current.withdrawn_at is not None:
            raise RefusedError(_("This consent was already withdrawn."))
        now = timezone.now()
        shared = [
            (referral, set(visible_categories(referral, now)))
            for referral in locked.referrals.filter(
                channel=Channel.HAVEN,
                status__in=(ReferralStatus.SENT, ReferralStatus.ACCEPTED),
            ).select_related("service__provider")
        ]
        current.withdrawn_at = now
        current.withdrawn_by = actor
        current.withdrawal_reason = reason
        current.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        changed = ["withdrawn_at", "withdrawal_reason"] if reason else ["withdrawn_at"]
        audit_case(actor, locked, Action.CONSENT_WITHDRAW, changed)
        record_event(actor, locked, EventKind.CONSENT_WITHDRAWN, current.purpose)
        # Each recipient inside Haven whose packet now shows less is told.
        for referral, before in shared:
            if set(visible_categories(referral, now)) < before:
                receiving.notify_receivers(referral, NoticeKind.CONSENT_WITHDRAWN, actor)
    consent.refresh_from_db()


def allowed_categories(
    case: Case, provider: Provider, purpose: str, on: dt.date, other_deployment: str = ""
) -> list[str]:
    """What live consent lets go to this provider: across a border, only under a consent
    that names the receiving deployment (`other_deployment`, its ident)."""
    deployment_id = None
    if other_deployment:
        found = Deployment.objects.filter(ident=other_deployment).values_list("pk", flat=True)
        deployment_id = found.first() or -1  # an unknown deployment: nothing is covered
    return live_categories(usable_consents(case), provider, purpose, on, deployment_id)


def preview(
    case: Case,
    service: DirectoryService,
    *,
    purpose: str,
    reason: str,
    details: str,
    categories: list[str],
    contact: User | None = None,
    other_deployment: str = "",
) -> packets.Packet:
    """Exactly what the recipient would see if sent now."""
    on = timezone.localdate()
    allowed = allowed_categories(case, service.provider, purpose, on, other_deployment)
    shared = [c for c in categories if c in allowed]
    return packets.build(
        reference="—",
        sender=case.organisation.name,
        service=service.kind,
        purpose=purpose,
        reason=reason,
        details=details,
        case=case,
        categories=shared,
        on=on,
        contact=packets.contact_of(contact) if contact is not None else None,
    )


def send_referral(
    actor: User,
    case: Case,
    service: DirectoryService,
    *,
    purpose: str,
    reason: str,
    details: str,
    categories: list[str],
    channel: str,
    other_deployment: str = "",
    contact: User | None = None,
) -> Referral:
    """Refer the person to a service, sharing only the chosen, consented categories.

    Only to a service that takes referrals now, never to the case's own organisation, and
    only from a case that is open. The contact person the recipient calls back is an active
    user of the case's organisation: the actor unless another is named."""
    if channel == Channel.CROSS_BORDER and not (
        other_deployment
        and Deployment.objects.filter(ident=other_deployment, is_self=False).exists()
    ):
        raise RefusedError(_("Choose the Haven deployment that receives the file."))

    def create(reference: str) -> Referral:
        current = locked_case(actor, case, Capability.REFERRAL_SEND)
        # The directory as it is now, not as the form saw it.
        fresh = DirectoryService.objects.select_related("provider__organisation").get(pk=service.pk)
        provider = fresh.provider
        # Practice stays practice: a training organisation's case goes only to another
        # training organisation, and a real case never to one.
        refuse_crossing(current.organisation, provider.organisation)
        if not fresh.accepts_referrals:
            raise RefusedError(_("This service does not take referrals at the moment."))
        if provider.organisation_id == current.organisation_id:
            raise RefusedError(_("This provider is your own organisation."))
        if channel == Channel.HAVEN and provider.organisation_id is None:
            raise RefusedError(_("This provider does not use Haven: send a letter or a file."))
        # As the accounts are now, not as the form saw them.
        named = contact or actor
        if (
            not get_user_model()
            .objects.filter(pk=named.pk, is_active=True, organisation_id=current.organisation_id)
            .exists()
        ):
            raise RefusedError(
                _("The contact person must be an active user of the organisation of the case.")
            )
        if purpose == Purpose.IDENTIFICATION:
            why = authority.request_refusal(current, provider, channel, categories)
            if why:
                raise RefusedError(why)
        across = other_deployment if channel == Channel.CROSS_BORDER else ""
        allowed = allowed_categories(current, provider, purpose, timezone.localdate(), across)
        refused = [c for c in categories if c not in allowed]
        if refused:
            raise RefusedError(
                _("The person has not consented to share this with this recipient: %(what)s.")
                % {"what": ", ".join(str(DataCategory(c).label) for c in refused)}
            )
        referral = Referral.objects.create(
            reference=reference,
            direction=Direction.OUTGOING,
            case=current,
            sender_organisation=current.organisation,
            service=fresh,
            service_kind=fresh.kind,
            recipient_organisation=provider.organisation if channel == Channel.HAVEN else None,
            recipient_name=provider.name,
            other_deployment=other_deployment,
            purpose=purpose,
            reason=reason,
            details=details,
            channel=channel,
            categories=in_order(categories),
            # The encrypted file's password, read out by phone: made once, with the referral.
            file_password=new_password() if channel == Channel.ENCRYPTED_FILE else "",
            contact=named,
            created_by=actor,
        )
        _audit(
            actor, Action.REFERRAL_SEND, referral, ["categories", "channel", "purpose", "contact"]
        )
        record_event(actor, current, EventKind.REFERRAL, referral.channel)
        if channel == Channel.HAVEN:
            receiving.notify_receivers(referral, NoticeKind.REFERRAL_RECEIVED, actor)
        pause_point("referral-send")
        return referral

    return create_with_reference(REFERRAL_PREFIX, create)


def visible_categories(referral: Referral, at: dt.datetime) -> list[str]:
    """What the recipient may see now: the chosen categories still under live consent, or
    the override's while it lasts. Nothing once revoked."""
    if referral.status == ReferralStatus.REVOKED:
        return []
    if referral.direction == Direction.INCOMING:
        return [s["category"] for s in referral.packet.get("sections", [])]
    assert referral.case is not None  # noqa: S101 - every outgoing referral has its case
    assert referral.service is not None  # noqa: S101
    across = referral.other_deployment if referral.channel == Channel.CROSS_BORDER else ""
    live = allowed_categories(
        referral.case,
        referral.service.provider,
        referral.purpose,
        timezone.localtime(at).date(),
        across,
    )
    shown = [c for c in referral.categories if c in live]
    if referral.override_active(at):
        shown = in_order([*shown, *referral.override_categories])
    return shown


def letter_made(referral: Referral, categories: list[str]) -> None:
    """A letter (or encrypted PDF) left Haven: when first, and what the last one carried."""
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        current.left_at = current.left_at or timezone.now()
        current.left_categories = in_order(categories)
        current.save(update_fields=["left_at", "left_categories"])
    referral.left_at, referral.left_categories = current.left_at, current.left_categories


def packet_for(actor: User, referral: Referral) -> packets.Packet:
    """The packet as the recipient may see it now; the look is audited."""
    now = timezone.now()
    categories = visible_categories(referral, now)
    if referral.direction == Direction.INCOMING:
        built = dict(referral.packet)
    else:
        built = packets.for_referral(referral, categories, timezone.localtime(now).date())
    with transaction.atomic():
        _audit(actor, Action.REFERRAL_VIEW, referral, categories)
    return built


def _locked(referral: Referral, expected_version: int) -> Referral:
    current = Referral.objects.select_for_update().get(pk=referral.pk)
    if current.version != expected_version:
        raise ConcurrentEditError
    return current


def _locked_by_sender(
    actor: User,
    referral: Referral,
    capability: Capability,
    expected_version: int,
    *,
    even_if_closed: bool = False,
) -> Referral:
    """A change by the sending side: through the gate of its case (cases.locked_case:
    the actor's roles reach the case, and it is open unless `even_if_closed`), then the
    referral itself, locked in that order."""
    case = referral.case
    if referral.direction != Direction.OUTGOING or case is None:
        raise RefusedError(_("Only the organisation that sent this referral can change it."))
    locked_case(actor, case, capability, even_if_closed=even_if_closed)
    return _locked(referral, expected_version)


def _locked_by_recipient(actor: User, referral: Referral, expected_version: int) -> Referral:
    """A change by the receiving side, which answers for the referral, not for the case:
    the sender's case being closed does not stop it."""
    current = _locked(referral, expected_version)
    if (
        not can(actor, Capability.REFERRAL_RECEIVE)
        or current.recipient_organisation_id != actor.organisation_id
    ):
        raise RefusedError(_("Only the organisation this referral was sent to can answer it."))
    return current


def _save(
    actor: User,
    current: Referral,
    action: str,
    fields: list[str],
    *,
    event: str = EventKind.REFERRAL_UPDATE,
) -> None:
    """A new version, its audit row, and (for a referral sent from a case here) an entry in
    the case history that tells the case team."""
    current.version += 1
    current.save()
    _audit(actor, action, current, fields)
    if current.case is not None:
        record_event(actor, current.case, event, current.status)


def _decline_code(code: str, reason: str) -> str:
    """A decline says why, from the code list (`DeclineCode`); "another reason" says which
    in words. A decline given in words only (as before the code list, and still by API
    clients that send no code) is coded "another reason"."""
    code = code or (DeclineCode.OTHER if reason else "")
    if code not in DeclineCode.values:
        raise RefusedError(_("Say why the referral is declined."))
    if code == DeclineCode.OTHER and not reason:
        raise RefusedError(_("Say in a few words why the referral is declined."))
    return code


def respond(
    actor: User,
    referral: Referral,
    *,
    accept: bool,
    reason: str,
    expected_version: int,
    decline_code: str = "",
) -> None:
    """The receiving organisation accepts, or declines with a coded reason."""
    with transaction.atomic():
        current = _locked_by_recipient(actor, referral, expected_version)
        if current.status != ReferralStatus.SENT:
            raise RefusedError(_("This referral is no longer waiting for an answer."))
        code = "" if accept else _decline_code(decline_code.strip(), reason.strip())
        current.status = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
        current.response_reason = reason.strip()
        current.decline_code = code
        current.responded_at = timezone.now()
        current.responded_by = actor
        fields = ["status", "response_reason", *(["decline_code"] if code else [])]
        _save(actor, current, Action.REFERRAL_RESPOND, fields)
    referral.refresh_from_db()


def complete(
    actor: User, referral: Referral, *, helped: bool, outcome: str, expected_version: int
) -> None:
    """The receiving organisation says whether the help was given."""
    with transaction.atomic():
        current = _locked_by_recipient(actor, referral, expected_version)
        if current.status != ReferralStatus.ACCEPTED:
            raise RefusedError(_("Only an accepted referral can be completed."))
        current.status = ReferralStatus.COMPLETED if helped else ReferralStatus.NOT_COMPLETED
        current.outcome = outcome.strip()
        current.completed_at = timezone.now()
        _save(actor, current, Action.REFERRAL_COMPLETE, ["status", "outcome"])
    referral.refresh_from_db()


def revoke(actor: User, referral: Referral, *, expected_version: int) -> None:
    """The sender withdraws the referral: the recipient loses the packet at once. Possible
    on a closed case too: like withdrawing consent, it only ever shares less."""
    with transaction.atomic():
        current = _locked_by_sender(
            actor, referral, Capability.REFERRAL_SEND, expected_version, even_if_closed=True
        )
        if current.status not in (ReferralStatus.SENT, ReferralStatus.ACCEPTED):
            raise RefusedError(_("This referral is already closed."))
        current.status = ReferralStatus.REVOKED
        current.revoked_at = timezone.now()
        _save(actor, current, Action.REFERRAL_REVOKE, ["status"])
        receiving.notify_receivers(current, NoticeKind.REFERRAL_REVOKED, actor)
    referral.refresh_from_db()


# Recipients that can act against the person (arrest, detention, removal): emergency
# sharing goes to them only to save a life.
ENFORCEMENT_TYPES = frozenset({OrganisationType.LAW_ENFORCEMENT, OrganisationType.IMMIGRATION})


def goes_to_enforcement(referral: Referral) -> bool:
    """The referral's recipient is law enforcement or an immigration service: the
    organisation in Haven, or the directory's provider outside it."""
    types = set()
    if referral.recipient_organisation is not None:
        types.add(referral.recipient_organisation.org_type)
    if referral.service is not None:
        types.add(referral.service.provider.org_type)
    return bool(types & ENFORCEMENT_TYPES)


def _supervisors(organisation_id: int, but: User) -> list[User]:
    """Who approves emergency sharing in the organisation, but the one acting."""
    supervisors = receiving.active_users(organisation_id, Capability.OVERRIDE_APPROVE)
    return [u for u in supervisors if u.pk != but.pk]


def _notify(users: list[User], referral: Referral, kind: str) -> None:
    Notification.objects.bulk_create(
        Notification(user=user, referral=referral, kind=kind) for user in users
    )


def _audit_request(actor: User, action: str, request: OverrideRequest, fields: list[str]) -> None:
    # On the referral's reference: the request's number alone would say nothing to a reader.
    _audit(actor, action, request.referral, fields)


def request_override(
    actor: User,
    referral: Referral,
    *,
    ground: str,
    reason: str,
    categories: list[str],
    hours: int,
    expected_version: int,
) -> OverrideRequest:
    """Ask to share a referral's packet without consent, in an emergency. Records a pending
    request and tells the organisation's supervisors; nothing opens until a second person
    approves it (`decide_override`). To law enforcement or an immigration service only when
    the ground is an imminent threat to life."""
    limit = settings.HAVEN_OVERRIDE_MAX_HOURS
    reason = reason.strip()
    with transaction.atomic():
        current = _locked_by_sender(actor, referral, Capability.REFERRAL_OVERRIDE, expected_version)
        if not current.is_open:
            raise RefusedError(_("This referral is already closed."))
        if ground not in OverrideGround.values:
            raise RefusedError(_("Choose the ground that justifies sharing without consent."))
        if not reason:
            raise RefusedError(_("Say what is happening that justifies sharing without consent."))
        if not 1 <= hours <= limit:
            raise RefusedError(_("An override lasts from 1 to %(n)s hours.") % {"n": limit})
        if any(c not in OVERRIDE_CATEGORIES for c in categories):
            raise RefusedError(
                _("In an emergency only identity, contact details and health information go.")
            )
        chosen = in_order(categories)
        if not chosen:
            raise RefusedError(_("Choose what the recipient needs to know to protect the person."))
        if goes_to_enforcement(current) and ground != OverrideGround.IMMINENT_THREAT_TO_LIFE:
            raise RefusedError(
                _(
                    "Law enforcement and immigration services receive information without "
                    "consent only when there is an imminent threat to life."
                )
            )
        if current.override_requests.filter(status=OverrideStatus.PENDING).exists():
            raise RefusedError(_("An emergency request for this referral is already waiting."))
        request = OverrideRequest.objects.create(
            referral=current,
            requested_by=actor,
            ground=ground,
            reason=reason,
            categories=chosen,
            hours=hours,
        )
        _audit_request(
            actor, Action.OVERRIDE_REQUEST, request, ["ground", "reason", "hours", *chosen]
        )
        assert current.case is not None  # noqa: S101 - _locked_by_sender says so
        _notify(
            _supervisors(current.case.organisation_id, actor),
            current,
            NoticeKind.OVERRIDE_REQUESTED,
        )
    return request


def _locked_request(request: OverrideRequest, expected_version: int | None) -> OverrideRequest:
    current = OverrideRequest.objects.select_for_update().get(pk=request.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError
    return current


def decide_override(
    actor: User,
    request: OverrideRequest,
    *,
    approve: bool,
    note: str,
    expected_version: int,
) -> None:
    """A second person decides an emergency request: a supervisor approves or refuses it;
    where the case's jurisdiction profile allows it (`[emergency] second_case_worker`) and
    no supervisor can be reached, a case worker other than the requester may approve (never
    refuse), saying why, and the supervisors are told at once. Nobody decides their own
    request. Approval opens the named categories to the recipient for the hours asked."""
    note = note.strip()
    referral = request.referral
    case = referral.case
    if case is None:
        raise RefusedError(_("Only the organisation that sent this referral can change it."))
    as_supervisor = can(actor, Capability.OVERRIDE_APPROVE)
    capability = Capability.OVERRIDE_APPROVE if as_supervisor else Capability.OVERRIDE_SECOND
    with transaction.atomic():
        # Case, then referral, then request: the order every change here locks in.
        locked = locked_case(actor, case, capability)
        target = Referral.objects.select_for_update().get(pk=referral.pk)
        current = _locked_request(request, expected_version)
        if current.requested_by_id == actor.pk:
            raise RefusedError(_("Someone else must decide on your own emergency request."))
        if not current.is_pending:
            raise RefusedError(_("This emergency request is no longer waiting for a decision."))
        if not as_supervisor:
            if not jurisdictions.get(locked.jurisdiction).second_case_worker:
                raise RefusedError(_("Here only a supervisor may approve sharing without consent."))
            if not approve:
                raise RefusedError(
                    _("Only a supervisor may refuse an emergency request: leave it waiting.")
                )
            if not note:
                raise RefusedError(_("Say which supervisors you tried to reach."))
        elif not approve and not note:
            raise RefusedError(_("Say why the emergency request is refused."))
        if approve and not target.is_open:
            raise RefusedError(_("This referral is already closed."))
        now = timezone.now()
        current.status = OverrideStatus.APPROVED if approve else OverrideStatus.REFUSED
        current.decided_by = actor
        current.decided_at = now
        current.approved_as = (
            ""
            if not approve
            else (ApprovedAs.SUPERVISOR if as_supervisor else ApprovedAs.SECOND_CASE_WORKER)
        )
        current.decision_note = note
        current.version += 1
        current.save()
        fields = ["status", *(["decision_note"] if note else [])]
        _audit_request(actor, Action.OVERRIDE_DECIDE, current, fields)
        told = [current.requested_by] if current.requested_by.is_active else []
        if approve:
            # Exactly what the single-person override did: the packet opens through
            # visible_categories, for the hours asked, from now.
            target.override_reason = current.reason
            target.override_until = now + dt.timedelta(hours=current.hours)
            target.override_categories = list(current.categories)
            _save(
                actor,
                target,
                Action.REFERRAL_OVERRIDE,
                ["override_reason", "override_until", *current.categories],
                event=EventKind.OVERRIDE,
            )
            if not as_supervisor:
                # The supervisors learn at once that someone approved in their place.
                told += _supervisors(locked.organisation_id, actor)
        _notify(
            [u for u in {u.pk: u for u in told}.values() if u.pk != actor.pk],
            target,
            NoticeKind.OVERRIDE_DECIDED,
        )
    request.refresh_from_db()


def withdraw_override_request(
    actor: User, request: OverrideRequest, *, expected_version: int
) -> None:
    """The requester takes back a request still waiting: nothing was opened, nothing is."""
    with transaction.atomic():
        current = _locked_request(request, expected_version)
        if current.requested_by_id != actor.pk or not can(actor, Capability.REFERRAL_OVERRIDE):
            raise RefusedError(_("Only the person who asked can withdraw the request."))
        if not current.is_pending:
            raise RefusedError(_("This emergency request is no longer waiting for a decision."))
        current.status = OverrideStatus.WITHDRAWN
        current.decided_at = timezone.now()
        current.version += 1
        current.save()
        _audit_request(actor, Action.OVERRIDE_WITHDRAW, current, ["status"])
    request.refresh_from_db()


def post_message(actor: User, referral: Referral, body: str) -> ReferralMessage:
    """A message on an identification request, from either side: the authority asking for
    more information, the referring organisation answering. Neither side gains access to
    anything else; the other side is told. Only while the request is open."""
    text = body.strip()
    with transaction.atomic():
        if referral.purpose != Purpose.IDENTIFICATION:
            raise RefusedError(_("Messages are for identification requests."))
        if referral.recipient_organisation_id == actor.organisation_id:
            if not can(actor, Capability.IDENTIFICATION_REQUESTS):
                raise RefusedError(_("Your role may not write on identification requests."))
            current = Referral.objects.select_for_update().get(pk=referral.pk)
            assert current.case is not None  # noqa: S101 - a request comes from a case
            others = case_team(current.case)
        else:
            # The referring side: through the gate of its case, then the request.
            if referral.direction != Direction.OUTGOING or referral.case is None:
                raise RefusedError(_("Only the two organisations of a request write on it."))
            locked_case(actor, referral.case, Capability.REFERRAL_SEND)
            current = Referral.objects.select_for_update().get(pk=referral.pk)
            others = receiving.receivers_of(current)
        if not current.is_open:
            raise RefusedError(_("This request is already closed."))
        if not text:
            raise RefusedError(_("Write the message."))
        if len(text) > MESSAGE_LIMIT:
            raise RefusedError(_("A message is at most %(n)s characters.") % {"n": MESSAGE_LIMIT})
        message = ReferralMessage.objects.create(
            referral=current, organisation=actor.organisation, author=actor, body=text
        )
        Notification.objects.bulk_create(
            Notification(user=user, referral=current, kind=NoticeKind.REFERRAL_MESSAGE)
            for user in others
            if user.pk != actor.pk
        )
        _audit(actor, Action.REFERRAL_MESSAGE, current, ["body"])
    return message
