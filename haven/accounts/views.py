"""Haven's sign-in pages around django-allauth's flows, the security page, user admin.

allauth's own views serve the password step (`account_login`), the second step
(`mfa_authenticate`), passkeys, re-authentication and password change, with Haven's
templates and forms. These views add what Haven needs besides: setting up the first
factor during sign-in, recovery codes shown once with a printable sheet, the security
page, and the organisation admin's tools.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.internal.decorators import login_stage_required
from allauth.account.internal.stagekit import clear_login
from allauth.account.models import EmailAddress
from allauth.account.stages import LoginStageController
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base import views as mfa_views
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import clear_totp_secret
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts import actions, lockout
from haven.accounts.adapter import FAILED_SIGN_IN
from haven.accounts.forms import EnrolTOTPForm, LoginForm, WorkEmailForm
from haven.accounts.models import Organisation, User
from haven.accounts.roles import Capability
from haven.accounts.stages import EnrolStage
from haven.core.access import get_or_404
from haven.core.decorators import requires, staff_user
from haven.core.pdf import render_pdf

# Which recovery codes may still be shown, and until when: they are shown once, right
# after they are made, and never again (new ones can be made at any time).
FRESH_CODES = "haven_fresh_codes"
FRESH_CODES_SECONDS = 15 * 60


def failed_sign_in(request: HttpRequest) -> HttpResponse:
    """The sign-in page after a failure. A locked account gets exactly this answer too."""
    clear_login(request)
    form = LoginForm(request=request)
    return render(request, "account/login.html", {"form": form, "error": FAILED_SIGN_IN})


def mark_fresh_codes(request: HttpRequest, authenticator_id: int) -> None:
    request.session[FRESH_CODES] = {
        "id": authenticator_id,
        "until": time.time() + FRESH_CODES_SECONDS,
    }


def _recovery_codes_id(user: object) -> int | None:
    if not isinstance(user, User):
        return None
    found: int | None = (
        Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES)
        .values_list("pk", flat=True)
        .first()
    )
    return found


def shows_new_codes(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap an allauth view that may make recovery codes (new codes, a first factor):
    codes it made may be shown once, in this session, right after."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        before = _recovery_codes_id(request.user)
        response = view(request, *args, **kwargs)
        after = _recovery_codes_id(request.user)
        if after is not None and after != before:
            mark_fresh_codes(request, after)
        return response

    return wrapped


def _fresh_codes(request: HttpRequest, user: User) -> list[str]:
    """The codes made in this session a moment ago, else none: they are not shown again."""
    fresh = request.session.get(FRESH_CODES) or {}
    if not fresh or time.time() > float(fresh.get("until", 0)):
        return []
    authenticator = Authenticator.objects.filter(
        pk=fresh.get("id"), user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES
    ).first()
    return authenticator.wrap().get_unused_codes() if authenticator else []


def _totp_setup(user: User, secret: str) -> dict[str, object]:
    adapter = get_mfa_adapter()
    uri = adapter.build_totp_url(user, secret)
    # segno draws the SVG from the otpauth URI alone; nothing user-supplied reaches markup.
    return {"qr_svg": mark_safe(adapter.build_totp_svg(uri)), "secret": secret}  # noqa: S308


@login_stage_required(stage=EnrolStage.key, redirect_urlname="account_login")
@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest) -> HttpResponse:
    """First sign-in: set up the authenticator app; not signed in until it answers."""
    stage = request._login_stage  # type: ignore[attr-defined]
    user: User = stage.login.user
    if actions.has_second_factor(user):
        return redirect("accounts:enrol_codes")
    form = EnrolTOTPForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        actions.enrol_totp(user, form.secret)
        clear_totp_secret(request)
        mark_fresh_codes(request, _recovery_codes_id(user) or 0)
        return redirect("accounts:enrol_codes")
    return render(request, "accounts/enrol.html", {"form": form, **_totp_setup(user, form.secret)})


@login_stage_required(stage=EnrolStage.key, redirect_urlname="account_login")
@require_http_methods(["GET", "POST"])
def enrol_codes_view(request: HttpRequest) -> HttpResponse:
    """First sign-in, second page: the recovery codes, once; then signed in."""
    stage = request._login_stage  # type: ignore[attr-defined]
    user: User = stage.login.user
    if not actions.has_second_factor(user):
        return redirect("accounts:enrol")
    if request.method == "POST":
        request.session.pop(FRESH_CODES, None)
        signed_in: HttpResponse = stage.exit()
        return signed_in
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": _fresh_codes(request, user), "enrolling": True},
    )


class AuthenticateView(mfa_views.AuthenticateView):
    """allauth's second step; the passkey button only for accounts that have a passkey."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        if not actions.has_passkey(self.stage.login.user):
            context.pop("webauthn_form", None)
            context.pop("js_data", None)
        return context


authenticate_view = AuthenticateView.as_view()


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)  # Django's user_logged_out signal writes the audit row.
    return redirect("account_login")


@require_http_methods(["GET"])
def security_view(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own sign-in methods: app, passkeys, recovery codes, password."""
    user = staff_user(request)
    factors = list(Authenticator.objects.filter(user_id=user.pk).order_by("created_at"))
    recovery = next((a for a in factors if a.type == Authenticator.Type.RECOVERY_CODES), None)
    totp = next((a for a in factors if a.type == Authenticator.Type.TOTP), None)
    passkeys = [a for a in factors if a.type == Authenticator.Type.WEBAUTHN]
    context = {
        "totp": totp,
        "totp_removable": totp is not None and actions.why_not_remove_factor(totp) is None,
        "passkeys": [(key, actions.why_not_remove_factor(key) is None) for key in passkeys],
        "recovery_left": len(recovery.wrap().get_unused_codes()) if recovery else 0,
        "recovery_total": settings.MFA_RECOVERY_CODE_COUNT,
        "has_recovery": recovery is not None,
        "require_passkey": user.organisation.require_passkey,
        "needs_passkey": actions.needs_passkey(user),
        "must_change_password": user.must_change_password,
        "work_email": EmailAddress.objects.filter(user_id=user.pk).first(),
        "email_form": WorkEmailForm(),
    }
    return render(request, "accounts/security.html", context)


@require_POST
def work_email_view(request: HttpRequest) -> HttpResponse:
    """Set the work e-mail a reset link may go to; a link sent there confirms it."""
    user = staff_user(request)
    if not actions.password_reset_by_email():
        raise Http404
    form = WorkEmailForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors["email"]))
        return redirect("mfa_index")
    address = actions.set_work_email(user, form.cleaned_data["email"])
    address.send_confirmation(request)
    messages.success(
        request, _("A link is on its way to that address. Open it to confirm the address.")
    )
    return redirect("mfa_index")


@require_http_methods(["GET", "POST"])
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    """Recovery codes just made (shown this once), or how many are left."""
    user = staff_user(request)
    if request.method == "POST":
        request.session.pop(FRESH_CODES, None)
        return redirect("mfa_index")
    recovery = Authenticator.objects.filter(
        user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES
    ).first()
    return render(
        request,
        "accounts/recovery_codes.html",
        {
            "codes": _fresh_codes(request, user),
            "recovery_left": len(recovery.wrap().get_unused_codes()) if recovery else 0,
            "enrolling": False,
        },
    )


@login_not_required
@never_cache
@require_http_methods(["GET"])
def recovery_sheet_view(request: HttpRequest) -> HttpResponse:
    """The fresh recovery codes as a printable PDF sheet: only while they may be shown."""
    if isinstance(request.user, User):
        user = request.user
    else:
        stage = LoginStageController.enter(request, EnrolStage.key)
        if stage is None:
            return redirect("account_login")
        user = stage.login.user
    codes = _fresh_codes(request, user)
    if not codes:
        raise Http404
    pdf = render_pdf(
        "accounts/recovery_sheet.html",
        {"codes": codes, "account": user, "made": timezone.now()},
        get_language() or settings.LANGUAGE_CODE,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="haven-recovery-codes.pdf"'
    return response


@requires(Capability.USERS_VIEW)
@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    users = list(User.objects.filter(organisation_id=user.organisation_id).order_by("username"))
    locked = lockout.locked_usernames([account.username for account in users])
    return render(
        request,
        "accounts/users.html",
        {
            "users": [(account, account.username in locked) for account in users],
            "organisation": user.organisation,
        },
    )


def _own_staff(request: HttpRequest, pk: int) -> tuple[User, User]:
    actor = staff_user(request)
    target = get_or_404(User.objects.filter(organisation_id=actor.organisation_id), pk=pk)
    return actor, target


@requires(Capability.USERS_VIEW)
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    actor, target = _own_staff(request, pk)
    actions.unlock_user(actor, target)
    messages.success(request, _("The account can sign in again."))
    return redirect("accounts:users")


@requires(Capability.USERS_VIEW)
@require_POST
def user_reset_factors(request: HttpRequest, pk: int) -> HttpResponse:
    actor, target = _own_staff(request, pk)
    actions.reset_totp(actor, target)
    messages.success(request, _("Done. They set up a new authenticator at their next sign-in."))
    return redirect("accounts:users")


@requires(Capability.USERS_VIEW)
@require_POST
def user_temporary_password(request: HttpRequest, pk: int) -> HttpResponse:
    actor, target = _own_staff(request, pk)
    password = actions.set_temporary_password(actor, target)
    return render(
        request, "accounts/temporary_password.html", {"account": target, "password": password}
    )


@requires(Capability.USERS_VIEW)
@require_POST
def passkey_requirement(request: HttpRequest) -> HttpResponse:
    actor = staff_user(request)
    required = request.POST.get("require_passkey") == "on"
    try:
        actions.set_passkey_requirement(actor, actor.organisation, required)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Saved."))
    return redirect("accounts:users")


@requires(Capability.ORGANISATIONS_VIEW)
@require_http_methods(["GET"])
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.annotate(user_count=Count("users")).order_by("name")
    return render(request, "accounts/organisations.html", {"organisations": organisations})
