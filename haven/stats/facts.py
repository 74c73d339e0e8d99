"""Rebuild the statistics facts from the records (`haven stats refresh`, from cron).

One pass over each table with `values()` (no model instances, no identity), except the
screening results, which are sealed: only the latest completed screening of each person is
opened, and only its flags are kept. The old facts are replaced in one transaction, so a
page never sees half a refresh. The summaries the pages read (haven.stats.summary) are
rebuilt from the new facts in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Min, Model
from django.utils import timezone

from haven.accounts.models import Organisation
from haven.assistance.models import ReturnPlan
from haven.cases.choices import JourneyStage
from haven.cases.models import Case, JourneyEvent
from haven.identification import jurisdictions
from haven.identification.models import IdentificationChange
from haven.identification.status import IdentificationStatus as S
from haven.justice.models import PENALISATION_GROUP, Penalisation
from haven.people.models import Person
from haven.referrals.models import Consent
from haven.screening.models import Outcome, Screening, ScreeningStatus
from haven.stats import summary
from haven.stats.models import FactTag, PersonFact, Refresh, Summary

BATCH = 5000
CHILD_BANDS = {"0-11", "12-17"}
# The funnel's steps after presumption, and the statuses that mean a step was reached.
FIRST = {S.FIRST_POSITIVE, S.FIRST_NEGATIVE}
FINAL = {S.FINAL_POSITIVE, S.FINAL_NEGATIVE}
INDICATED = {Outcome.INDICATORS_PRESENT, Outcome.PRESUMED_VICTIM}


@dataclass
class _Person:
    organisation_id: int
    created: dt.date
    sex: str
    age_band: str
    citizenship: str
    country: str
    jurisdiction: str
    case_opened: dt.date | None = None
    case_id: int | None = None
    tags: set[tuple[str, str]] = field(default_factory=set)
    values: dict[str, Any] = field(default_factory=dict)


def _earliest(*days: dt.date | None) -> dt.date | None:
    known = [d for d in days if d is not None]
    return min(known) if known else None


def _people() -> dict[int, _Person]:
    countries = dict(Organisation.objects.values_list("pk", "country"))
    rows = Person.objects.values_list(
        "pk", "organisation_id", "created_at", "gender", "age_band", "citizenship"
    )
    found = {}
    for pk, org, created, sex, band, citizenship in rows.iterator(chunk_size=BATCH):
        found[pk] = _Person(
            organisation_id=org,
            created=timezone.localdate(created),
            sex=sex,
            age_band=band,
            citizenship=(citizenship or [""])[0],
            country=countries.get(org, ""),
            jurisdiction="",
        )
    return found


def _cases(people: dict[int, _Person]) -> dict[int, int]:
    """The person's first case gives the case record's categories; returns case -> person."""
    person_of = {}
    rows = Case.objects.values_list(
        "pk",
        "person_id",
        "opened_on",
        "exploitation_types",
        "forced_labour_industry",
        "methods_of_control",
        "relationship_to_trafficker",
        "age_when_trafficked",
        "trafficking_status",
        "jurisdiction",
        "closed_on",
        "closure_reason",
    ).order_by("opened_on", "pk")
    for row in rows.iterator(chunk_size=BATCH):
        pk, person_id, opened, forms, industry, control, relationship, age = row[:8]
        status, jurisdiction, closed, reason = row[8:]
        person = people.get(person_id)
        if person is None:
            continue
        person_of[pk] = person_id
        person.tags.update(("exploitation", f) for f in forms or [])
        person.tags.update(("control", c) for c in control or [])
        if person.case_id is not None:
            continue
        person.case_id, person.case_opened = pk, opened
        person.jurisdiction = jurisdiction
        person.values.update(
            industry=industry,
            relationship=relationship,
            trafficking_status=status,
            closed_on=closed,
            closure_reason=reason,
            child_by_age=age is not None and age < 18,
        )
    return person_of


def _identification(people: dict[int, _Person], person_of: dict[int, int]) -> None:
    firsts = (
        IdentificationChange.objects.values_list("case_id", "to_status")
        .annotate(first=Min("decided_on"))
        .order_by()
    )
    steps = {S.PRESUMED: "presumed_on", S.CONFIRMED: "confirmed_on"}
    steps.update(dict.fromkeys(FIRST, "first_decision_on"))
    steps.update(dict.fromkeys(FINAL, "final_decision_on"))
    for case_id, status, on in firsts.iterator(chunk_size=BATCH):
        name = steps.get(status)
        person = people.get(person_of.get(case_id, -1))
        if name and person is not None:
            person.values[name] = _earliest(person.values.get(name), on)


def _penalised(people: dict[int, _Person], person_of: dict[int, int]) -> None:
    """Arrests, detention, charges and removal orders dated after the person was first
    presumed a victim (haven.justice), as tags: the failures of non-punishment. A day
    before or on the presumption is not counted: it may be how the person was found.
    Call after `_identification`."""
    rows = Penalisation.objects.values_list("case_id", "kind", "on")
    for case_id, kind, on in rows.iterator(chunk_size=BATCH):
        person = people.get(person_of.get(case_id, -1))
        if person is None or kind not in PENALISATION_GROUP:
            continue
        presumed = person.values.get("presumed_on")
        if presumed is not None and on > presumed:
            person.tags.add(("penalised", str(PENALISATION_GROUP[kind])))


def _screenings(people: dict[int, _Person]) -> None:
    completed = Screening.objects.filter(status=ScreeningStatus.COMPLETED, person__isnull=False)
    rows = completed.values_list("person_id", "completed_at", "outcome", "judgement")
    for person_id, at, outcome, judgement in rows.iterator(chunk_size=BATCH):
        person = people.get(person_id)
        if person is None or at is None:
            continue
        on = timezone.localdate(at)
        person.values["screened_on"] = _earliest(person.values.get("screened_on"), on)
        if (judgement or outcome) in INDICATED:
            person.values["indicators_on"] = _earliest(person.values.get("indicators_on"), on)
    # The flags of each person's latest completed screening (sealed: opened one by one).
    latest = (
        completed.order_by("person_id", "-completed_at", "-pk")
        .distinct("person_id")
        .only("pk", "person_id", "result")
        if _distinct_on()
        else _latest_by_person(completed)
    )
    for screening in latest:
        person = people.get(screening.person_id or -1)
        if person is not None:
            flags = (screening.result or {}).get("flags", [])
            person.tags.update(("flag", str(f)) for f in flags)


def _distinct_on() -> bool:
    return bool(connection.features.can_distinct_on_fields)


def _latest_by_person(completed: Any) -> Iterator[Screening]:
    newest: dict[int, tuple[dt.datetime, int]] = {}
    for pk, person_id, at in completed.values_list("pk", "person_id", "completed_at"):
        if person_id not in newest or (at, pk) > newest[person_id]:
            newest[person_id] = (at, pk)
    wanted = [pk for _at, pk in newest.values()]
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        yield from Screening.objects.filter(pk__in=chunk).only("pk", "person_id", "result")


def _journeys(people: dict[int, _Person], person_of: dict[int, int]) -> None:
    rows = (
        JourneyEvent.objects.filter(stage=JourneyStage.EXPLOITATION)
        .exclude(country="")
        .values_list("case_id", "country")
        .order_by("happened_on", "pk")
    )
    for case_id, country in rows.iterator(chunk_size=BATCH):
        person = people.get(person_of.get(case_id, -1))
        if person is not None and "region" not in person.values:
            person.values["region"] = country


def _consents(people: dict[int, _Person], today: dt.date) -> None:
    allowed = Consent.objects.filter(
        anonymous_research=True, withdrawn_at__isnull=True, expires_on__gte=today
    ).values_list("person_id", flat=True)
    for person_id in allowed.iterator(chunk_size=BATCH):
        if person_id in people:
            people[person_id].values["research_consent"] = True


def _returns(people: dict[int, _Person], person_of: dict[int, int]) -> None:
    rows = ReturnPlan.objects.filter(travel_on__isnull=False).values_list("case_id", "travel_on")
    for case_id, on in rows.iterator(chunk_size=BATCH):
        person = people.get(person_of.get(case_id, -1))
        if person is not None:
            person.values["returned_on"] = on


def _on_target(person: _Person) -> tuple[bool | None, bool | None]:
    """Whether each decision came within the jurisdiction's target time."""
    values = person.values
    presumed, first, final = (
        values.get("presumed_on"),
        values.get("first_decision_on"),
        values.get("final_decision_on"),
    )
    try:
        rules = jurisdictions.get(person.jurisdiction or "generic")
    except KeyError:
        return None, None
    first_ok = final_ok = None
    if presumed and first:
        due = rules.first_decision_due(presumed)
        first_ok = None if due is None else first <= due
    if first and final:
        _earliest_day, due = rules.final_decision_window(first)
        final_ok = None if due is None else final <= due
    return first_ok, final_ok


def _fact(pk: int, person: _Person) -> PersonFact:
    values = person.values
    first_ok, final_ok = _on_target(person)
    first_contact = _earliest(person.created, values.get("screened_on"), person.case_opened)
    return PersonFact(
        person_id=pk,
        organisation_id=person.organisation_id,
        first_contact=first_contact or person.created,
        region=values.get("region") or person.country,
        sex=person.sex,
        age_band=person.age_band,
        child=person.age_band in CHILD_BANDS or bool(values.get("child_by_age")),
        citizenship=person.citizenship,
        industry=values.get("industry") or "",
        relationship=values.get("relationship") or "",
        smuggling=("flag", "smuggling") in person.tags,
        assisted=person.case_id is not None,
        research_consent=bool(values.get("research_consent")),
        jurisdiction=person.jurisdiction,
        screened_on=values.get("screened_on"),
        indicators_on=values.get("indicators_on"),
        presumed_on=values.get("presumed_on"),
        first_decision_on=values.get("first_decision_on"),
        final_decision_on=values.get("final_decision_on"),
        confirmed_on=values.get("confirmed_on"),
        first_on_target=first_ok,
        final_on_target=final_ok,
        trafficking_status=values.get("trafficking_status") or "",
        closed_on=values.get("closed_on"),
        closure_reason=values.get("closure_reason") or "",
        returned_on=values.get("returned_on"),
    )


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def refresh() -> Refresh:
    """Rebuild every fact from the records; returns the refresh's register row."""
    started = time.monotonic()
    today = timezone.localdate()
    people = _people()
    person_of = _cases(people)
    _identification(people, person_of)
    _penalised(people, person_of)
    _screenings(people)
    _journeys(people, person_of)
    _consents(people, today)
    _returns(people, person_of)
    with transaction.atomic():
        FactTag.objects.all().delete()
        PersonFact.objects.all().delete()
        ids: dict[int, int] = {}
        for chunk in _chunks(people.items(), BATCH):
            made = PersonFact.objects.bulk_create([_fact(pk, p) for pk, p in chunk])
            ids.update((fact.person_id, fact.pk) for fact in made)
        tags = (
            FactTag(fact_id=ids[pk], dimension=dimension, value=value)
            for pk, person in people.items()
            for dimension, value in sorted(person.tags)
        )
        for chunk in _chunks(tags, BATCH):
            FactTag.objects.bulk_create(chunk)
        if connection.vendor == "postgresql":
            _analyze(PersonFact, FactTag)  # the summaries group them just below
        summary.rebuild(today)
        done = Refresh.objects.create(
            people=len(people), seconds=round(time.monotonic() - started, 2)
        )
    if connection.vendor == "postgresql":
        _analyze(Summary)
    return done


def _analyze(*models: type[Model]) -> None:
    """Fresh planner statistics for tables just rebuilt: without them the planner guesses
    a handful of rows and a grouped count over a country's facts takes minutes."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def latest() -> Refresh | None:
    return Refresh.objects.order_by("-finished_at").first()
