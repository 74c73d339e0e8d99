"""Obviously fictional people and cases in bulk, for `haven bench pages` and scale tests.

Rows go in with `bulk_create` in batches; encrypted fields are sealed by their own field
code on the way in (real AES-GCM, as on any save). No audit rows or history beyond one
"opened" event per case: this is load for the pages to read, not a record of work. Never
run against a real database: the bench command builds a scratch one for it."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from typing import TypeVar

from django.db import connection, models, transaction
from django.utils import timezone

from haven.accounts.models import Organisation, User
from haven.assistance.models import FollowUp, Stage, SupportObjective
from haven.cases.models import Case, CaseEvent, CaseStatus, EventKind
from haven.core import bulk
from haven.core.pseudonyms import ALPHABET, CASE_PREFIX, PERSON_PREFIX
from haven.core.reference import AgeBand
from haven.identification.status import IdentificationStatus
from haven.people.models import Person

BATCH = 2000
M = TypeVar("M", bound=models.Model)


def fictional_reference(prefix: str, number: int) -> str:
    """A reference in the usual shape, drawn from `number` instead of at random."""
    base = len(ALPHABET)
    chars = []
    for _ in range(6):
        number, digit = divmod(number, base)
        chars.append(ALPHABET[digit])
    return f"{prefix}-{''.join(chars[:3])}-{''.join(chars[3:])}"


def _batches(rows: Sequence[M]) -> Iterator[Sequence[M]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _bulk(model: type[M], rows: Sequence[M]) -> list[M]:
    made: list[M] = []
    for batch in _batches(rows):
        with transaction.atomic():
            made += bulk.insert(model, batch)
    return made


def _identification(case: Case, rng: random.Random, today: dt.date) -> None:
    """Spread the cases over the identification steps, some of them late."""
    roll = rng.random()
    if roll < 0.25:
        case.identification_status = IdentificationStatus.PRESUMED
        case.presumed_on = today - dt.timedelta(days=rng.randint(0, 120))
        case.first_decision_due = today + dt.timedelta(days=rng.randint(-60, 30))
        case.reflection_starts = case.presumed_on
        case.reflection_ends = case.presumed_on + dt.timedelta(days=rng.choice((30, 45, 90)))
    elif roll < 0.4:
        case.identification_status = IdentificationStatus.FIRST_POSITIVE
        case.first_decision_on = today - dt.timedelta(days=rng.randint(10, 200))
        case.final_decision_due = today + dt.timedelta(days=rng.randint(-90, 90))


def build_cases(
    organisation: Organisation,
    creator: User,
    workers: Sequence[User],
    count: int,
    *,
    first_number: int = 0,
    seed: int = 7,
) -> int:
    """Add `count` fictional people with one case each to `organisation`. Returns how many."""
    rng = random.Random(seed)  # noqa: S311 - fictional load, not security
    today = timezone.localdate()
    now = timezone.now()
    numbers = range(first_number, first_number + count)
    people = _bulk(
        Person,
        [
            Person(
                reference=fictional_reference(PERSON_PREFIX, n),
                organisation=organisation,
                created_by=creator,
                full_name=f"Fictional Person {n:06d}",
                age_band=rng.choice((AgeBand.TEEN, AgeBand.UNKNOWN, AgeBand.UNKNOWN)),
                citizenship=["ZZ"],
            )
            for n in numbers
        ],
    )
    cases = []
    for n, person in zip(numbers, people, strict=True):
        opened = today - dt.timedelta(days=rng.randint(0, 1500))
        case = Case(
            reference=fictional_reference(CASE_PREFIX, n),
            person=person,
            organisation=organisation,
            created_by=creator,
            assigned_to=rng.choice(workers) if workers and rng.random() < 0.9 else None,
            status=rng.choices(
                (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP, CaseStatus.CLOSED), (70, 15, 15)
            )[0],
            opened_on=opened,
            updated_at=now - dt.timedelta(minutes=rng.randint(0, 60 * 24 * 400)),
            summary=f"Fictional benchmark case {n:06d}: no real person.",
        )
        _identification(case, rng, today)
        if case.status != CaseStatus.CLOSED and rng.random() < 0.01:
            case.closure_requested_status = CaseStatus.CLOSED
            case.closure_requested_by = creator
            case.closure_requested_at = now - dt.timedelta(days=rng.randint(0, 20))
        cases.append(case)
    made = _bulk(Case, cases)
    follow_ups, objectives, events = [], [], []
    for case in made:
        events.append(CaseEvent(case=case, kind=EventKind.OPENED, actor=creator))
        if rng.random() < 0.2:
            first = case.opened_on + dt.timedelta(days=90)
            follow_ups += [
                FollowUp(case=case, due_on=first + dt.timedelta(days=90 * k)) for k in range(2)
            ]
        if rng.random() < 0.3:
            objectives.append(
                SupportObjective(
                    case=case,
                    stage=rng.choice(list(Stage)),
                    plan_type="Health",
                    objectives="Fictional objective",
                    created_by=creator,
                )
            )
    _bulk(CaseEvent, events)
    _bulk(FollowUp, follow_ups)
    _bulk(SupportObjective, objectives)
    # A live database has statistics (autovacuum keeps them current); a bulk load has
    # none until analysed, and the planner then takes 100,000 rows for a few: a due list
    # that answers in 40 ms with statistics took 9 s without them.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return len(made)
