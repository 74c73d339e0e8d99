"""The shapes a cross-border file's message may have, checked strictly on arrival.

A file that decrypts and carries a trusted deployment's signature is still only data: a
bug or a compromised peer must never break the receiver or store what consent does not
allow. After the signature is checked, every message body is validated here (pydantic,
extra fields forbidden, every string bounded, every code from a known list) before
anything is stored; a body that fails is refused whole.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from haven.referrals.models import DataCategory, Purpose, ReferralReason, ReferralStatus

CATEGORIES = tuple(c.value for c in DataCategory)
Category = Literal[
    "identity", "contact", "screening", "narrative", "health", "legal"
]  # DataCategory, checked against it below
MessageId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
Short = Annotated[str, StringConstraints(max_length=200)]
Text = Annotated[str, StringConstraints(max_length=4000)]
LongText = Annotated[str, StringConstraints(max_length=20000)]
Code = Annotated[str, StringConstraints(max_length=64)]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]

ACK_CODES = ("accepted", "declined", "completed", "not_completed")
assert {s.value for s in ReferralStatus} >= set(ACK_CODES)  # noqa: S101
assert set(CATEGORIES) == set(get_args(Category))  # noqa: S101 - the two lists must agree


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Coded(Strict):
    """A value from a shared vocabulary: the receiver words it in its user's language."""

    set: Key
    code: Code


Part = Text | Coded


class Section(Strict):
    category: Category
    rows: list[tuple[Key, list[Part]]] = Field(max_length=200)

    @model_validator(mode="before")
    @classmethod
    def _rows_as_tuples(cls, data: Any) -> Any:
        # JSON has no tuples: a row arrives as a two-item list.
        if isinstance(data, dict) and isinstance(data.get("rows"), list):
            rows = data["rows"]
            data = {**data, "rows": [tuple(r) if isinstance(r, list) else r for r in rows]}
        return data


class Contact(Strict):
    name: Short = ""
    email: Short = ""


class RecipientOrganisation(Strict):
    # The receiving deployment's own organisation id, as its identity file publishes it.
    id: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,18}$")]
    name: Short = ""


class Packet(Strict):
    reference: Annotated[str, StringConstraints(max_length=32)]
    sender: Short
    contact: Contact = Contact()
    service: Annotated[str, StringConstraints(max_length=24)]
    # An identification request stays inside one Haven (its decision comes back to the
    # case): a file carrying one is refused.
    purpose: Literal[tuple(p.value for p in Purpose if p != Purpose.IDENTIFICATION)]  # type: ignore[valid-type]
    reason: Literal[tuple(r.value for r in ReferralReason)]  # type: ignore[valid-type]
    details: LongText
    date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    # The categories the person consented to share with this recipient: no section may
    # go beyond them.
    consented: list[Category] = Field(max_length=len(CATEGORIES))
    sections: list[Section] = Field(max_length=len(CATEGORIES))

    @model_validator(mode="after")
    def _within_consent(self) -> Packet:
        seen = [s.category for s in self.sections]
        if len(seen) != len(set(seen)):
            raise ValueError("a category appears twice")
        beyond = set(seen) - set(self.consented)
        if beyond:
            raise ValueError(f"sections beyond the declared consent: {sorted(beyond)}")
        return self


class ReferralBody(Strict):
    packet: Packet
    # Files of one referral share its message id; a later version replaces an earlier.
    version: Annotated[int, Field(ge=1, le=1_000_000)]
    recipient_organisation: RecipientOrganisation | None = None
    language: Annotated[str, StringConstraints(max_length=12)] = ""


class AckBody(Strict):
    in_reply_to: MessageId
    status: Literal["accepted", "declined", "completed", "not_completed"]
    reason: Text = ""
    at: Annotated[str, StringConstraints(max_length=40)]

    @model_validator(mode="after")
    def _a_time(self) -> AckBody:
        dt.datetime.fromisoformat(self.at)  # ValueError: refused
        return self


class WithdrawalBody(Strict):
    """The sender's notice that the person withdrew consent, or the referral was revoked."""

    in_reply_to: MessageId
    why: Literal["consent_withdrawn", "revoked"]
    at: Annotated[str, StringConstraints(max_length=40)]

    @model_validator(mode="after")
    def _a_time(self) -> WithdrawalBody:
        dt.datetime.fromisoformat(self.at)
        return self


BODIES: dict[str, type[Strict]] = {
    "referral": ReferralBody,
    "ack": AckBody,
    "withdrawal": WithdrawalBody,
}


class InvalidMessage(ValueError):
    """A signed message whose body has not the expected shape."""


def validated(kind: str, body: dict[str, Any]) -> Any:
    """The body as its model, or InvalidMessage. Never raises anything else."""
    model = BODIES.get(kind)
    if model is None:
        raise InvalidMessage(f"unknown kind {kind!r}")
    try:
        return model.model_validate(body)
    except (ValidationError, ValueError, TypeError, RecursionError) as error:
        raise InvalidMessage(str(error)[:500]) from None
