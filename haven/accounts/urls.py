"""Sign-in URLs under the names django-allauth reverses, and Haven's account pages.

`auth_urlpatterns` carries allauth's un-namespaced names (allauth reverses them), each
mapped either to allauth's view with Haven's template or to Haven's own view; allauth's
sign-up, e-mail management and social pages are not mounted at all.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account import views as account_views
from allauth.mfa.base import views as mfa_views
from allauth.mfa.recovery_codes import views as recovery_views
from allauth.mfa.totp import views as totp_views
from allauth.mfa.webauthn import views as webauthn_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, re_path

from haven.accounts import actions, views

app_name = "accounts"


def reset_by_email(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Password reset by e-mail exists only where HAVEN_PASSWORD_RESET is "email"."""

    @login_not_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not actions.password_reset_by_email():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


auth_urlpatterns = [
    path("login/", account_views.login, name="account_login"),
    path("login/code/", views.authenticate_view, name="mfa_authenticate"),
    path("logout/", views.logout_view, name="account_logout"),
    path("reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"),
    path("reauthenticate/code/", mfa_views.reauthenticate, name="mfa_reauthenticate"),
    path(
        "reauthenticate/key/",
        webauthn_views.reauthenticate_webauthn,
        name="mfa_reauthenticate_webauthn",
    ),
    path("security/", views.security_view, name="mfa_index"),
    path("security/passkeys/", views.security_view, name="mfa_list_webauthn"),
    path(
        "security/passkeys/add/",
        views.shows_new_codes(webauthn_views.add_webauthn),
        name="mfa_add_webauthn",
    ),
    path(
        "security/passkeys/<int:pk>/remove/",
        webauthn_views.remove_webauthn,
        name="mfa_remove_webauthn",
    ),
    path(
        "security/app/add/",
        views.shows_new_codes(totp_views.activate_totp),
        name="mfa_activate_totp",
    ),
    path("security/app/remove/", totp_views.deactivate_totp, name="mfa_deactivate_totp"),
    path("security/recovery-codes/", views.recovery_codes_view, name="mfa_view_recovery_codes"),
    path(
        "security/recovery-codes/new/",
        views.shows_new_codes(recovery_views.generate_recovery_codes),
        name="mfa_generate_recovery_codes",
    ),
    path(
        "security/recovery-codes/sheet/",
        views.recovery_sheet_view,
        name="mfa_download_recovery_codes",
    ),
    path(
        "confirm-email/<str:key>/",
        reset_by_email(account_views.confirm_email),
        name="account_confirm_email",
    ),
    path("password/change/", account_views.password_change, name="account_change_password"),
    path(
        "password/reset/",
        reset_by_email(account_views.password_reset),
        name="account_reset_password",
    ),
    path(
        "password/reset/done/",
        reset_by_email(account_views.password_reset_done),
        name="account_reset_password_done",
    ),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        reset_by_email(account_views.password_reset_from_key),
        name="account_reset_password_from_key",
    ),
    path(
        "password/reset/key/done/",
        reset_by_email(account_views.password_reset_from_key_done),
        name="account_reset_password_from_key_done",
    ),
]

urlpatterns = [
    path("login/", account_views.login, name="login"),
    path("login/enrol/", views.enrol_view, name="enrol"),
    path("login/enrol/codes/", views.enrol_codes_view, name="enrol_codes"),
    path("logout/", views.logout_view, name="logout"),
    path("security/email/", views.work_email_view, name="work_email"),
    path("users/", views.user_list, name="users"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="unlock"),
    path("users/<int:pk>/reset-factors/", views.user_reset_factors, name="reset_factors"),
    path(
        "users/<int:pk>/temporary-password/",
        views.user_temporary_password,
        name="temporary_password",
    ),
    path("users/passkey-requirement/", views.passkey_requirement, name="passkey_requirement"),
    path("organisations/", views.organisation_list, name="organisations"),
]
