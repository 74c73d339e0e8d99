"""Referrals between Haven deployments that are not connected: files, not network calls.

The sender exports a signed, encrypted file for one named deployment; the receiver imports
it into a new incoming referral and later sends back an acknowledgement file with the
referral's status. Every file is checked: addressed to us, from a deployment we trust,
not altered, never imported before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.models import Action
from haven.cases.models import NoticeKind
from haven.core.errors import RefusedError
from haven.core.pseudonyms import REFERRAL_PREFIX, create_with_reference
from haven.core.testing_hooks import pause_point
from haven.referrals import packet as packets
from haven.referrals import receiving
from haven.referrals.actions import _audit, visible_categories
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


def export_referral(actor: User, referral: Referral) -> bytes:
    """The file for the receiving deployment: the packet as consent allows it today."""
    if referral.channel != Channel.CROSS_BORDER or not referral.is_open:
        raise RefusedError(_("Only an open cross-border referral can be exported."))
    recipient = Deployment.objects.filter(ident=referral.other_deployment, is_self=False).first()
    if recipient is None:
        raise RefusedError(_("The receiving deployment is not in the list of trusted deployments."))
    now = timezone.now()
    built = packets.for_referral(referral, visible_categories(referral, now), timezone.localdate())
    keys = own_keys()
    body = {
        "packet": built,
        "sender": referral.sender_organisation.name if referral.sender_organisation else "",
        "recipient": referral.recipient_name,
        "service": referral.service_kind,
        "purpose": referral.purpose,
        "reason": referral.reason,
    }
    message_id, data = seal(keys, identity_of(recipient), "referral", body)
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(message_id=message_id)
        _audit(actor, Action.REFERRAL_EXPORT, referral, [s["category"] for s in built["sections"]])
    referral.refresh_from_db()
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


def import_file(actor: User, data: bytes) -> Referral:
    """A referral or an acknowledgement from another deployment; refused with a clear
    message when altered, misaddressed, from an unknown sender, or already imported."""
    try:
        opened = open_file(own_keys(), trusted(), data)
    except ExchangeError as error:
        raise _refuse(error) from None
    sender = Deployment.objects.get(ident=opened.sender)
    try:
        with transaction.atomic():
            ExchangeReceipt.objects.create(
                message_id=opened.message_id, sender=sender, kind=opened.kind, imported_by=actor
            )
            if opened.kind == "referral":
                referral = _incoming(actor, sender, opened.message_id, opened.body)
            elif opened.kind == "ack":
                referral = _acknowledged(actor, sender, opened.body)
            else:
                raise RefusedError(_("This is not a Haven exchange file, or it is damaged."))
            pause_point("crossborder-import")
    except IntegrityError:
        raise RefusedError(_("This file was already imported.")) from None
    return referral


def _incoming(
    actor: User, sender: Deployment, message_id: str, body: dict[str, object]
) -> Referral:
    packet = body.get("packet")
    if not isinstance(packet, dict) or not isinstance(packet.get("sections"), list):
        raise RefusedError(_("This is not a Haven exchange file, or it is damaged."))

    def create(reference: str) -> Referral:
        referral = Referral.objects.create(
            reference=reference,
            direction=Direction.INCOMING,
            sender_name=f"{body.get('sender', '')} ({sender.name})",
            service_kind=str(body.get("service", "")),
            recipient_organisation=actor.organisation,
            recipient_name=actor.organisation.name,
            other_deployment=sender.ident,
            purpose=str(body.get("purpose", "")),
            reason=str(body.get("reason", "Other")),
            details=str(packet.get("details", "")),
            channel=Channel.CROSS_BORDER,
            categories=[str(s.get("category")) for s in packet["sections"]],
            packet=packet,
            message_id=message_id,
            created_by=actor,
        )
        _audit(actor, Action.REFERRAL_IMPORT, referral, ["packet"])
        receiving.notify_receivers(referral, NoticeKind.REFERRAL_RECEIVED, actor)
        return referral

    return create_with_reference(REFERRAL_PREFIX, create)


def _acknowledged(actor: User, sender: Deployment, body: dict[str, object]) -> Referral:
    referral = (
        Referral.objects.select_for_update()
        .filter(
            direction=Direction.OUTGOING,
            message_id=str(body.get("in_reply_to", "")),
            other_deployment=sender.ident,
            sender_organisation=actor.organisation,
        )
        .first()
    )
    status = str(body.get("status", ""))
    if referral is None or status not in ACK_STATUSES:
        raise RefusedError(_("This acknowledgement matches no referral of your organisation."))
    if referral.status == ReferralStatus.REVOKED:
        raise RefusedError(_("This referral was revoked; its acknowledgement is not applied."))
    # Files travel by hand and may arrive out of order: an older answer never undoes a later.
    if ACK_ORDER.get(status, 0) <= ACK_ORDER.get(referral.status, 0):
        raise RefusedError(_("This acknowledgement is older than what is already recorded."))
    referral.status = status
    referral.response_reason = str(body.get("reason", ""))
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
