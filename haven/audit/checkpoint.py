"""Signed checkpoints of the audit chain, kept off the machine.

The chain alone proves that nothing in the middle was changed. It cannot prove that its end
is still there: someone who can write to the database can delete the newest entries and set
the head back, or delete everything. A checkpoint is the head (sequence number, hash, time)
signed with the deployment's Ed25519 key. Sent somewhere the database's users cannot
reach (e-mail, object storage with a retention lock), it lets `haven audit verify
--checkpoint FILE` show that the chain still reaches every point it once reached.

The signing key is derived from the key ring's audit key (HKDF), so no new secret has to be
kept: whoever holds the key ring can sign, and anyone with the public key (printed in every
checkpoint and by `haven audit checkpoint --public-key`) can check a signature.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.utils import timezone

from haven.audit.models import AuditEntry, AuditHead
from haven.core import crypto

FORMAT = "haven-audit-checkpoint/1"
MAX_BYTES = 4096  # a checkpoint is a few hundred bytes


class CheckpointError(ValueError):
    """A checkpoint file that is not one, or not signed by this deployment."""


def _signing_key() -> Ed25519PrivateKey:
    seed = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"haven audit checkpoint v1"
    ).derive(crypto.key_ring().audit_key)
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key() -> str:
    raw = (
        _signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return base64.b64encode(raw).decode("ascii")


def _signed_part(body: dict[str, Any]) -> bytes:
    fields = {k: body[k] for k in ("format", "seq", "entry_hash", "time", "public_key")}
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")


def make() -> dict[str, Any]:
    """Sign the chain's head as it is now."""
    head = AuditHead.objects.filter(id=1).first()
    body: dict[str, Any] = {
        "format": FORMAT,
        "seq": head.seq if head else 0,
        "entry_hash": head.entry_hash if head else "0" * 64,
        "time": timezone.now().isoformat(),
        "public_key": public_key(),
    }
    signature = _signing_key().sign(_signed_part(body))
    body["signature"] = base64.b64encode(signature).decode("ascii")
    return body


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    entry_hash: str
    time: str


def read(text: str) -> Checkpoint:
    """Parse a checkpoint and check that this deployment signed it."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise CheckpointError("not a Haven audit checkpoint (too large)")
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        raise CheckpointError("not a Haven audit checkpoint (not JSON)") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise CheckpointError("not a Haven audit checkpoint")
    seq, entry_hash = body.get("seq"), body.get("entry_hash")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise CheckpointError("not a Haven audit checkpoint (bad sequence number)")
    if not isinstance(entry_hash, str) or len(entry_hash) != 64:
        raise CheckpointError("not a Haven audit checkpoint (bad hash)")
    if body.get("public_key") != public_key():
        raise CheckpointError("signed by another key, not by this deployment")
    try:
        signature = base64.b64decode(str(body.get("signature", "")), validate=True)
        _signing_key().public_key().verify(signature, _signed_part(body))
    except (ValueError, KeyError, InvalidSignature):
        raise CheckpointError("the signature does not match: the checkpoint was altered") from None
    return Checkpoint(seq=seq, entry_hash=entry_hash, time=str(body.get("time", "")))


def holds(checkpoint: Checkpoint) -> str:
    """Empty when the chain still reaches the checkpoint with the same hash; else why not.

    Call after `chain.verify()` passed: an intact chain that has the checkpoint's entry
    with its hash has every entry before it unchanged too (each links to the previous)."""
    if checkpoint.seq == 0:
        return ""
    entry = AuditEntry.objects.filter(seq=checkpoint.seq).only("entry_hash").first()
    if entry is None:
        return (
            f"the chain is shorter than the checkpoint of {checkpoint.time} "
            f"(entry #{checkpoint.seq} is gone): entries were removed"
        )
    if entry.entry_hash != checkpoint.entry_hash:
        return (
            f"entry #{checkpoint.seq} differs from the checkpoint of {checkpoint.time}: "
            "the chain was rewritten"
        )
    return ""
