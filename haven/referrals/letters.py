"""Referral letters for agencies that do not use Haven: a PDF in the recipient's language,
with only the consented data, optionally encrypted with a one-time password."""

from __future__ import annotations

import io
import secrets

from django.utils import translation
from pypdf import PdfReader, PdfWriter

from haven.core.pdf import render_pdf
from haven.referrals import packet as packets

# Twelve characters easy to read out over the phone (no 0/o, 1/l/i): about 59 bits.
PASSWORD_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # noqa: S105 - an alphabet, not a secret


def letter_pdf(built: packets.Packet, language: str) -> bytes:
    with translation.override(language):  # the packet's labels are words in that language
        display = packets.display(built)
    return render_pdf("referrals/letter.html", {"packet": display}, language)


def new_password() -> str:
    groups = ("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def encrypted_pdf(pdf: bytes, password: str) -> bytes:
    """The same PDF, AES-256 encrypted: it opens in any PDF reader with the password."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=password, owner_password=None, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
