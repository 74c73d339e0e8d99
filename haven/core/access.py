"""Scoped access to records: the one mechanism every per-model lookup goes through.

A record is reachable only inside the user's organisation and only through a scope that
one of their roles grants for the capability asked for. Anything else is "not found":
another organisation's record answers 404, so its existence is never confirmed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from haven.accounts.roles import Capability, Scope, scopes_for

if TYPE_CHECKING:
    from haven.accounts.models import User

M = TypeVar("M", bound=Model)


def scoped(
    queryset: QuerySet[M],
    user: User,
    capability: Capability,
    *,
    own: Q,
    assigned: Q,
    organisation_field: str = "organisation",
) -> QuerySet[M]:
    """Narrow `queryset` to what `user` may reach for `capability`; empty if nothing."""
    scopes = scopes_for(user, capability)
    if not scopes:
        return queryset.none()
    in_org = queryset.filter(**{f"{organisation_field}_id": user.organisation_id})
    if Scope.ORGANISATION in scopes:
        return in_org
    condition = Q(pk__in=[])
    if Scope.OWN in scopes:
        condition |= own
    if Scope.ASSIGNED in scopes:
        condition |= assigned
    return in_org.filter(condition)


def get_or_404(queryset: QuerySet[M], **lookup: object) -> M:
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404
    return found
