"""The API tokens page: a user's own tokens, and for an organisation admin the
organisation's, with the read-only statistics service tokens. The rules live in
haven.api.tokens; a new token's secret is shown once, in the answer to the POST that made
it, never in a URL."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts.roles import Capability, can
from haven.api import tokens
from haven.api.forms import PersonalTokenForm, ServiceTokenForm
from haven.core.access import get_or_404
from haven.core.decorators import staff_user
from haven.core.errors import RefusedError


def _may_use(request: HttpRequest) -> tuple[list[str], bool]:
    """The scopes the user may put on a token, and whether they manage the organisation's
    tokens; neither means the page is not for them (403)."""
    user = staff_user(request)
    grantable = tokens.grantable_scopes(user)
    manages = can(user, Capability.API_TOKENS_MANAGE)
    if not grantable and not manages:
        raise PermissionDenied
    return grantable, manages


@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    grantable, manages = _may_use(request)
    personal = PersonalTokenForm(
        request.POST if "personal" in request.POST else None, grantable=grantable
    )
    service = ServiceTokenForm(request.POST if "service" in request.POST else None)
    made: dict[str, Any] | None = None
    status = 200
    if request.method == "POST":
        if _sent_before(request):
            messages.info(request, _("That form was sent already: its token is in the list."))
            return redirect("api:tokens")
        made, status = _make(request, personal, service, manages)
        if made:
            _mark_sent(request)
    return render(
        request,
        "api/tokens.html",
        {
            "personal_form": personal if grantable else None,
            "service_form": service if manages else None,
            "made": made,
            "tokens": tokens.tokens_for(user).select_related("user", "created_by"),
            "manages": manages,
            "now": timezone.now(),
            "once": secrets.token_urlsafe(16),
        },
        status=status,
    )


# The secret is shown in the answer to the POST and never stored, so reloading that page
# would send the form again: each form carries a one-time value, and a form sent again
# (reloaded, or a double tap on a slow connection) makes nothing.
SENT = "api_token_forms_sent"


def _sent_before(request: HttpRequest) -> bool:
    return request.POST.get("once", "") in request.session.get(SENT, [])


def _mark_sent(request: HttpRequest) -> None:
    once = request.POST.get("once", "")
    if once:
        request.session[SENT] = [*request.session.get(SENT, []), once][-20:]


def _make(
    request: HttpRequest, personal: PersonalTokenForm, service: ServiceTokenForm, manages: bool
) -> tuple[dict[str, Any] | None, int]:
    user = staff_user(request)
    form: PersonalTokenForm | ServiceTokenForm = personal if personal.is_bound else service
    if not form.is_bound or (form is service and not manages):
        raise PermissionDenied
    if not form.is_valid():
        return None, 400
    data = form.cleaned_data
    try:
        if form is personal:
            token, secret = tokens.create_personal(
                user, name=data["name"], scopes=data["scopes"], days=data["days"]
            )
        else:
            token, secret = tokens.create_service(
                user, name=data["service_name"], days=data["service_days"]
            )
    except RefusedError as error:
        form.add_error(None, error.message)
        return None, 400
    return {"token": token, "secret": secret}, 201


@require_POST
def token_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    user = staff_user(request)
    _may_use(request)
    token = get_or_404(tokens.tokens_for(user), prefix=prefix)
    try:
        tokens.revoke(user, token)
    except RefusedError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The token was revoked: it no longer works."))
    return redirect("api:tokens")
