from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from haven.accounts.roles import Capability
from haven.core.access import get_or_404, scoped
from haven.people.models import Person

if TYPE_CHECKING:
    from haven.accounts.models import User


def people_for(user: User, capability: Capability) -> QuerySet[Person]:
    # Cases depend on people; importing here keeps the people app loadable on its own.
    from haven.cases.models import Case  # noqa: PLC0415

    assigned = Exists(Case.objects.filter(person=OuterRef("pk"), assigned_to=user))
    return scoped(
        Person.objects.all(), user, capability, own=Q(created_by=user), assigned=Q(assigned)
    )


def get_person_for(user: User, reference: str, capability: Capability) -> Person:
    """The one lookup of a person from a URL. Fails closed with 404."""
    return get_or_404(people_for(user, capability), reference=reference)
