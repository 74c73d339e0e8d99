"""The one lookup per directory model, for the public and for staff. Fails closed: a
provider the user may not reach answers 404.

Who keeps which entry is decided here and nowhere else: an organisation admin keeps their
own organisation's entry; the directory steward, named for the whole deployment, keeps
every entry, including providers outside Haven (no organisation). Being a system admin of
some organisation reaches no other organisation's entry. The domain actions check the
same rule (`may_keep`), so no caller can skip it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from haven.accounts.roles import Capability, Scope, scopes_for
from haven.core.access import get_or_404, scoped
from haven.directory.models import DirectoryService, Provider

if TYPE_CHECKING:
    from haven.accounts.models import Organisation, User

_NOBODY = Q(pk__in=[])  # the directory has no own/assigned records: organisation scope only


def keeps_whole_directory(user: User) -> bool:
    """The deployment-wide directory steward: keeps every provider and links providers to
    organisations. Most providers do not run Haven, so no organisation's admin could."""
    return Scope.DEPLOYMENT in scopes_for(user, Capability.DIRECTORY_EDIT)


def providers_for(user: User, capability: Capability) -> QuerySet[Provider]:
    """Providers `user` may keep (DIRECTORY_EDIT) or update the free places of. Apart
    from the directory steward, that is their own organisation's entry only."""
    if Scope.DEPLOYMENT in scopes_for(user, capability):
        return Provider.objects.all()
    return scoped(Provider.objects.all(), user, capability, own=_NOBODY, assigned=_NOBODY)


def may_keep(user: User, provider: Provider) -> bool:
    """Whether `user` may edit `provider` and its services."""
    return providers_for(user, Capability.DIRECTORY_EDIT).filter(pk=provider.pk).exists()


def may_list_for(user: User, organisation: Organisation | None) -> bool:
    """Whether `user` may add (or move) a provider linked to `organisation` (None: a
    provider outside Haven). Organisation admins list their own organisation only."""
    if keeps_whole_directory(user):
        return True
    return (
        organisation is not None
        and organisation.pk == user.organisation_id
        and Scope.ORGANISATION in scopes_for(user, Capability.DIRECTORY_EDIT)
    )


def may_update_availability(user: User, service: DirectoryService) -> bool:
    """Whether `user` may record the free places of `service`: its provider's own staff."""
    providers = providers_for(user, Capability.DIRECTORY_AVAILABILITY)
    return providers.filter(pk=service.provider_id).exists()


def get_provider_for(user: User, pk: int, capability: Capability) -> Provider:
    return get_or_404(providers_for(user, capability).select_related("organisation"), pk=pk)


def get_service_for(user: User, pk: int, capability: Capability) -> DirectoryService:
    services = DirectoryService.objects.filter(provider__in=providers_for(user, capability))
    return get_or_404(services.select_related("provider"), pk=pk)


def public_providers() -> QuerySet[Provider]:
    """What the public sees: entries marked public, never a training organisation's."""
    return Provider.objects.filter(public=True).exclude(organisation__is_training=True)


def get_public_provider(pk: int) -> Provider:
    return get_or_404(public_providers(), pk=pk)
