"""Signed, encrypted files between Haven deployments that may never be connected.

A file is addressed to one deployment: its payload is signed with the sender's Ed25519 key
and encrypted to the recipient's X25519 key (ephemeral ECDH, HKDF-SHA256,
ChaCha20-Poly1305, with the envelope header as associated data). The recipient refuses a
file that was altered, is addressed to someone else, comes from an unknown sender, or was
imported before. Pure Python on `cryptography`: no Django imports.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from haven.core import safejson

FORMAT = "haven-exchange"
VERSION = 1
CONTEXT = b"haven-exchange-v1"
MAX_FILE_BYTES = 2_000_000
# Identity and key files are a few hundred bytes of flat JSON.
MAX_KEY_FILE_BYTES = 64 * 1024
# The envelope and the signed wrapper are flat objects; the message body (a referral
# packet) is a few levels deep. An identity file may list the organisations it publishes.
MAX_ENVELOPE_DEPTH = 2
MAX_IDENTITY_DEPTH = 3
MAX_PUBLISHED_ORGANISATIONS = 500
MAX_MESSAGE_DEPTH = 16


class ExchangeError(ValueError):
    """The file cannot be accepted; `code` says why (for a message in the user's language)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ExchangeError("malformed")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise ExchangeError("malformed") from None


@dataclass(frozen=True)
class Identity:
    """What a deployment publishes so others can send to it and check what it sends."""

    ident: str
    name: str
    country: str
    signing_key: str  # Ed25519 public key, base64
    encryption_key: str  # X25519 public key, base64
    # Organisations a sender may name as the recipient here: ({"id": ..., "name": ...}, ...)
    organisations: tuple[dict[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": "haven-identity",
            "id": self.ident,
            "name": self.name,
            "country": self.country,
            "signing_key": self.signing_key,
            "encryption_key": self.encryption_key,
        }
        if self.organisations:
            data["organisations"] = [dict(o) for o in self.organisations]
        return data

    @classmethod
    def from_json(cls, data: Any) -> Identity:
        if not isinstance(data, dict) or data.get("format") != "haven-identity":
            raise ExchangeError("malformed", "not a Haven identity file")
        try:
            identity = cls(
                ident=str(data["id"]),
                name=str(data["name"]),
                country=str(data.get("country", "")),
                signing_key=str(data["signing_key"]),
                encryption_key=str(data["encryption_key"]),
                organisations=_published(data.get("organisations", [])),
            )
        except KeyError as missing:
            raise ExchangeError("malformed", f"missing {missing}") from None
        if len(_unb64(identity.signing_key)) != 32 or len(_unb64(identity.encryption_key)) != 32:
            raise ExchangeError("malformed", "keys must be 32 bytes")
        return identity


def _published(value: Any) -> tuple[dict[str, str], ...]:
    """The organisations an identity file publishes: ids and names, bounded."""
    if not isinstance(value, list) or len(value) > MAX_PUBLISHED_ORGANISATIONS:
        raise ExchangeError("malformed", "organisations must be a short list")
    published = []
    for item in value:
        if (
            not isinstance(item, dict)
            or set(item) != {"id", "name"}
            or not all(isinstance(v, str) and 0 < len(v) <= 200 for v in item.values())
            or len(item["id"]) > 64
        ):
            raise ExchangeError("malformed", "each organisation has an id and a name")
        published.append({"id": item["id"], "name": item["name"]})
    return tuple(published)


@dataclass(frozen=True)
class KeyPair:
    """This deployment's private keys and public identity."""

    identity: Identity
    signing: Ed25519PrivateKey
    encryption: X25519PrivateKey

    @classmethod
    def generate(cls, ident: str, name: str, country: str = "") -> KeyPair:
        signing, encryption = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
        identity = Identity(
            ident, name, country, _public(signing.public_key()), _public(encryption.public_key())
        )
        return cls(identity, signing, encryption)

    def save(self, path: Path) -> None:
        data = {
            **self.identity.to_json(),
            "signing_private": _b64(_raw_private(self.signing)),
            "encryption_private": _b64(_raw_private(self.encryption)),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)

    @classmethod
    def load(cls, path: Path) -> KeyPair:
        data = read_json_file(path)
        identity = Identity.from_json(data)
        return cls(
            identity,
            Ed25519PrivateKey.from_private_bytes(_unb64(data["signing_private"])),
            X25519PrivateKey.from_private_bytes(_unb64(data["encryption_private"])),
        )


def read_json_file(path: Path) -> Any:
    """A small JSON file (identity or keys), or ExchangeError("malformed") saying why."""
    try:
        return safejson.load_file(path, max_bytes=MAX_KEY_FILE_BYTES, max_depth=MAX_IDENTITY_DEPTH)
    except safejson.UnsafeJSONError as error:
        raise ExchangeError("malformed", str(error)) from None


def _public(key: Ed25519PublicKey | X25519PublicKey) -> str:
    return _b64(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def _raw_private(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def _key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=CONTEXT + ephemeral + recipient
    ).derive(shared)


MESSAGE_ID = re.compile(r"[0-9a-f]{32}")


def new_message_id() -> str:
    return secrets.token_hex(16)


def seal(
    sender: KeyPair,
    recipient: Identity,
    kind: str,
    body: dict[str, Any],
    message_id: str = "",
) -> tuple[str, bytes]:
    """The file for `recipient`, and its message id (kept to match acknowledgements).

    Every file of one referral carries the referral's message id: give it here."""
    message_id = message_id or new_message_id()
    payload = json.dumps(
        {
            "kind": kind,
            "id": message_id,
            "from": sender.identity.ident,
            "to": recipient.ident,
            "body": body,
        },
        ensure_ascii=False,
        sort_keys=True,
    ).encode("utf-8")
    signed = json.dumps(
        {"payload": _b64(payload), "signature": _b64(sender.signing.sign(CONTEXT + payload))}
    ).encode("ascii")
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = _unb64(_public(ephemeral.public_key()))
    recipient_key = _unb64(recipient.encryption_key)
    key = _key(
        ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_key)),
        ephemeral_public,
        recipient_key,
    )
    header = {
        "format": FORMAT,
        "version": VERSION,
        "to": recipient.ident,
        "from": sender.identity.ident,
    }
    nonce = secrets.token_bytes(12)
    ciphertext = ChaCha20Poly1305(key).encrypt(nonce, signed, _aad(header))
    envelope = {
        **header,
        "ephemeral": _b64(ephemeral_public),
        "nonce": _b64(nonce),
        "ciphertext": _b64(ciphertext),
    }
    return message_id, json.dumps(envelope, indent=1).encode("ascii")


def _aad(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True).encode("utf-8")


@dataclass(frozen=True)
class Opened:
    kind: str
    message_id: str
    sender: str
    body: dict[str, Any]


def open_file(own: KeyPair, trusted: dict[str, Identity], data: bytes) -> Opened:
    """Decrypt and verify a file, or raise ExchangeError naming what is wrong."""
    try:
        envelope = safejson.loads(data, max_bytes=MAX_FILE_BYTES, max_depth=MAX_ENVELOPE_DEPTH)
    except safejson.TooLargeError:
        raise ExchangeError("too_large") from None
    except safejson.UnsafeJSONError as error:
        raise ExchangeError("malformed", str(error)) from None
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        raise ExchangeError("malformed")
    if envelope.get("version") != VERSION:
        raise ExchangeError("version", str(envelope.get("version")))
    header = {k: envelope.get(k) for k in ("format", "version", "to", "from")}
    if header["to"] != own.identity.ident:
        raise ExchangeError("wrong_recipient", str(header["to"]))
    sender = trusted.get(str(header["from"]))
    if sender is None:
        raise ExchangeError("unknown_sender", str(header["from"]))
    ephemeral = _unb64(envelope.get("ephemeral"))
    own_public = _unb64(own.identity.encryption_key)
    try:
        key = _key(
            own.encryption.exchange(X25519PublicKey.from_public_bytes(ephemeral)),
            ephemeral,
            own_public,
        )
        signed = ChaCha20Poly1305(key).decrypt(
            _unb64(envelope.get("nonce")), _unb64(envelope.get("ciphertext")), _aad(header)
        )
        inner = safejson.loads(signed, max_bytes=MAX_FILE_BYTES, max_depth=MAX_ENVELOPE_DEPTH)
        payload = _unb64(inner["payload"])
        Ed25519PublicKey.from_public_bytes(_unb64(sender.signing_key)).verify(
            _unb64(inner["signature"]), CONTEXT + payload
        )
        message = safejson.loads(payload, max_bytes=MAX_FILE_BYTES, max_depth=MAX_MESSAGE_DEPTH)
    except safejson.UnsafeJSONError as error:
        # Signed by a trusted sender yet beyond the limits: refused like a damaged file.
        raise ExchangeError("malformed", str(error)) from None
    except (InvalidTag, ValueError, KeyError, TypeError):
        raise ExchangeError("tampered") from None
    except InvalidSignature:
        raise ExchangeError("bad_signature") from None
    if message.get("to") != own.identity.ident or message.get("from") != sender.ident:
        raise ExchangeError("wrong_recipient", str(message.get("to")))
    if not isinstance(message.get("body"), dict) or not MESSAGE_ID.fullmatch(
        str(message.get("id"))
    ):
        raise ExchangeError("malformed")
    return Opened(str(message["kind"]), message["id"], sender.ident, message["body"])
