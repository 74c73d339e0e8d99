"""The login stage that makes every account set up a second factor before it signs in."""

from __future__ import annotations

from typing import Any

from allauth.account.stages import LoginStage
from allauth.core.internal.httpkit import headed_redirect_response

from haven.accounts import actions


class EnrolStage(LoginStage):
    """After the password (and any second factor): none yet means set one up now.

    The person is not signed in until the authenticator answers and the recovery codes
    have been shown (haven.accounts.views.enrol_view, enrol_codes_view).
    """

    key = "haven_enrol"
    urlname = "accounts:enrol"

    def handle(self) -> tuple[Any, bool]:
        user = self.login.user
        if user is None or actions.has_second_factor(user):
            return None, True
        return headed_redirect_response(self.urlname), True
