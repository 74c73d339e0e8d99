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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from haven.audit.models import AuditEntry, AuditHead
from haven.core import bulk, crypto

if TYPE_CHECKING:
    from haven.accounts.models import Organisation, User

GENESIS = "0" * 64


MAC_VERSION = 2
KEY_ID = "audit"  # the key ring's audit key (AuditEntry.key_id's default)


def _payload(entry: AuditEntry) -> bytes:
    """What the MAC covers. Version 2: every stored column but the MAC itself."""
    return _payload_of({name: getattr(entry, name) for name in COLUMNS})


def _payload_of(values: Mapping[str, Any]) -> bytes:
    fields = {
        "seq": values["seq"],
        "created_at": values["created_at"].isoformat(),
        "actor": values["actor_id"],
        "organisation": values["organisation_id"],
        "action": values["action"],
        "object_type": values["object_type"],
        "object_ref": values["object_ref"],
        "changed_fields": list(values["changed_fields"]),
        "prev_hash": values["prev_hash"],
    }
    if values["mac_version"] >= 2:  # the MAC format's version
        fields |= {"key_id": values["key_id"], "mac_version": values["mac_version"]}
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")


_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def _batch_payload(first: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bytes]:
    """`_payload_of` for entries of one batch, which share all but their sequence number,
    object, changed fields and previous hash: the shared parts are written once. The
    same bytes as `_payload_of` (a test compares them; `verify` would catch a
    difference)."""
    if first["mac_version"] < 2:  # before the MAC covered key_id: the plain way
        return _payload_of
    shared = (
        f'{{"action":{_JSON.encode(first["action"])},"actor":{_JSON.encode(first["actor_id"])}'
        ',"changed_fields":'
    )
    middle = (
        f',"created_at":{_JSON.encode(first["created_at"].isoformat())}'
        f',"key_id":{_JSON.encode(first["key_id"])}'
        f',"mac_version":{_JSON.encode(first["mac_version"])},"object_ref":'
    )
    tail = (
        f',"object_type":{_JSON.encode(first["object_type"])}'
        f',"organisation":{_JSON.encode(first["organisation_id"])},"prev_hash":'
    )

    def payload(values: Mapping[str, Any]) -> bytes:
        return (
            f"{shared}{_JSON.encode(list(values['changed_fields']))}{middle}"
            f"{_JSON.encode(values['object_ref'])}{tail}{_JSON.encode(values['prev_hash'])}"
            f',"seq":{_JSON.encode(values["seq"])}}}'
        ).encode()

    return payload


def compute_hash(entry: AuditEntry) -> str:
    return crypto.audit_mac(_payload(entry))


# An entry's stored columns but its MAC, as attribute names.
COLUMNS = (
    "seq",
    "created_at",
    "actor_id",
    "organisation_id",
    "action",
    "object_type",
    "object_ref",
    "changed_fields",
    "key_id",
    "mac_version",
    "prev_hash",
)


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
    with transaction.atomic():
        (values,) = _append(
            actor, action, organisation, object_type, [(object_ref, changed_fields)]
        )
        return bulk.insert(AuditEntry, [AuditEntry(**values)])[0]


def record_many(
    *,
    actor: User | None,
    action: str,
    entries: Iterable[tuple[str, Iterable[str]]],
    organisation: Organisation | None = None,
    object_type: str = "",
) -> None:
    """Append one entry per (object reference, changed field names), linked in order, with
    the head locked once: an import of many records writes its trail in a few statements,
    with no object built per entry."""
    with transaction.atomic():
        rows = _append(actor, action, organisation, object_type, entries)
        names = [*COLUMNS, "entry_hash"]
        bulk.insert_values(AuditEntry, names, [[row[n] for n in names] for row in rows])


def _append(
    actor: User | None,
    action: str,
    organisation: Organisation | None,
    object_type: str,
    entries: Iterable[tuple[str, Iterable[str]]],
) -> list[dict[str, Any]]:
    """The entries' values, linked after the head, which moves to the last of them; the
    caller stores them in the same transaction."""
    if organisation is None and actor is not None:
        organisation = actor.organisation
    head, _created = AuditHead.objects.select_for_update().get_or_create(id=1)
    seq, prev_hash = head.seq, head.entry_hash
    now = timezone.now()
    made: list[dict[str, Any]] = []
    payload: Callable[[Mapping[str, Any]], bytes] | None = None
    for object_ref, changed_fields in entries:
        seq += 1
        values = {
            "seq": seq,
            "created_at": now,
            "actor_id": actor.pk if actor is not None else None,
            "organisation_id": organisation.pk if organisation is not None else None,
            "action": action,
            "object_type": object_type,
            "object_ref": object_ref,
            "changed_fields": sorted(set(changed_fields)),
            "key_id": KEY_ID,
            "mac_version": MAC_VERSION,
            "prev_hash": prev_hash,
        }
        if payload is None:
            payload = _batch_payload(values)
        values["entry_hash"] = prev_hash = crypto.audit_mac(payload(values))
        made.append(values)
    if made:
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
