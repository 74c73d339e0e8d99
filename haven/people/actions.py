"""Domain actions on people. Each runs in one transaction and writes its audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from haven.audit.chain import record
from haven.audit.models import Action
from haven.core import crypto
from haven.core.errors import ConcurrentEditError
from haven.core.pseudonyms import PERSON_PREFIX, create_with_reference
from haven.core.reference import AgeBand, age_band_for, age_on
from haven.people.models import (
    DEMOGRAPHIC_FIELDS,
    IDENTITY_FIELDS,
    IndexKind,
    Person,
    PersonIndex,
)

if TYPE_CHECKING:
    from haven.accounts.models import User

EDITABLE_FIELDS = tuple(f for f in IDENTITY_FIELDS + DEMOGRAPHIC_FIELDS if f != "age_band")


def _age_band(data: Mapping[str, Any]) -> AgeBand:
    if data.get("date_of_birth"):
        birth = dt.date.fromisoformat(data["date_of_birth"])
        return age_band_for(age_on(birth, timezone.localdate()))
    if data.get("estimated_age"):
        return age_band_for(int(data["estimated_age"]))
    return AgeBand.UNKNOWN


def _index_entries(person: Person) -> set[tuple[str, str]]:
    names = [person.full_name, person.given_name, person.family_name, *person.aliases]
    entries = {
        (IndexKind.NAME.value, crypto.blind_index(IndexKind.NAME, crypto.normalise_text(n)))
        for n in names
        if crypto.normalise_text(n)
    }
    for document in person.documents:
        number = crypto.normalise_document_number(str(document.get("number", "")))
        if number:
            entries.add((IndexKind.DOCUMENT.value, crypto.blind_index(IndexKind.DOCUMENT, number)))
    return entries


def _reindex(person: Person) -> None:
    PersonIndex.objects.filter(person=person).delete()
    PersonIndex.objects.bulk_create(
        PersonIndex(person=person, kind=kind, digest=digest)
        for kind, digest in sorted(_index_entries(person))
    )


def _apply(person: Person, data: Mapping[str, Any]) -> list[str]:
    changed = []
    for name in EDITABLE_FIELDS:
        value = data.get(name, getattr(person, name))
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    band = _age_band({"date_of_birth": person.date_of_birth, "estimated_age": person.estimated_age})
    if person.age_band != band:
        person.age_band = band
        changed.append("age_band")
    return changed


def create_person(actor: User, data: Mapping[str, Any]) -> Person:
    """Create a person in the actor's organisation with a fresh pseudonymous reference."""

    def create(reference: str) -> Person:
        person = Person(reference=reference, organisation=actor.organisation, created_by=actor)
        changed = _apply(person, data)
        person.save()
        _reindex(person)
        record(
            actor=actor,
            action=Action.PERSON_CREATE,
            object_type="person",
            object_ref=person.reference,
            changed_fields=changed,
        )
        return person

    return create_with_reference(PERSON_PREFIX, create)


def update_person(
    actor: User, person: Person, data: Mapping[str, Any], *, expected_version: int
) -> list[str]:
    """Save an edit made from `expected_version`; refuse it if someone saved since."""
    with transaction.atomic():
        current = Person.objects.select_for_update().get(pk=person.pk)
        if current.version != expected_version:
            raise ConcurrentEditError
        changed = _apply(current, data)
        if not changed:
            return []
        current.version += 1
        current.updated_at = timezone.now()
        current.save()
        if set(changed) & {"full_name", "given_name", "family_name", "aliases", "documents"}:
            _reindex(current)
        record(
            actor=actor,
            action=Action.PERSON_UPDATE,
            object_type="person",
            object_ref=current.reference,
            changed_fields=changed,
        )
    person.refresh_from_db()
    return changed


def record_identity_view(actor: User, person: Person) -> None:
    """Every showing of identity data leaves an audit row."""
    with transaction.atomic():
        record(
            actor=actor,
            action=Action.PERSON_VIEW_IDENTITY,
            object_type="person",
            object_ref=person.reference,
        )


def search_people(
    actor: User, visible: QuerySet[Person], *, name: str = "", document: str = ""
) -> list[Person]:
    """Exact search by name or document number among the people the actor may see."""
    digests: list[tuple[str, str]] = []
    if crypto.normalise_text(name):
        digests.append(
            (IndexKind.NAME, crypto.blind_index(IndexKind.NAME, crypto.normalise_text(name)))
        )
    number = crypto.normalise_document_number(document)
    if number:
        digests.append((IndexKind.DOCUMENT, crypto.blind_index(IndexKind.DOCUMENT, number)))
    if not digests:
        return []
    matches: set[int] = set()
    for kind, digest in digests:
        matches |= set(
            PersonIndex.objects.filter(kind=kind, digest=digest).values_list("person_id", flat=True)
        )
    found = list(visible.filter(pk__in=matches).order_by("-created_at")[:50])
    with transaction.atomic():
        record(
            actor=actor,
            action=Action.PERSON_SEARCH,
            object_type="person",
            object_ref="",
            changed_fields=_fields_searched(name, number),
        )
    return found


def _fields_searched(name: str, number: str) -> Iterable[str]:
    return [field for field, given in (("name", name.strip()), ("document", number)) if given]
