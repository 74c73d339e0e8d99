"""Sign-in in two steps (password, then TOTP code), enrolment, sign-out."""

from __future__ import annotations

import time
from collections.abc import Callable

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts import actions
from haven.accounts.forms import CodeStepForm, PasswordStepForm
from haven.accounts.models import Organisation, User
from haven.accounts.roles import Capability
from haven.core.access import get_or_404
from haven.core.decorators import requires, staff_user

PENDING_USER = "haven_pending_user"
PENDING_SINCE = "haven_pending_since"
PENDING_NEXT = "haven_pending_next"


def _failed_message() -> str:
    return _(
        "Sign-in failed. Check your username and password. After repeated failures "
        "the account is locked for a while."
    )


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


def _pending_user(request: HttpRequest) -> User | None:
    user_id = request.session.get(PENDING_USER)
    since = request.session.get(PENDING_SINCE, 0)
    if user_id is None or time.time() - float(since) > settings.HAVEN_PENDING_LOGIN_SECONDS:
        return None
    user = User.objects.select_related("organisation").filter(pk=user_id, is_active=True).first()
    if user is None or user.is_locked():
        return None
    return user


def _clear_pending(request: HttpRequest) -> None:
    for key in (PENDING_USER, PENDING_SINCE, PENDING_NEXT):
        request.session.pop(key, None)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    form = PasswordStepForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        account = User.objects.filter(username=username).first()
        # Always run the password hasher, so a locked account answers no faster.
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if account is not None and account.is_locked():
            user = None
        if isinstance(user, User):
            request.session.cycle_key()
            request.session[PENDING_USER] = user.pk
            request.session[PENDING_SINCE] = time.time()
            request.session[PENDING_NEXT] = _safe_next(request, request.GET.get("next"))
            if not user.totp_confirmed:
                actions.start_totp_enrolment(user)
                return redirect("accounts:enrol")
            return redirect("accounts:verify")
        actions.register_failed_login(account)
        error = _failed_message()
    return render(request, "accounts/login.html", {"form": form, "error": error}, status=200)


def _finish(request: HttpRequest, user: User) -> HttpResponse:
    next_url = request.session.get(PENDING_NEXT) or "/"
    _clear_pending(request)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    actions.complete_login(user)
    request.session["haven_last_seen"] = time.time()
    return redirect(next_url)


def _no_extra(user: User) -> dict[str, object]:
    return {}


def _code_step(
    request: HttpRequest,
    template: str,
    extra: Callable[[User], dict[str, object]] = _no_extra,
) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        _clear_pending(request)
        return redirect("accounts:login")
    form = CodeStepForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if actions.check_totp(user, form.cleaned_data["code"]):
            return _finish(request, user)
        actions.register_failed_login(user)
        user.refresh_from_db(fields=["locked_until"])
        if user.is_locked():
            _clear_pending(request)
            return redirect("accounts:login")
        error = _("That code was not accepted. Wait for a new code and try again.")
    context: dict[str, object] = {"form": form, "error": error, **extra(user)}
    return render(request, template, context)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    return _code_step(request, "accounts/verify.html")


def _enrolment_qr(user: User) -> dict[str, object]:
    uri = actions.provisioning_uri(user)
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    # segno renders the SVG from the URI only; nothing user-supplied reaches markup.
    return {"qr_svg": mark_safe(svg), "secret": user.totp_secret}  # noqa: S308


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest) -> HttpResponse:
    pending = _pending_user(request)
    if pending is not None and pending.totp_confirmed:
        return redirect("accounts:verify")
    return _code_step(request, "accounts/enrol.html", _enrolment_qr)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if isinstance(request.user, User):
        actions.record_logout(request.user)
    logout(request)
    return redirect("accounts:login")


@requires(Capability.USERS_VIEW)
@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    users = User.objects.filter(organisation_id=user.organisation_id).order_by("username")
    return render(request, "accounts/users.html", {"users": users, "now": timezone.now()})


@requires(Capability.USERS_VIEW)
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    actor = staff_user(request)
    target = get_or_404(User.objects.filter(organisation_id=actor.organisation_id), pk=pk)
    actions.unlock_user(actor, target)
    messages.success(request, _("The account can sign in again."))
    return redirect("accounts:users")


@requires(Capability.ORGANISATIONS_VIEW)
@require_http_methods(["GET"])
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.annotate(user_count=Count("users")).order_by("name")
    return render(request, "accounts/organisations.html", {"organisations": organisations})
