"""The one lookup per directory model, for the public and for staff. Fails closed: a
provider the user may not reach answers 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from haven.accounts.roles import Capability, Role, can
from haven.core.access import get_or_404, scoped
from haven.directory.models import DirectoryService, Provider

if TYPE_CHECKING:
    from haven.accounts.models import User

_NOBODY = Q(pk__in=[])  # the directory has no own/assigned records: organisation scope only


def keeps_whole_directory(user: User) -> bool:
    """Most providers do not run Haven, so no organisation's admin could keep them:
    system admins keep the directory as a whole, and link providers to organisations."""
    return Role.SYSTEM_ADMIN in user.role_list and can(user, Capability.DIRECTORY_EDIT)


def providers_for(user: User, capability: Capability) -> QuerySet[Provider]:
    """Providers `user` may keep (DIRECTORY_EDIT) or update the free places of. Apart
    from system admins keeping the directory, that is their own organisation's entry."""
    if capability is Capability.DIRECTORY_EDIT and keeps_whole_directory(user):
        return Provider.objects.all()
    return scoped(Provider.objects.all(), user, capability, own=_NOBODY, assigned=_NOBODY)


def get_provider_for(user: User, pk: int, capability: Capability) -> Provider:
    return get_or_404(providers_for(user, capability).select_related("organisation"), pk=pk)


def get_service_for(user: User, pk: int, capability: Capability) -> DirectoryService:
    services = DirectoryService.objects.filter(provider__in=providers_for(user, capability))
    return get_or_404(services.select_related("provider"), pk=pk)


def public_providers() -> QuerySet[Provider]:
    return Provider.objects.filter(public=True)


def get_public_provider(pk: int) -> Provider:
    return get_or_404(public_providers(), pk=pk)
