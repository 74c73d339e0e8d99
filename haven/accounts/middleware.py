from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from haven.accounts.actions import record_logout
from haven.accounts.models import User
from haven.core.htmx import is_htmx

LAST_SEEN = "haven_last_seen"


class LoginRequiredMiddleware(_DjangoLoginRequired):
    """Deny by default: every view needs a signed-in user unless marked otherwise.

    htmx requests get an HX-Redirect so the whole page goes to sign-in, not a fragment.
    """

    def handle_no_permission(
        self, request: HttpRequest, view_func: Callable[..., HttpResponseBase]
    ) -> HttpResponseRedirect:
        response = super().handle_no_permission(request, view_func)
        if is_htmx(request):
            response["HX-Redirect"] = response["Location"]
        return response


class IdleTimeoutMiddleware:
    """Sign out a session idle for longer than HAVEN_IDLE_TIMEOUT seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - float(last_seen) > settings.HAVEN_IDLE_TIMEOUT:
                if isinstance(request.user, User):
                    record_logout(request.user)
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity."))
                response = redirect(settings.LOGIN_URL)
                if is_htmx(request):
                    response["HX-Redirect"] = response["Location"]
                return response
            request.session[LAST_SEEN] = now
        return self.get_response(request)
