"""Domain actions on people. Each runs in one transaction and writes its audit row."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from haven.accounts.roles import Capability, can
from haven.audit.chain import record, record_many
from haven.audit.models import Action
from haven.core import bulk, crypto
from haven.core.errors import ConcurrentEditError
from haven.core.pseudonyms import PERSON_PREFIX, allocate_references, create_with_reference
from haven.core.reference import AgeBand, age_band_for, age_on
from haven.people import names
from haven.people.access import people_for
from haven.people.models import (
    DEMOGRAPHIC_FIELDS,
    IDENTITY_FIELDS,
    IndexKind,
    Person,
    PersonIndex,
)

if TYPE_CHECKING:
    from haven.accounts.models import User

# A search shows at most this many people; more would mean the query is too vague.
SEARCH_LIMIT = 50
# Possible duplicates shown when recording a person; the rule is strict, so few match.
DUPLICATE_LIMIT = 10
# People with a superset of the name's keys read to find them; bounds the decryption work.
DUPLICATE_SCAN = 200

EDITABLE_FIELDS = tuple(f for f in IDENTITY_FIELDS + DEMOGRAPHIC_FIELDS if f != "age_band")


def _age_band(data: Mapping[str, Any], today: dt.date | None = None) -> AgeBand:
    """The age band now (`today`, when a batch has read the date once)."""
    if data.get("date_of_birth"):
        birth = dt.date.fromisoformat(data["date_of_birth"])
        return age_band_for(age_on(birth, today or timezone.localdate()))
    if data.get("estimated_age"):
        return age_band_for(int(data["estimated_age"]))
    return AgeBand.UNKNOWN


class ImportedPerson(NamedTuple):
    """A person an import recorded: their key and reference (no object is built)."""

    pk: int
    reference: str


class PossibleDuplicateError(Exception):
    """The new person may already be recorded; the user must look or confirm."""

    def __init__(self, candidates: Sequence[Person]) -> None:
        super().__init__("possible duplicate")
        self.candidates = list(candidates)


def _names_of(person: Person) -> list[str]:
    return [person.full_name, person.given_name, person.family_name, *person.aliases]


def _index_entries(person: Person, known: names.Known | None = None) -> set[tuple[str, str]]:
    return _entries_for(_names_of(person), person.documents, known)


def _entries_for(
    every_name: list[str], documents: list[dict[str, Any]], known: names.Known | None = None
) -> set[tuple[str, str]]:
    entries = names.name_entries(every_name, known)
    for document in documents:
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


def _apply(person: Person, data: Mapping[str, Any], today: dt.date | None = None) -> list[str]:
    changed = []
    for name in EDITABLE_FIELDS:
        value = data.get(name, getattr(person, name))
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    band = _age_band(
        {"date_of_birth": person.date_of_birth, "estimated_age": person.estimated_age}, today
    )
    if person.age_band != band:
        person.age_band = band
        changed.append("age_band")
    return changed


def reindex_all() -> int:
    """Rebuild every person's blind index (after an upgrade or a new index key)."""
    count = 0
    for person in Person.objects.order_by("pk").iterator(chunk_size=200):
        with transaction.atomic():
            _reindex(person)
        count += 1
    return count


def possible_duplicates(actor: User, data: Mapping[str, Any]) -> list[Person]:
    """People the actor may see who could be the person described by `data`.

    The rule: the same name tokens in any order and script (`names.same_name_keys` of the
    new full name equal those of a candidate's full name or one of their aliases), the
    same date of birth or the same age band, and the same citizenship (a shared country,
    or none recorded on either side). Nothing is audited here: the caller shows them.
    """
    wanted = names.same_name_keys(str(data.get("full_name", "")))
    if not wanted:
        return []
    digests = {crypto.blind_index(kind, key) for kind, key in wanted}
    visible = people_for(actor, Capability.PERSON_VIEW)
    ids = (
        PersonIndex.objects.filter(person__in=visible, digest__in=digests)
        .values("person_id")
        .annotate(found=Count("digest", distinct=True))
        .filter(found=len(digests))
        .values_list("person_id", flat=True)
    )
    band = _age_band(data)
    countries = set(data.get("citizenship") or [])
    # The same date of birth gives the same age band, so "same band or same date of birth"
    # is "same band", checked in SQL; names and citizenship are compared on the few left.
    candidates = visible.filter(pk__in=list(ids), age_band=band).order_by("-created_at")
    found = [
        person
        for person in candidates[:DUPLICATE_SCAN]
        if any(names.same_name_keys(n) == wanted for n in [person.full_name, *person.aliases])
        and (
            bool(countries & set(person.citizenship)) or (not countries and not person.citizenship)
        )
    ]
    return found[:DUPLICATE_LIMIT]


def create_person(
    actor: User, data: Mapping[str, Any], *, confirmed_not_duplicate: bool = False
) -> Person:
    """Create a person in the actor's organisation with a fresh pseudonymous reference.

    Refuses with `PossibleDuplicateError` when `possible_duplicates` finds someone, unless
    the actor has looked and said `confirmed_not_duplicate=True`.
    """
    if not confirmed_not_duplicate:
        candidates = possible_duplicates(actor, data)
        if candidates:
            raise PossibleDuplicateError(candidates)

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
            changed_fields=[*changed, "confirmed_not_duplicate"]
            if confirmed_not_duplicate
            else changed,
        )
        return person

    return create_with_reference(PERSON_PREFIX, create)


def duplicates_among(
    organisation_id: int, datas: Sequence[Mapping[str, Any]]
) -> dict[int, list[str]]:
    """For many people about to be recorded at once (an import): the index of each who
    could already be in the organisation, or appears twice in `datas`, with the
    references (or "row N") of who they could be. The rule of `possible_duplicates`,
    run on the organisation's people whoever imports (an importer may not read them)."""
    known: dict[str, tuple[str, str] | None] = {}  # this call's name tokens, keyed once
    today = timezone.localdate()

    def same_keys(name: str) -> frozenset[tuple[str, str]]:
        return names.same_name_keys(name, known)

    keys = [same_keys(str(d.get("full_name", ""))) for d in datas]
    found: dict[int, list[str]] = defaultdict(list)
    mine = Person.objects.filter(organisation_id=organisation_id)

    def same_person(data: Mapping[str, Any], band: str, countries: Sequence[str]) -> bool:
        shared = set(data.get("citizenship") or []) & set(countries)
        neither = not data.get("citizenship") and not countries
        return _age_band(data, today) == band and (bool(shared) or neither)

    keyed = functools.cache(crypto.blind_index)
    digests_of = [{keyed(kind, key) for kind, key in k} for k in keys]
    every = set().union(*digests_of) if digests_of else set()
    # Who holds each digest: a row's candidates are those holding all of its digests.
    holders: dict[str, set[int]] = defaultdict(set)
    ordered = sorted(every)
    size = bulk.chunk_size()
    for start in range(0, len(ordered), size):
        held = PersonIndex.objects.filter(person__in=mine)
        rows = bulk.among(held, "digest", ordered[start : start + size])
        for person_id, digest in rows.values_list("person_id", "digest"):
            holders[digest].add(person_id)
    maybe = {
        index: sorted(set.intersection(*(holders.get(d, set()) for d in digests)))
        for index, digests in enumerate(digests_of)
        if digests
    }
    wanted_ids = {pid for ids in maybe.values() for pid in ids}
    people = {p.pk: p for p in Person.objects.filter(pk__in=wanted_ids)}
    for index, ids in maybe.items():
        for pid in ids:
            person = people[pid]
            same_name = any(
                same_keys(n) == keys[index] for n in [person.full_name, *person.aliases]
            )
            if same_name and same_person(datas[index], person.age_band, person.citizenship):
                found[index].append(person.reference)
    first_with: dict[tuple[frozenset[tuple[str, str]], str], int] = {}
    for index, key in enumerate(keys):
        if not key:
            continue
        data = datas[index]
        signature = (frozenset(key), _age_band(data, today))
        earlier = first_with.setdefault(signature, index)
        countries = data.get("citizenship") or []
        if earlier != index and same_person(datas[earlier], signature[1], countries):
            found[index].append(f"#{earlier}")
    return dict(found)


def import_people(
    actor: User,
    datas: Sequence[Mapping[str, Any]],
    *,
    references: Sequence[str],
    confirmed_not_duplicate: bool,
) -> list[ImportedPerson]:
    """Record many people at once for an import, in the actor's organisation: the same
    fields, age bands, search index and audit rows as `create_person`, in bulk. The
    importer has checked for duplicates (`duplicates_among`) before calling this."""
    if not can(actor, Capability.DATA_IMPORT):
        raise PermissionDenied
    chosen = allocate_references(
        PERSON_PREFIX,
        references,
        Person,
    )
    # As values, not objects, like cases: what a row leaves out is the default of a new
    # Person, and the changed fields are those that differ from it, as in `_apply`.
    blank = Person()
    today = timezone.localdate()
    rows, changes, every_name, documents = [], [], [], []
    for reference, data in zip(chosen, datas, strict=True):
        values = {name: data.get(name, getattr(blank, name)) for name in EDITABLE_FIELDS}
        values["age_band"] = _age_band(values, today)
        changes.append([name for name, value in values.items() if value != getattr(blank, name)])
        rows.append([reference, actor.organisation_id, actor.pk, *values.values()])
        every_name.append(
            [values["full_name"], values["given_name"], values["family_name"], *values["aliases"]]
        )
        documents.append(values["documents"])
    columns = ["reference", "organisation_id", "created_by_id", *EDITABLE_FIELDS, "age_band"]
    with transaction.atomic():
        keys = bulk.insert_values(Person, columns, rows, keys=True)
        made = [ImportedPerson(pk, reference) for pk, reference in zip(keys, chosen, strict=True)]
        known = names.Known()  # this import's names, digested once each
        bulk.insert_values(
            PersonIndex,
            ["person_id", "kind", "digest"],
            [
                (person.pk, kind, digest)
                for person, person_names, person_documents in zip(
                    made, every_name, documents, strict=True
                )
                for kind, digest in sorted(_entries_for(person_names, person_documents, known))
            ],
        )
        extra = ["imported", "confirmed_not_duplicate"] if confirmed_not_duplicate else ["imported"]
        record_many(
            actor=actor,
            action=Action.PERSON_CREATE,
            object_type="person",
            entries=[(p.reference, [*c, *extra]) for p, c in zip(made, changes, strict=True)],
        )
    return made


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
    record_identity_views(actor, [person])


def record_identity_views(actor: User, people: Iterable[Person]) -> None:
    """One audit row per person whose identity a page shows, in one transaction."""
    record_many(
        actor=actor,
        action=Action.PERSON_VIEW_IDENTITY,
        object_type="person",
        entries=[(person.reference, ()) for person in people],
    )


# How a search hit matched, weakest name part first decides: an exact spelling in every
# part reads "exact"; one part found only by sound makes the whole hit "sounds alike".
MATCH_DOCUMENT = "document"
MATCH_EXACT = "exact"
MATCH_LATIN = "latin"
MATCH_SOUND = "sound"
_MATCH_BY_STRENGTH = {3: MATCH_EXACT, 2: MATCH_LATIN, 1: MATCH_SOUND}


@dataclass(frozen=True)
class SearchHit:
    """One person found, with how well they matched. Carries no identity."""

    person: Person
    parts_found: int
    parts_asked: int
    match: str


@dataclass
class _Score:
    strengths: list[int]
    whole_name: bool = False
    document: bool = False

    def key(self) -> tuple[bool, int, int, bool]:
        found = sum(1 for s in self.strengths if s)
        return (self.document, found, sum(self.strengths), self.whole_name)

    def match(self) -> str:
        if self.document:
            return MATCH_DOCUMENT
        found = [s for s in self.strengths if s]
        return _MATCH_BY_STRENGTH[min(found)] if found else MATCH_EXACT


def search_tokens(name: str) -> list[str]:
    """The name parts a search looks for (the form refuses more than MAX_SEARCH_TOKENS)."""
    return names.tokens(name)[: names.MAX_SEARCH_TOKENS]


def search_people(
    actor: User, visible: QuerySet[Person], *, name: str = "", document: str = ""
) -> list[SearchHit]:
    """Find people the actor may see by any name parts, in any order and script.

    Ranked: a document number match first, then more name parts found, then stronger
    matches (exact spelling above the same romanisation above the same sound), then a
    match of the whole name. A constant number of queries, however many are found.
    """
    parts = search_tokens(name)
    wanted: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for position, part in enumerate(parts):
        for kind, digest in names.token_keys(part).digests:
            wanted[digest].append((position, names.STRENGTH[kind]))
    whole = crypto.normalise_text(name)
    whole_digest = crypto.blind_index(IndexKind.NAME, whole) if whole else ""
    number = crypto.normalise_document_number(document)
    document_digest = crypto.blind_index(IndexKind.DOCUMENT, number) if number else ""
    digests = {*wanted, whole_digest, document_digest} - {""}
    if not digests:
        return []
    scores: dict[int, _Score] = {}
    rows = PersonIndex.objects.filter(person__in=visible, digest__in=digests).values_list(
        "person_id", "kind", "digest"
    )
    for person_id, kind, digest in rows:
        score = scores.setdefault(person_id, _Score([0] * len(parts)))
        if kind == IndexKind.DOCUMENT and digest == document_digest:
            score.document = True
        elif kind == IndexKind.NAME and digest == whole_digest:
            score.whole_name = True
        for position, strength in wanted.get(digest, ()):
            score.strengths[position] = max(score.strengths[position], strength)
    ranked = sorted(
        (
            pk
            for pk, score in scores.items()
            if score.document or score.whole_name or any(score.strengths)
        ),
        key=lambda pk: (scores[pk].key(), pk),
        reverse=True,
    )[:SEARCH_LIMIT]
    people = visible.in_bulk(ranked)
    found = [
        SearchHit(
            person=people[pk],
            parts_found=sum(1 for s in scores[pk].strengths if s),
            parts_asked=len(parts),
            match=scores[pk].match(),
        )
        for pk in ranked
        if pk in people
    ]
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
