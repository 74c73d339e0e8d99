"""Whose statistics a reader may see: deny by default."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from haven.accounts.models import User
from haven.accounts.roles import Capability, Scope, scopes_for
from haven.core.training import same_space

M = TypeVar("M", bound=Model)


def in_scope(user: User, rows: QuerySet[M], *capabilities: Capability) -> QuerySet[M]:
    """The rows (with an `organisation`) that `user`'s capabilities reach: their own
    organisation's, or the whole deployment's (on the reader's side of the training line,
    haven.core.training); nothing by default."""
    scopes = frozenset[Scope]().union(*(scopes_for(user, c) for c in capabilities))
    if Scope.DEPLOYMENT in scopes:
        return same_space(user, rows)
    if Scope.ORGANISATION in scopes:
        return rows.filter(organisation_id=user.organisation_id)
    return rows.none()
