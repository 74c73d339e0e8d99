"""The tamper-evident audit trail: append entries, verify the chain.

Each entry's hash is an HMAC (audit key from the key ring, not in the database) over every
stored column of the entry, the previous entry's hash included (`_payload`). Editing a row
breaks its hash; deleting one leaves a gap in the contiguous sequence and breaks the next
link; inserting one needs the audit key. The head row records the last link so that
truncating the tail is caught too, and signed checkpoints kept off the machine
(`haven.audit.checkpoint`) catch a tail cut together with a head set back. On PostgreSQL
triggers also refuse UPDATE, DELETE and TRUNCATE of entries and any move of the head
backwards, in replica mode too (migration 0007), and the application's database role may
only read and append (`haven.core.dbroles`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from haven.audit.models import AuditEntry, AuditHead
from haven.core import bulk, crypto

if TYPE_CHECKING:
    from haven.accounts.models import Organisation, User

GENESIS = "0" * 64


MAC_VERSION = 2


def _payload(entry: AuditEntry) -> bytes:
    """What the MAC covers. Version 2: every stored column but the MAC itself."""
    fields = {
        "seq": entry.seq,
        "created_at": entry.created_at.isoformat(),
        "actor": entry.actor_id,
        "organisation": entry.organisation_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_ref": entry.object_ref,
        "changed_fields": list(entry.changed_fields),
        "prev_hash": entry.prev_hash,
    }
    if entry.mac_version >= 2:  # the MAC format's version
        fields |= {"key_id": entry.key_id, "mac_version": entry.mac_version}
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")


def compute_hash(entry: AuditEntry) -> str:
    return crypto.audit_mac(_payload(entry))


def record(
    *,
    actor: User | None,
    action: str,
    organisation: Organisation | None = None,
    object_type: str = "",
    object_ref: str = "",
    changed_fields: Iterable[str] = (),
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction.

    `changed_fields` takes field *names*; values never enter the audit trail.
    """
    (entry,) = record_many(
        actor=actor,
        action=action,
        organisation=organisation,
        object_type=object_type,
        entries=[(object_ref, changed_fields)],
    )
    return entry


def record_many(
    *,
    actor: User | None,
    action: str,
    entries: Iterable[tuple[str, Iterable[str]]],
    organisation: Organisation | None = None,
    object_type: str = "",
) -> list[AuditEntry]:
    """Append one entry per (object reference, changed field names), linked in order, with
    the head locked once: an import of many records writes its trail in a few statements."""
    if organisation is None and actor is not None:
        organisation = actor.organisation
    made: list[AuditEntry] = []
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(id=1)
        seq, prev_hash = head.seq, head.entry_hash
        now = timezone.now()
        for object_ref, changed_fields in entries:
            seq += 1
            entry = AuditEntry(
                seq=seq,
                created_at=now,
                actor=actor,
                organisation=organisation,
                action=action,
                object_type=object_type,
                object_ref=object_ref,
                changed_fields=sorted(set(changed_fields)),
                prev_hash=prev_hash,
                mac_version=MAC_VERSION,
            )
            entry.entry_hash = prev_hash = compute_hash(entry)
            made.append(entry)
        if not made:
            return made
        bulk.insert(AuditEntry, made)
        head.seq, head.entry_hash = seq, prev_hash
        head.save(update_fields=["seq", "entry_hash"])
    return made


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    bad_seq: int | None = None
    reason: str = ""


def verify() -> Verdict:
    """Walk the whole chain; report the first entry that does not hold."""
    expected_seq = 1
    prev_hash = GENESIS
    checked = 0
    entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
    for entry in entries:
        if entry.seq != expected_seq:
            return Verdict(False, checked, expected_seq, "entry missing (sequence gap)")
        if entry.prev_hash != prev_hash:
            return Verdict(False, checked, entry.seq, "link to the previous entry is broken")
        if compute_hash(entry) != entry.entry_hash:
            return Verdict(False, checked, entry.seq, "entry was altered or forged")
        prev_hash = entry.entry_hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(id=1).first()
    head_seq = head.seq if head else 0
    head_hash = head.entry_hash if head else GENESIS
    if head_seq != checked or head_hash != prev_hash:
        return Verdict(False, checked, checked + 1, "entries after this point were removed")
    if checked == 0 and _has_users():
        # Creating a user writes an entry: users without a trail means it was emptied.
        return Verdict(False, 0, 1, "the trail is empty although users exist: it was emptied")
    return Verdict(True, checked)


def _has_users() -> bool:
    from haven.accounts.models import User  # noqa: PLC0415 - accounts records into audit

    return User.objects.exists()
