"""Domain actions on the directory. Each runs in one transaction with its audit row.

Audit rows name the fields changed, as everywhere in Haven, although nothing here is
personal data. `actor` is None only for the demo loader. Each action checks that the
actor keeps the entry (haven.directory.access), whatever view or command calls it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.chain import record
from haven.core.errors import ConcurrentEditError, RefusedError
from haven.directory.access import may_keep, may_list_for, may_update_availability
from haven.directory.models import DirectoryService, Provider

if TYPE_CHECKING:
    from haven.accounts.models import User

# Audit action names: the audit Action list belongs to haven/audit; record() takes a str.
PROVIDER_ACTION = "directory.provider"
SERVICE_ACTION = "directory.service"
AVAILABILITY_ACTION = "directory.availability"


def _filled(data: Mapping[str, Any]) -> list[str]:
    return [name for name, value in data.items() if value not in ("", None, [], {})]


def _audit(
    actor: User | None, action: str, obj: Provider | DirectoryService, fields: list[str]
) -> None:
    record(
        actor=actor,
        action=action,
        object_type="provider" if isinstance(obj, Provider) else "directory_service",
        object_ref=str(obj.pk),
        changed_fields=fields,
    )


def _apply(current: Provider | DirectoryService, data: Mapping[str, Any]) -> list[str]:
    """Set the fields that differ and save a new version; the names of what changed."""
    changed = [name for name, value in data.items() if getattr(current, name) != value]
    if changed:
        for name in changed:
            setattr(current, name, data[name])
        current.version += 1
        current.updated_at = timezone.now()
        current.save()
    return changed


def _check_service(data: Mapping[str, Any], available: int | None = None) -> None:
    low, high = data.get("age_min"), data.get("age_max")
    if low is not None and high is not None and low > high:
        raise RefusedError(_("The youngest age cannot be above the oldest age."))
    capacity = data.get("capacity")
    if capacity is not None and available is not None and available > capacity:
        raise RefusedError(
            _("More places are free now than the new capacity. Update the free places first.")
        )


def _refuse_unreachable(confidential: bool, provider: Provider | Mapping[str, Any]) -> None:
    """A confidential place shows no address in public: people must still be able to
    reach it, by phone or e-mail."""
    if isinstance(provider, Provider):
        phone, email = provider.phone, provider.email
    else:
        phone, email = provider.get("phone", ""), provider.get("email", "")
    if confidential and not (str(phone or "").strip() or str(email or "").strip()):
        raise RefusedError(
            _(
                "A confidential place needs a phone number or an e-mail address: its "
                "address is never shown in public."
            )
        )


def _withholds_address(provider: Provider) -> bool:
    return provider.confidential or provider.services.filter(confidential=True).exists()


def _refuse_keeping(actor: User | None, provider: Provider) -> None:
    if actor is not None and not may_keep(actor, provider):
        raise RefusedError(_("You may not change this provider's entry in the directory."))


def _refuse_listing(actor: User | None, data: Mapping[str, Any]) -> None:
    if actor is not None and not may_list_for(actor, data.get("organisation")):
        raise RefusedError(_("You may not list a provider for that organisation."))


def create_provider(actor: User | None, data: Mapping[str, Any]) -> Provider:
    """List a new provider. `data["organisation"]` links it to an organisation in Haven;
    an organisation admin may list their own organisation only, the directory steward any
    organisation or none."""
    _refuse_listing(actor, data)
    _refuse_unreachable(bool(data.get("confidential")), data)
    with transaction.atomic():
        provider = Provider.objects.create(**data)
        _audit(actor, PROVIDER_ACTION, provider, _filled(data))
    return provider


def update_provider(
    actor: User, provider: Provider, data: Mapping[str, Any], *, expected_version: int
) -> list[str]:
    """Save an edit made from `expected_version`; refuse it if someone saved since."""
    with transaction.atomic():
        current = Provider.objects.select_for_update().get(pk=provider.pk)
        # Checked on the locked row: a steward re-linking it meanwhile cannot slip past.
        _refuse_keeping(actor, current)
        if "organisation" in data:
            _refuse_listing(actor, data)
        if current.version != expected_version:
            raise ConcurrentEditError
        after = {"phone": current.phone, "email": current.email, **data}
        confidential = bool(data.get("confidential", current.confidential))
        _refuse_unreachable(confidential or _withholds_address(current), after)
        changed = _apply(current, data)
        if changed:
            _audit(actor, PROVIDER_ACTION, current, changed)
    provider.refresh_from_db()
    return changed


def add_service(
    actor: User | None, provider: Provider, data: Mapping[str, Any]
) -> DirectoryService:
    _refuse_keeping(actor, provider)
    _check_service(data)
    _refuse_unreachable(bool(data.get("confidential")), provider)
    with transaction.atomic():
        service = DirectoryService.objects.create(provider=provider, **data)
        _audit(actor, SERVICE_ACTION, service, _filled(data))
    return service


def update_service(
    actor: User, service: DirectoryService, data: Mapping[str, Any], *, expected_version: int
) -> list[str]:
    """Save an edit of a service made from `expected_version`. Free places are not part
    of it: they change through `update_availability`, so neither overwrites the other."""
    with transaction.atomic():
        current = DirectoryService.objects.select_for_update().get(pk=service.pk)
        _refuse_keeping(actor, current.provider)
        if current.version != expected_version:
            raise ConcurrentEditError
        _check_service(data, current.available)
        _refuse_unreachable(bool(data.get("confidential")), current.provider)
        changed = _apply(current, data)
        if changed:
            _audit(actor, SERVICE_ACTION, current, changed)
    service.refresh_from_db()
    return changed


def update_availability(
    actor: User | None, service: DirectoryService, available: int | None
) -> DirectoryService:
    """Record how many places are free now (None: not known). The latest count is the
    truth, so this takes no version: a second update simply replaces the first."""
    if actor is not None and not may_update_availability(actor, service):
        raise RefusedError(_("You may not update the free places of this service."))
    with transaction.atomic():
        current = DirectoryService.objects.select_for_update().get(pk=service.pk)
        if available is not None and current.capacity is not None and available > current.capacity:
            raise RefusedError(
                _("Free places cannot be more than the capacity (%(capacity)s).")
                % {"capacity": current.capacity}
            )
        current.available = available
        current.availability_updated_at = timezone.now()
        current.save(update_fields=["available", "availability_updated_at"])
        _audit(actor, AVAILABILITY_ACTION, current, ["available", "availability_updated_at"])
    service.refresh_from_db()
    return current
