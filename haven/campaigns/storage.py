"""Campaign material files: what a file is (by its first bytes, not its name), and where
it lives on disk (under a random token in CAMPAIGN_MATERIALS_DIR, never its title)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings

from haven.campaigns.models import MaterialKind
from haven.core.files import write_atomically

# A poster or a short audio spot; larger files belong on a channel's own system.
MAX_BYTES = 8 * 1024 * 1024

CONTENT_TYPES = {
    MaterialKind.PDF: "application/pdf",
    MaterialKind.PNG: "image/png",
    MaterialKind.JPEG: "image/jpeg",
    MaterialKind.MP3: "audio/mpeg",
    MaterialKind.OGG: "audio/ogg",
}

# The names a file of each kind may carry; the name must agree with the content.
SUFFIXES = {
    MaterialKind.PDF: (".pdf",),
    MaterialKind.PNG: (".png",),
    MaterialKind.JPEG: (".jpg", ".jpeg"),
    MaterialKind.MP3: (".mp3",),
    MaterialKind.OGG: (".ogg", ".oga"),
}


def sniff(content: bytes) -> MaterialKind | None:
    """The kind of file `content` is, from its magic bytes; None if not one we take."""
    if content.startswith(b"%PDF-"):
        return MaterialKind.PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return MaterialKind.PNG
    if content.startswith(b"\xff\xd8\xff"):
        return MaterialKind.JPEG
    if content.startswith(b"OggS"):
        return MaterialKind.OGG
    # MP3: an ID3 tag, or straight into an MPEG audio frame (11 sync bits set).
    if content.startswith(b"ID3") or (
        len(content) > 1 and content[0] == 0xFF and content[1] & 0xE0 == 0xE0
    ):
        return MaterialKind.MP3
    return None


def suffix_fits(name: str, kind: MaterialKind) -> bool:
    return name.lower().endswith(SUFFIXES[kind])


def directory() -> Path:
    path = Path(settings.CAMPAIGN_MATERIALS_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def new_token() -> str:
    return secrets.token_urlsafe(32)


def store(token: str, content: bytes) -> None:
    write_atomically([(directory() / token, content)])
    os.chmod(directory() / token, 0o600)


def read(token: str) -> bytes:
    return (directory() / token).read_bytes()


def remove(token: str) -> None:
    (directory() / token).unlink(missing_ok=True)
