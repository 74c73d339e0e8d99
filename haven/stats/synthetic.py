"""Obviously fictional statistics load: `haven bench stats` builds this in a scratch
database (never a real one). It adds what the statistics read on top of the bench's
people and cases (haven.cases.synthetic): varied demographics, case categories, the
identification steps with their dates, completed screenings, journeys, research consent,
services, follow-ups and returns."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import TypeVar

from django.db import connection, models
from django.utils import timezone

from haven.accounts.models import Organisation, User
from haven.assistance.models import DeclineReason, Service, ServiceKind, ServiceStatus, Stage
from haven.cases.choices import ExploitationType, Industry, JourneyStage, MethodOfControl
from haven.cases.models import Case, JourneyEvent
from haven.cases.synthetic import _bulk, fictional_reference
from haven.core.reference import AgeBand, Gender
from haven.identification.models import IdentificationChange
from haven.identification.status import IdentificationStatus as S
from haven.identification.status import Move
from haven.people.models import Person
from haven.referrals.models import Consent, ConsentMethod, Purpose
from haven.screening.models import Outcome, Screening, ScreeningStatus

M = TypeVar("M", bound=models.Model)
COUNTRIES = ("TH", "KH", "MM", "VN", "LA", "ID", "MY", "PH", "CN", "AE")
STATUSES = (S.PRESUMED, S.FIRST_POSITIVE, S.FIRST_NEGATIVE, S.FINAL_POSITIVE, S.CONFIRMED)
REASONS = [reason for reason, _label in DeclineReason.choices]
FORMS = (ExploitationType.FORCED_LABOUR, ExploitationType.SEXUAL, ExploitationType.SERVITUDE)


def _steps(rng: random.Random, start: dt.date) -> list[tuple[Move, S, S, dt.date]]:
    """Walk a person some way down the funnel: each step taken by fewer people."""
    steps = []
    on = start + dt.timedelta(days=rng.randint(0, 10))
    steps.append((Move.PRESUME, S.SCREENED, S.PRESUMED, on))
    if rng.random() < 0.7:
        on += dt.timedelta(days=rng.randint(3, 30))
        positive = rng.random() < 0.8
        target = S.FIRST_POSITIVE if positive else S.FIRST_NEGATIVE
        steps.append((Move.FIRST_DECISION, S.PRESUMED, target, on))
        if positive and rng.random() < 0.6:
            on += dt.timedelta(days=rng.randint(20, 90))
            steps.append((Move.FINAL_DECISION, S.FIRST_POSITIVE, S.FINAL_POSITIVE, on))
            if rng.random() < 0.3:
                on += dt.timedelta(days=rng.randint(60, 400))
                steps.append((Move.COURT, S.FINAL_POSITIVE, S.CONFIRMED, on))
    return steps


def _update(model: type[M], rows: Sequence[M], *fields: str) -> None:
    """Save `fields` of `rows` with one UPDATE per distinct value of each field: a
    `bulk_update` of a million rows writes a CASE with a branch per row."""
    for name in fields:
        by_value: dict[str, tuple[object, list[int]]] = {}
        for row in rows:
            value = getattr(row, name)
            by_value.setdefault(repr(value), (value, []))[1].append(row.pk)
        for value, pks in by_value.values():
            for start in range(0, len(pks), 5000):
                chunk = pks[start : start + 5000]
                model._default_manager.filter(pk__in=chunk).update(**{name: value})


def enrich(organisation: Organisation, actor: User, *, seed: int = 11) -> int:
    """Give the organisation's fictional people and cases what the statistics read."""
    rng = random.Random(seed)  # noqa: S311 - fictional load, not security
    today = timezone.localdate()
    now = timezone.now()
    genders = [Gender.FEMININE, Gender.MASCULINE, Gender.UNKNOWN]
    bands = [b for b, _l in AgeBand.choices]
    people = list(Person.objects.filter(organisation=organisation).order_by("pk"))
    for person in people:
        person.gender = rng.choices(genders, (55, 40, 5))[0]
        person.age_band = rng.choice(bands)
        person.citizenship = [rng.choice(COUNTRIES)]
    _update(Person, people, "gender", "age_band", "citizenship")
    cases = list(Case.objects.filter(organisation=organisation).order_by("pk"))
    industries = [i for i, _l in Industry.choices]
    controls = [c for c, _l in MethodOfControl.choices]
    changes, journeys, screenings, consents, services = [], [], [], [], []
    for n, case in enumerate(cases):
        case.exploitation_types = [rng.choice(FORMS)]
        case.forced_labour_industry = rng.choice(industries)
        case.methods_of_control = rng.sample(controls, 2)
        journeys.append(
            JourneyEvent(
                case=case,
                stage=JourneyStage.EXPLOITATION,
                happened_on=case.opened_on,
                country=rng.choice(COUNTRIES),
                created_by=actor,
            )
        )
        screened = case.opened_on - dt.timedelta(days=rng.randint(0, 5))
        indicated = rng.random() < 0.8
        screenings.append(
            Screening(
                reference=fictional_reference("S", 5_000_000 + n),
                organisation=organisation,
                created_by=actor,
                person_id=case.person_id,
                case=case,
                status=ScreeningStatus.COMPLETED,
                outcome=Outcome.INDICATORS_PRESENT if indicated else Outcome.NOT_INDICATED,
                result={"flags": ["smuggling"] if rng.random() < 0.15 else []},
                completed_at=timezone.make_aware(
                    dt.datetime.combine(screened, dt.time(10)), timezone.get_current_timezone()
                ),
            )
        )
        if indicated and rng.random() < 0.75:
            for move, before, after, on in _steps(rng, screened):
                if on > today:
                    break
                changes.append(
                    IdentificationChange(
                        case=case,
                        move=move.value,
                        from_status=before,
                        to_status=after,
                        decided_on=on,
                        decided_by=actor,
                        decided_by_organisation=organisation,
                        basis="Fictional benchmark decision",
                    )
                )
        if rng.random() < 0.4:
            consents.append(
                Consent(
                    person_id=case.person_id,
                    case=case,
                    organisation=organisation,
                    categories=[],
                    purpose=Purpose.ASSISTANCE,
                    expires_on=today + dt.timedelta(days=365),
                    method=ConsentMethod.VERBAL,
                    anonymous_research=True,
                    recorded_by=actor,
                )
            )
        for _ in range(rng.choice((0, 1, 2))):
            services.append(
                Service(
                    case=case,
                    stage=rng.choice(list(Stage)),
                    kind=rng.choice(list(ServiceKind)),
                    status=(status := rng.choices(list(ServiceStatus), (20, 70, 10))[0]),
                    decline_reason=rng.choice(REASONS) if status == ServiceStatus.DECLINED else "",
                    on=case.opened_on + dt.timedelta(days=rng.randint(0, 60)),
                    created_by=actor,
                    created_at=now,
                )
            )
    _update(Case, cases, "exploitation_types", "forced_labour_industry", "methods_of_control")
    _bulk(JourneyEvent, journeys)
    _bulk(Screening, screenings)
    _bulk(IdentificationChange, changes)
    _bulk(Consent, consents)
    _bulk(Service, services)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return len(cases)
