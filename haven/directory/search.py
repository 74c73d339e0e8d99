"""Finding services: one search for the public directory, the PDF and staff referrals.

Eligibility is stated as lists where an empty list means "anyone": a service for women
lists ["Feminine"], a service for everyone lists nothing. The list tests are small pure
functions, applied after the database has narrowed by kind, country and age. Why not in
SQL: SQLite has no JSON containment lookup, and the directory of one region is small.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Q, QuerySet

from haven.directory.models import DirectoryService, Provider


@dataclass(frozen=True)
class Criteria:
    """What a person needs and what is known about them. Empty or None = no filter."""

    kind: str = ""  # haven.assistance.models.ServiceKind
    country: str = ""  # ISO 3166-1 alpha-2
    area: str = ""  # administrative area name, as providers list them
    language: str = ""  # ISO 639 code the provider's staff speak
    sex: str = ""  # haven.core.reference.Gender
    age: int | None = None
    nationality: str = ""  # ISO 3166-1 alpha-2
    exploitation: str = ""  # haven.cases.choices.ExploitationType
    referrals_only: bool = False  # only services that accept referrals


def open_to(allowed: Sequence[str], value: str) -> bool:
    """True when the list admits `value`: an empty list admits anyone, and no value asked
    for filters nothing."""
    return not value or not allowed or value in allowed


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def covers_area(provider: Provider, area: str) -> bool:
    """A provider with no areas listed covers its whole country."""
    if not area or not provider.areas:
        return True
    return _folded(area) in {_folded(a) for a in provider.areas}


def speaks(provider: Provider, language: str) -> bool:
    return not language or language.lower() in {code.lower() for code in provider.languages}


def age_fits(service: DirectoryService, age: int | None) -> bool:
    if age is None:
        return True
    low_ok = service.age_min is None or service.age_min <= age
    return low_ok and (service.age_max is None or age <= service.age_max)


def accepts(service: DirectoryService, criteria: Criteria) -> bool:
    """Whether `service` (with its provider) matches every criterion given."""
    provider = service.provider
    return (
        (not criteria.kind or service.kind == criteria.kind)
        and (not criteria.country or provider.country == criteria.country)
        and (not criteria.referrals_only or service.accepts_referrals)
        and covers_area(provider, criteria.area)
        and speaks(provider, criteria.language)
        and open_to(service.sexes, criteria.sex)
        and age_fits(service, criteria.age)
        and open_to(service.nationalities, criteria.nationality)
        and open_to(service.exploitation_types, criteria.exploitation)
    )


def _narrowed(
    services: QuerySet[DirectoryService], criteria: Criteria
) -> QuerySet[DirectoryService]:
    if criteria.kind:
        services = services.filter(kind=criteria.kind)
    if criteria.country:
        services = services.filter(provider__country=criteria.country)
    if criteria.referrals_only:
        services = services.filter(accepts_referrals=True)
    if criteria.age is not None:
        services = services.filter(
            Q(age_min__isnull=True) | Q(age_min__lte=criteria.age),
            Q(age_max__isnull=True) | Q(age_max__gte=criteria.age),
        )
    return services


def search_services(criteria: Criteria, *, public_only: bool = True) -> list[DirectoryService]:
    """Services matching `criteria`, with their providers, ordered by country, provider
    and kind. `public_only=False` adds providers kept out of the public directory (staff
    referrals); it never reaches anything but the directory."""
    # A training organisation's entries are practice: never offered as real services.
    services = DirectoryService.objects.select_related("provider").exclude(
        provider__organisation__is_training=True
    )
    if public_only:
        services = services.filter(provider__public=True)
    ordered = _narrowed(services, criteria).order_by(
        "provider__country", "provider__name", "provider_id", "kind", "pk"
    )
    return [service for service in ordered if accepts(service, criteria)]


def withheld_addresses(provider_ids: Collection[int]) -> set[int]:
    """Those of `provider_ids` whose address never leaves Haven in a public output: the
    provider is flagged confidential, or offers a service at a confidential place (a
    shelter listed under an NGO's office address would be found at that address)."""
    if not provider_ids:
        return set()
    flagged = Provider.objects.filter(pk__in=provider_ids).filter(
        Q(confidential=True) | Q(services__confidential=True)
    )
    return set(flagged.values_list("pk", flat=True))


def public_view(provider: Provider, withheld: bool) -> Provider:
    """The provider as a public output may show it: a copy without the address when
    `withheld` (see `withheld_addresses`). Every public page, the PDF and the API build
    their entries from this copy, so no template or serialiser can reach the address."""
    shown = copy.copy(provider)
    if withheld:
        shown.address = ""
        shown.address_withheld = True
    return shown


@dataclass(frozen=True)
class ServiceEntry:
    service: DirectoryService
    description: str
    description_language: str


@dataclass(frozen=True)
class ProviderEntry:
    provider: Provider
    services: list[ServiceEntry]


def by_provider(services: Iterable[DirectoryService], language: str) -> list[ProviderEntry]:
    """Group services (ordered by provider) under their provider, each description in
    `language` where translated. For public outputs: each provider is its `public_view`,
    without the address of a confidential place."""
    services = list(services)
    withheld = withheld_addresses({service.provider_id for service in services})
    entries: list[ProviderEntry] = []
    for service in services:
        if not entries or entries[-1].provider.pk != service.provider_id:
            provider = public_view(service.provider, service.provider_id in withheld)
            entries.append(ProviderEntry(provider, []))
        text, code = service.description_with_language(language)
        entries[-1].services.append(ServiceEntry(service, text, code))
    return entries


def public_entry(provider: Provider, language: str) -> ProviderEntry:
    """One provider's public page: its services under its `public_view`."""
    services = DirectoryService.objects.filter(provider=provider).select_related("provider")
    entries = by_provider(services, language)
    if entries:
        return entries[0]
    return ProviderEntry(public_view(provider, bool(withheld_addresses([provider.pk]))), [])


@dataclass(frozen=True)
class Place:
    country: str
    area: str
    entries: list[ProviderEntry]


def by_place(entries: list[ProviderEntry]) -> list[Place]:
    """Entries (ordered by country) grouped by country, then by the areas covered."""
    places: list[Place] = []
    for country, in_country in groupby(entries, key=lambda e: e.provider.country_name):
        ordered = sorted(in_country, key=lambda e: (bool(e.provider.areas), e.provider.area_names))
        for area, here in groupby(ordered, key=lambda e: e.provider.area_names):
            places.append(Place(country, area, list(here)))
    return places
