"""Encryption of personal data at rest, blind indexes for exact search, audit MACs.

Keys are never SECRET_KEY. The key ring is JSON, given in HAVEN_KEYS or in the file named
by HAVEN_KEY_FILE:

    {"primary": "k2",
     "data_keys": {"k1": "<base64 32 bytes>", "k2": "<base64 32 bytes>"},
     "index_key": "<base64 32 bytes>",
     "audit_key": "<base64 32 bytes>"}

Every encrypted value names the data key it was sealed with ("hv1$k2$..."), so old keys
can stay in the ring for reading while `haven keys rotate` re-seals values under the
primary key. The index and audit keys are separate so that one leaking does not expose
the others.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from haven.core import safejson

TOKEN_PREFIX = "hv1"  # noqa: S105 - a format marker, not a secret
NONCE_BYTES = 12
KEY_BYTES = 32
# A ring of a thousand rotated keys is under 100 KiB; anything larger is not a key ring.
MAX_KEY_RING_BYTES = 256 * 1024


class DecryptionError(Exception):
    """A stored value could not be decrypted. The message never contains the value."""


@dataclass(frozen=True)
class KeyRing:
    primary: str
    data_keys: dict[str, bytes]
    index_key: bytes
    audit_key: bytes

    def to_json(self) -> str:
        return json.dumps(
            {
                "primary": self.primary,
                "data_keys": {kid: _b64(key) for kid, key in self.data_keys.items()},
                "index_key": _b64(self.index_key),
                "audit_key": _b64(self.audit_key),
            },
            indent=2,
        )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _key(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise ImproperlyConfigured(f"Haven key ring: {what} must be a base64 string.")
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:
        raise ImproperlyConfigured(f"Haven key ring: {what} is not valid base64.") from None
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(f"Haven key ring: {what} must be {KEY_BYTES} bytes.")
    return raw


def parse_key_ring(text: str | bytes) -> KeyRing:
    try:
        data = safejson.loads(text, max_bytes=MAX_KEY_RING_BYTES, max_depth=2)
    except safejson.TooLargeError:
        raise ImproperlyConfigured(
            f"Haven key ring is larger than {MAX_KEY_RING_BYTES} bytes."
        ) from None
    except safejson.TooDeepError:
        raise ImproperlyConfigured("Haven key ring is nested too deep to be a key ring.") from None
    except safejson.UnsafeJSONError:
        raise ImproperlyConfigured("Haven key ring is not valid JSON.") from None
    if not isinstance(data, dict) or not isinstance(data.get("data_keys"), dict):
        raise ImproperlyConfigured("Haven key ring needs a 'data_keys' object.")
    data_keys = {str(kid): _key(v, f"data key {kid}") for kid, v in data["data_keys"].items()}
    primary = data.get("primary")
    if primary not in data_keys:
        raise ImproperlyConfigured("Haven key ring: 'primary' must name one of the data keys.")
    for kid in data_keys:
        if not kid.isalnum() or len(kid) > 16:
            raise ImproperlyConfigured("Haven key ring: key ids are 1-16 letters or digits.")
    return KeyRing(
        primary=str(primary),
        data_keys=data_keys,
        index_key=_key(data.get("index_key"), "index_key"),
        audit_key=_key(data.get("audit_key"), "audit_key"),
    )


def new_key_ring() -> KeyRing:
    return KeyRing(
        primary="k1",
        data_keys={"k1": secrets.token_bytes(KEY_BYTES)},
        index_key=secrets.token_bytes(KEY_BYTES),
        audit_key=secrets.token_bytes(KEY_BYTES),
    )


def write_key_file(ring: KeyRing, path: Path) -> None:
    """Write the key ring readable by its owner only, replacing the file atomically."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a leftover .tmp keeps its old mode through O_CREAT
    with os.fdopen(fd, "w") as handle:
        handle.write(ring.to_json())
    tmp.replace(path)


_lock = threading.Lock()
_cached: KeyRing | None = None


def key_ring() -> KeyRing:
    global _cached  # noqa: PLW0603 - one key ring per process, loaded on first use
    ring = _cached
    if ring is not None:  # loaded already: no lock for every value sealed or digested
        return ring
    with _lock:
        if _cached is None:
            _cached = _load_key_ring()
        return _cached


def reset_key_ring_cache() -> None:
    global _cached  # noqa: PLW0603
    with _lock:
        _cached = None
        _cipher.cache_clear()  # no key outlives the ring it came from
        _keyed.cache_clear()


def _load_key_ring() -> KeyRing:
    if settings.HAVEN_KEYS_JSON:
        return parse_key_ring(settings.HAVEN_KEYS_JSON)
    path: Path = settings.HAVEN_KEY_FILE
    if not path.exists():
        if not settings.HAVEN_CREATE_MISSING_KEYS:
            raise ImproperlyConfigured(
                "No Haven key ring: set HAVEN_KEYS or HAVEN_KEY_FILE (see README, Key management)."
            )
        write_key_file(new_key_ring(), path)
    with path.open("rb") as handle:
        return parse_key_ring(handle.read(MAX_KEY_RING_BYTES + 1))


def encrypt(plaintext: str, context: str) -> str:
    """Seal `plaintext` under the primary key; `context` binds it to one column."""
    ring = key_ring()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = _cipher(ring.data_keys[ring.primary]).encrypt(
        nonce, plaintext.encode("utf-8"), context.encode("utf-8")
    )
    return f"{TOKEN_PREFIX}${ring.primary}${_b64(nonce + sealed)}"


def key_id_of(token: str) -> str:
    parts = token.split("$")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        raise DecryptionError("Stored value is not a Haven encrypted token.")
    return parts[1]


def decrypt(token: str, context: str) -> str:
    kid = key_id_of(token)
    key = key_ring().data_keys.get(kid)
    if key is None:
        raise DecryptionError(f"Data key {kid!r} is not in the key ring.")
    try:
        raw = base64.b64decode(token.split("$")[2], validate=True)
        plain = _cipher(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
    except (ValueError, InvalidTag):
        raise DecryptionError("Stored value failed authentication.") from None
    return plain.decode("utf-8")


def reseal(tokens: list[str], context: str) -> list[str]:
    """Open each token and seal it again under the primary key, for `haven keys rotate`.

    The same as `encrypt(decrypt(token))` for each, with one cipher object per key rather
    than one per value: the batch form of re-encryption."""
    ring = key_ring()
    ciphers = {kid: AESGCM(key) for kid, key in ring.data_keys.items()}
    sealer, aad = ciphers[ring.primary], context.encode("utf-8")
    prefix = f"{TOKEN_PREFIX}${ring.primary}$"
    sealed = []
    for token in tokens:
        kid = key_id_of(token)
        cipher = ciphers.get(kid)
        if cipher is None:
            raise DecryptionError(f"Data key {kid!r} is not in the key ring.")
        try:
            raw = base64.b64decode(token.split("$")[2], validate=True)
            plain = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)
        except (ValueError, InvalidTag):
            raise DecryptionError("Stored value failed authentication.") from None
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed.append(prefix + _b64(nonce + sealer.encrypt(nonce, plain, aad)))
    return sealed


# Zero-width and other format characters (category Cf) are dropped: Khmer and Burmese
# text is often typed with zero-width spaces between words, and they must not make the
# same name search differently.
def normalise_text(value: str) -> str:
    """Normalise free text for an exact-match blind index."""
    composed = unicodedata.normalize("NFKC", value)
    kept = "".join(ch for ch in composed if unicodedata.category(ch) != "Cf")
    return " ".join(kept.casefold().split())


def normalise_document_number(value: str) -> str:
    composed = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in composed if ch.isalnum()).upper()


def blind_index(kind: str, normalised: str) -> str:
    """Keyed digest of an already-normalised value, for exact search without plaintext."""
    mac = _keyed(key_ring().index_key).copy()  # the key's pads computed once, not per value
    mac.update(f"{kind}\x00{normalised}".encode())
    return mac.hexdigest()


@functools.lru_cache(maxsize=8)
def _cipher(key: bytes) -> AESGCM:
    """One cipher object per data key (it keeps no state between calls)."""
    return AESGCM(key)


@functools.lru_cache(maxsize=4)
def _keyed(key: bytes) -> hmac.HMAC:
    return hmac.new(key, digestmod=hashlib.sha256)


def audit_mac(message: bytes) -> str:
    return hmac.new(key_ring().audit_key, message, hashlib.sha256).hexdigest()
