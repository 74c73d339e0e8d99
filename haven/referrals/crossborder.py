"""Referrals between Haven deployments that are not connected: files, not network calls.

The sender exports a signed, encrypted file for one named deployment; the receiver imports
it into a new incoming referral and later sends back an acknowledgement file with the
referral's status. Every file is checked: addressed to us, from a deployment we trust,
not altered, never imported before.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from haven.accounts.models import Organisation
from haven.audit.chain import record
from haven.audit.models import Action
from haven.cases.models import NoticeKind
from haven.core.errors import RefusedError
from haven.core.pseudonyms import REFERRAL_PREFIX, create_with_reference
from haven.core.testing_hooks import pause_point
from haven.core.training import refuse_crossing, refuse_leaving
from haven.referrals import packet as packets
from haven.referrals import receiving, schema
from haven.referrals.actions import _audit, visible_categories
from haven.referrals.consent import usable_consents
from haven.referrals.exchange import ExchangeError, Identity, KeyPair, open_file, seal
from haven.referrals.models import (
    Channel,
    Deployment,
    Direction,
    ExchangeReceipt,
    Referral,
    ReferralStatus,
)

if TYPE_CHECKING:
    from haven.accounts.models import User

ACK_ORDER: dict[str, int] = {
    ReferralStatus.SENT: 0,
    ReferralStatus.ACCEPTED: 1,
    ReferralStatus.DECLINED: 1,
    ReferralStatus.COMPLETED: 2,
    ReferralStatus.NOT_COMPLETED: 2,
}
# The answers an acknowledgement can carry: every status past "sent".
ACK_STATUSES = tuple(status for status, step in ACK_ORDER.items() if step)


def own_keys() -> KeyPair:
    path = settings.HAVEN_EXCHANGE_KEY_FILE
    if not path.exists():
        raise RefusedError(
            _("This deployment has no exchange keys yet: run `haven exchange init`.")
        )
    return KeyPair.load(path)


def identity_of(deployment: Deployment) -> Identity:
    return Identity(
        deployment.ident,
        deployment.name,
        deployment.country,
        deployment.signing_key,
        deployment.encryption_key,
        tuple(deployment.organisations),
    )


def remember(identity: Identity, *, is_self: bool) -> Deployment:
    """Record a deployment's public identity: this one's own, or a partner it trusts."""
    deployment, _created = Deployment.objects.update_or_create(
        ident=identity.ident,
        defaults={
            "name": identity.name,
            "country": identity.country,
            "signing_key": identity.signing_key,
            "encryption_key": identity.encryption_key,
            "is_self": is_self,
            "organisations": [dict(o) for o in identity.organisations],
        },
    )
    return deployment


def trusted() -> dict[str, Identity]:
    return {d.ident: identity_of(d) for d in Deployment.objects.filter(is_self=False)}


MESSAGES = {
    "malformed": lambda d: _("This is not a Haven exchange file, or it is damaged."),
    "too_large": lambda d: _("The file is too large to be a Haven exchange file."),
    "version": lambda d: _("The file was made by an incompatible version of Haven."),
    "wrong_recipient": lambda d: (
        _("This file is addressed to another deployment (%(to)s), not to this one.") % {"to": d}
    ),
    "unknown_sender": lambda d: (
        _("The file comes from a deployment this one does not trust (%(sender)s).") % {"sender": d}
    ),
    "tampered": lambda d: _(
        "The file was altered after it was made, or it is not for this deployment."
    ),
    "bad_signature": lambda d: _("The sender's signature does not match: the file is refused."),
}


def _refuse(error: ExchangeError) -> RefusedError:
    return RefusedError(str(MESSAGES.get(error.code, MESSAGES["malformed"])(error.detail)))


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def recipient_organisation(referral: Referral) -> dict[str, str] | None:
    """The organisation at the receiving deployment that a live consent names, if any."""
    if referral.case is None:
        return None
    deployment = Deployment.objects.filter(ident=referral.other_deployment).first()
    if deployment is None:
        return None
    consents = usable_consents(referral.case)
    today = timezone.localdate()
    for consent in consents:
        if (
            consent.is_live(today)
            and consent.recipient_deployment_id == deployment.pk
            and consent.recipient_deployment_organisation
        ):
            published = {str(o.get("id")): str(o.get("name", "")) for o in deployment.organisations}
            code = consent.recipient_deployment_organisation
            return {"id": code, "name": published.get(code, "")}
    return None


def export_referral(actor: User, referral: Referral) -> bytes:
    """The file for the receiving deployment: the packet as consent allows it today.

    One referral, one message id: exporting again gives the same version while the packet
    is unchanged (the receiver says it has it already), and a new version of the same
    referral when consent changed what it may carry (the receiver replaces the old)."""
    refuse_leaving(actor.organisation)
    if referral.channel != Channel.CROSS_BORDER or not referral.is_open:
        raise RefusedError(_("Only an open cross-border referral can be exported."))
    recipient = Deployment.objects.filter(ident=referral.other_deployment, is_self=False).first()
    if recipient is None:
        raise RefusedError(_("The receiving deployment is not in the list of trusted deployments."))
    keys = own_keys()
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        now = timezone.now()
        categories = visible_categories(current, now)
        built = packets.for_referral(current, categories, timezone.localdate())
        built["consented"] = categories
        content = {
            "packet": built,
            "recipient_organisation": recipient_organisation(current),
            "language": get_language() or "",
        }
        digest = _digest(content)
        version = current.file_version
        if digest != current.file_digest or not version:
            version += 1
        message_id, data = seal(
            keys,
            identity_of(recipient),
            "referral",
            {**content, "version": version},
            current.message_id,
        )
        Referral.objects.filter(pk=current.pk).update(
            message_id=message_id,
            file_version=version,
            file_digest=digest,
            left_at=current.left_at or now,
            left_categories=categories,
        )
        _audit(actor, Action.REFERRAL_EXPORT, current, [s["category"] for s in built["sections"]])
    referral.refresh_from_db()
    return data


def withdrawal_due(referral: Referral) -> str:
    """Why the receiving deployment should be told to hide what it holds, or "".

    Once a file has left and the referral is revoked, or consent no longer covers anything
    the file carried."""
    if referral.channel != Channel.CROSS_BORDER or referral.left_at is None:
        return ""
    if referral.status == ReferralStatus.REVOKED:
        return "revoked"
    if not set(referral.left_categories) & set(visible_categories(referral, timezone.now())):
        return "consent_withdrawn"
    return ""


def export_withdrawal(actor: User, referral: Referral) -> bytes:
    """The signed notice that tells the receiving deployment to hide the person's data."""
    why = withdrawal_due(referral)
    if not why:
        raise RefusedError(_("Nothing to withdraw: the file still follows the person's consent."))
    recipient = Deployment.objects.filter(ident=referral.other_deployment, is_self=False).first()
    if recipient is None:
        raise RefusedError(_("The receiving deployment is not in the list of trusted deployments."))
    body = {"in_reply_to": referral.message_id, "why": why, "at": timezone.now().isoformat()}
    _message_id, data = seal(own_keys(), identity_of(recipient), "withdrawal", body)
    with transaction.atomic():
        _audit(actor, Action.REFERRAL_EXPORT, referral, ["withdrawal"])
    return data


def export_ack(actor: User, referral: Referral) -> bytes:
    """Tell the sending deployment what became of an imported referral."""
    if referral.direction != Direction.INCOMING or referral.status not in ACK_STATUSES:
        raise RefusedError(_("Answer the referral before sending an acknowledgement."))
    sender = Deployment.objects.filter(ident=referral.other_deployment, is_self=False).first()
    if sender is None:
        raise RefusedError(_("The sending deployment is no longer trusted."))
    body = {
        "in_reply_to": referral.message_id,
        "status": referral.status,
        "reason": referral.response_reason,
        "at": timezone.now().isoformat(),
    }
    _message_id, data = seal(own_keys(), identity_of(sender), "ack", body)
    with transaction.atomic():
        _audit(actor, Action.REFERRAL_EXPORT, referral, ["status"])
    return data


DAMAGED = gettext_lazy("This is not a Haven exchange file, or it is damaged.")


def import_file(actor: User, data: bytes) -> Referral:
    """A referral, an acknowledgement or a withdrawal notice from another deployment.

    Refused with a clear message, and nothing stored, when altered, misaddressed, from an
    unknown sender, already imported, or (signed or not) not of the expected shape. A
    refused file is recorded in the audit trail."""
    refuse_crossing(None, actor.organisation)  # another deployment's people are real
    try:
        opened = open_file(own_keys(), trusted(), data)
        body = schema.validated(opened.kind, opened.body)
    except ExchangeError as error:
        raise _refused(actor, _refuse(error)) from None
    except schema.InvalidMessage:
        raise _refused(actor, RefusedError(str(DAMAGED))) from None
    sender = Deployment.objects.get(ident=opened.sender)
    receipt = opened.message_id
    if isinstance(body, schema.ReferralBody):
        receipt = f"{opened.message_id}/{body.version}"
    try:
        with transaction.atomic():
            ExchangeReceipt.objects.create(
                message_id=receipt, sender=sender, kind=opened.kind, imported_by=actor
            )
            if isinstance(body, schema.ReferralBody):
                referral = _incoming(actor, sender, opened.message_id, body)
            elif isinstance(body, schema.AckBody):
                referral = _acknowledged(actor, sender, body)
            else:
                referral = _withdrawn(actor, sender, body)
            pause_point("crossborder-import")
    except IntegrityError:
        raise _refused(actor, RefusedError(_("This file was already imported."))) from None
    except RefusedError as error:
        raise _refused(actor, error) from None
    return referral


def _refused(actor: User, error: RefusedError) -> RefusedError:
    """Record that a file was refused (never what it held), then refuse it."""
    with transaction.atomic():
        record(
            actor=actor,
            action=Action.EXCHANGE_REFUSED,
            object_type="exchange",
            object_ref="",
        )
    return error


def _filed_under(actor: User, body: schema.ReferralBody) -> Organisation:
    """The organisation the sender's consent named here, else the importer's own (its
    coordinators route what arrives)."""
    named = body.recipient_organisation
    if named is not None:  # the schema admits ASCII digits only
        found = Organisation.objects.filter(pk=int(named.id)).first()
        if found is not None:
            return found
    return actor.organisation


def _incoming(
    actor: User, sender: Deployment, message_id: str, body: schema.ReferralBody
) -> Referral:
    packet = body.packet.model_dump(mode="json")
    categories = [s["category"] for s in packet["sections"]]
    existing = (
        Referral.objects.select_for_update()
        .filter(direction=Direction.INCOMING, other_deployment=sender.ident, message_id=message_id)
        .first()
    )
    if existing is not None:
        return _new_version(actor, existing, body.version, packet, categories)
    organisation = _filed_under(actor, body)

    def create(reference: str) -> Referral:
        referral = Referral.objects.create(
            reference=reference,
            direction=Direction.INCOMING,
            sender_name=f"{body.packet.sender[:120]} ({sender.name[:60]})",
            service_kind=body.packet.service,
            recipient_organisation=organisation,
            recipient_name=organisation.name,
            other_deployment=sender.ident,
            purpose=body.packet.purpose,
            reason=body.packet.reason,
            details=body.packet.details,
            channel=Channel.CROSS_BORDER,
            categories=categories,
            packet=packet,
            message_id=message_id,
            file_version=body.version,
            created_by=actor,
        )
        _audit(actor, Action.REFERRAL_IMPORT, referral, ["packet"])
        receiving.notify_receivers(referral, NoticeKind.REFERRAL_RECEIVED, actor)
        return referral

    return create_with_reference(REFERRAL_PREFIX, create)


def _new_version(
    actor: User, referral: Referral, version: int, packet: dict[str, Any], categories: list[str]
) -> Referral:
    """A later file of a referral already here replaces its packet; never an older one,
    and never after the sender said consent was withdrawn."""
    if referral.withdrawal_noticed_at is not None:
        raise RefusedError(
            _("The sender withdrew this referral: a later file of it is not applied.")
        )
    if version <= referral.file_version:
        raise RefusedError(_("This file is older than the one already imported."))
    narrowed = not set(referral.categories) <= set(categories)
    referral.packet = packet
    referral.categories = categories
    referral.details = str(packet.get("details", ""))
    referral.file_version = version
    referral.version += 1
    referral.save()
    _audit(actor, Action.REFERRAL_IMPORT, referral, ["packet"])
    if narrowed:
        receiving.notify_receivers(referral, NoticeKind.CONSENT_WITHDRAWN, actor)
    return referral


def _withdrawn(actor: User, sender: Deployment, body: schema.WithdrawalBody) -> Referral:
    """The sender's notice: keep only the referral's status; the person's data goes."""
    referral = (
        Referral.objects.select_for_update()
        .filter(
            direction=Direction.INCOMING,
            other_deployment=sender.ident,
            message_id=body.in_reply_to,
        )
        .first()
    )
    if referral is None:
        raise RefusedError(_("This withdrawal notice matches no referral here."))
    referral.packet = {
        **{key: referral.packet.get(key, "") for key in ("reference", "sender", "service")},
        "purpose": referral.purpose,
        "reason": referral.reason,
        "contact": referral.packet.get("contact", {}),
        "details": "",
        "date": referral.packet.get("date", ""),
        "consented": [],
        "sections": [],
    }
    referral.categories = []
    referral.details = ""
    referral.withdrawal_noticed_at = timezone.now()
    referral.withdrawal_why = body.why
    referral.version += 1
    referral.save()
    _audit(actor, Action.REFERRAL_IMPORT, referral, ["withdrawal"])
    kind = NoticeKind.REFERRAL_REVOKED if body.why == "revoked" else NoticeKind.CONSENT_WITHDRAWN
    receiving.notify_receivers(referral, kind, actor)
    return referral


def _acknowledged(actor: User, sender: Deployment, body: schema.AckBody) -> Referral:
    referral = (
        Referral.objects.select_for_update()
        .filter(
            direction=Direction.OUTGOING,
            message_id=body.in_reply_to,
            other_deployment=sender.ident,
            sender_organisation=actor.organisation,
        )
        .first()
    )
    status = body.status
    if referral is None:
        raise RefusedError(_("This acknowledgement matches no referral of your organisation."))
    if referral.status == ReferralStatus.REVOKED:
        raise RefusedError(_("This referral was revoked; its acknowledgement is not applied."))
    # Files travel by hand and may arrive out of order: an older answer never undoes a later.
    if ACK_ORDER.get(status, 0) <= ACK_ORDER.get(referral.status, 0):
        raise RefusedError(_("This acknowledgement is older than what is already recorded."))
    referral.status = status
    referral.response_reason = body.reason
    now = timezone.now()
    if status in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED):
        referral.responded_at = now
    else:
        referral.completed_at = now
        referral.responded_at = referral.responded_at or now
    referral.version += 1
    referral.save()
    _audit(actor, Action.REFERRAL_IMPORT, referral, ["status"])
    return referral
