"""The training space: an organisation flagged `is_training` holds practice records.

They never mix with real ones and never leave: no referral to or from a real
organisation or a provider outside Haven, no cross-border file, no HTCDS export, no data
release, no API token, and no place in another organisation's figures. Each domain action
that could let a record out asks `refuse_leaving` or `refuse_crossing` first; this module
is the one place that says what the rule is and how the refusal reads.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from haven.core.errors import RefusedError

if TYPE_CHECKING:
    from haven.accounts.models import Organisation, User

M = TypeVar("M", bound=Model)

# Whether the request being served is a training organisation's user's: set by
# TrainingSpaceMiddleware, read where no user is at hand (haven.core.pdf stamps PDFs).
serving_training: ContextVar[bool] = ContextVar("serving_training", default=False)


def in_training(organisation: Organisation | None) -> bool:
    return bool(organisation is not None and organisation.is_training)


def user_in_training(user: object) -> bool:
    """For pages: whether the signed-in user works in a training organisation. The
    session's user comes with their organisation (haven.accounts.backends): no query."""
    organisation = getattr(user, "organisation", None) if getattr(user, "pk", None) else None
    return in_training(organisation)


def refuse_leaving(organisation: Organisation | None) -> None:
    """Refuse anything that would take a training organisation's records out of Haven."""
    if in_training(organisation):
        raise RefusedError(
            _(
                "This is a training organisation: its records are practice and never leave "
                "the training space."
            )
        )


def refuse_crossing(source: Organisation | None, target: Organisation | None) -> None:
    """Refuse a move between the training space and real work, either way. A target of
    None is a provider or service outside Haven, which is always real."""
    if in_training(source) != in_training(target):
        if in_training(source):
            refuse_leaving(source)
        raise RefusedError(
            _("This organisation is a training space: real records are never sent to it.")
        )


def same_space(user: User, rows: QuerySet[M], field: str = "organisation") -> QuerySet[M]:
    """Rows of organisations on the user's side of the line: a real reader's figures never
    count practice records, and a trainer's never count real ones."""
    return rows.filter(**{f"{field}__is_training": in_training(user.organisation)})


class TrainingSpaceMiddleware:
    """Marks the request as the training space's when its user works in one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = serving_training.set(user_in_training(getattr(request, "user", None)))
        try:
            return self.get_response(request)
        finally:
            serving_training.reset(token)
