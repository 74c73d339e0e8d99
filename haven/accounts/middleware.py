from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.core.htmx import is_htmx

LAST_SEEN = "haven_last_seen"
NEEDS_PASSKEY = "haven_needs_passkey"


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
                logout(request)  # Django's user_logged_out signal writes the audit row.
                messages.info(request, _("You were signed out after a period of inactivity."))
                response = redirect(settings.LOGIN_URL)
                if is_htmx(request):
                    response["HX-Redirect"] = response["Location"]
                return response
            request.session[LAST_SEEN] = now
        return self.get_response(request)


# What a signed-in account may still open while it owes a security step.
_PASSWORD_STEP = ("account_change_password", "account_logout", "accounts:logout")
_PASSKEY_STEP = (
    "mfa_index",
    "mfa_list_webauthn",
    "mfa_add_webauthn",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
    "account_reauthenticate",
    "mfa_reauthenticate",
    "mfa_reauthenticate_webauthn",
    "account_logout",
    "accounts:logout",
    "set_language",
)


class SecurityStepMiddleware:
    """Hold a signed-in account at a security step it owes before anything else opens.

    A temporary password (given by an organisation admin) must be changed first; where
    the organisation requires a passkey, an account without one must add it first. The
    rules are the domain's (User.must_change_password, actions.needs_passkey, asked at
    sign-in and when a passkey is added: see haven.accounts.signals); this only keeps
    every other page shut until they are met, without a query on each request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User) and not request.path.startswith(settings.STATIC_URL):
            match = request.resolver_match or _resolve(request.path_info)
            name = match.view_name if match else ""
            if user.must_change_password:
                if name not in _PASSWORD_STEP:
                    messages.info(request, _("Choose a new password before you go on."))
                    return _to(request, "account_change_password")
            elif request.session.get(NEEDS_PASSKEY) and name not in _PASSKEY_STEP:
                messages.info(
                    request,
                    _("Your organisation asks every member to add a passkey or security key."),
                )
                return _to(request, "mfa_index")
        return self.get_response(request)


def _resolve(path: str) -> ResolverMatch | None:
    try:
        return resolve(path)
    except Resolver404:
        return None


def _to(request: HttpRequest, name: str) -> HttpResponse:
    response = redirect(name)
    if is_htmx(request):
        response["HX-Redirect"] = response["Location"]
    return response
