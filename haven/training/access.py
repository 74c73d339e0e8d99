"""Who reaches the training space: the training capabilities count only in a training
organisation (`Organisation.is_training`). Anywhere else they answer 404, as if the
training pages did not exist there.

`can(...)` is checked first, so the organisation is only read for users whose role could
train at all: no page of a real organisation pays a query for it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from haven.accounts.models import User
from haven.accounts.roles import Capability, can
from haven.core.access import get_or_404, scoped
from haven.core.training import user_in_training
from haven.training.models import Attempt, CustomScenario, QuizResult

V = TypeVar("V", bound=Callable[..., HttpResponse])


def in_training(user: User, capability: Capability) -> bool:
    """The user holds `capability` and belongs to a training organisation."""
    return can(user, capability) and user_in_training(user)


def training_required(*capabilities: Capability) -> Callable[[V], V]:
    """403 without one of `capabilities`; 404 when the user's organisation is not a
    training organisation (a trainer of a real organisation finds no training there)."""

    def decorate(view: V) -> V:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not isinstance(user, User) or not any(can(user, c) for c in capabilities):
                raise PermissionDenied
            if not user_in_training(user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def attempts_for(user: User, capability: Capability) -> QuerySet[Attempt]:
    """Attempts the user may reach: a trainee their own, a trainer their organisation's."""
    if not in_training(user, capability):
        return Attempt.objects.none()
    return scoped(
        Attempt.objects.all(), user, capability, own=Q(trainee=user), assigned=Q(pk__in=[])
    )


def get_attempt_for(user: User, pk: int, capability: Capability) -> Attempt:
    """The one lookup of an attempt from a URL. Fails closed with 404."""
    return get_or_404(attempts_for(user, capability).select_related("screening"), pk=pk)


def scenarios_for(user: User) -> QuerySet[CustomScenario]:
    if not in_training(user, Capability.TRAINING_RUN):
        return CustomScenario.objects.none()
    return CustomScenario.objects.filter(organisation_id=user.organisation_id)


def get_custom_scenario_for(user: User, pk: int) -> CustomScenario:
    if not in_training(user, Capability.TRAINING_MANAGE):
        raise Http404
    return get_or_404(scenarios_for(user), pk=pk)


def quiz_results_for(user: User, capability: Capability) -> QuerySet[QuizResult]:
    if not in_training(user, capability):
        return QuizResult.objects.none()
    return scoped(
        QuizResult.objects.all(), user, capability, own=Q(trainee=user), assigned=Q(pk__in=[])
    )
