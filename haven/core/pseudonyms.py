"""Pseudonymous references such as HVN-7KQ-3XD.

Random, not sequential: a reference says nothing about when or where a record was made,
and cannot be guessed from another. The alphabet leaves out characters that are easy to
confuse when read aloud or written by hand (0/O, 1/I/L, U/V).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Model

from haven.core import bulk

T = TypeVar("T")

PERSON_PREFIX = "HVN"
CASE_PREFIX = "CAS"
SCREENING_PREFIX = "SCR"
REFERRAL_PREFIX = "REF"

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
GROUPS = 2
GROUP_LENGTH = 3


def new_reference(prefix: str) -> str:
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "-".join((prefix, *groups))


def reference_pattern(prefix: str) -> str:
    """A URL path converter regex for references with this prefix."""
    group = f"[{ALPHABET}]{{{GROUP_LENGTH}}}"
    return f"{prefix}-{group}-{group}"


def is_reference(prefix: str, value: str) -> bool:
    return re.fullmatch(reference_pattern(prefix), value) is not None


def create_with_reference(prefix: str, create: Callable[[str], T]) -> T:
    """Run `create(reference)` in one transaction with a fresh reference.

    A reference collision (about one in half a billion) breaks the unique constraint and
    rolls the transaction back; the whole creation is then tried again with a new draw.
    """
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return create(new_reference(prefix))
        except IntegrityError:
            continue
    raise RuntimeError(f"Could not allocate a unique {prefix} reference.")


def allocate_references(prefix: str, wanted: Sequence[str], model: type[Model]) -> list[str]:
    """A reference for each of many new `model` records at once: the one `wanted` (e.g.
    carried over from another Haven) where it has the right shape and is free, a fresh
    draw otherwise."""
    chosen = [w if is_reference(prefix, w) else new_reference(prefix) for w in wanted]
    for _attempt in range(6):
        clashes = bulk.existing(model._default_manager.all(), "reference", chosen)
        seen: set[str] = set()
        redrawn = False
        for index, reference in enumerate(chosen):
            if reference in clashes or reference in seen:
                chosen[index] = new_reference(prefix)
                redrawn = True
            seen.add(chosen[index])
        if not redrawn:
            return chosen
    raise RuntimeError(f"Could not allocate unique {prefix} references.")
