"""Django's model backend, loading the session's user with their organisation in the same
query: every page asks which organisation (and whether it is a training space, for the
TRAINING banner), and a second query on every request would be waste."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from haven.accounts.models import User


class OrganisationModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.select_related("organisation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
