"""Haven's versions of allauth's forms: Haven's labels (in six languages) and rules.

The second-factor forms add what allauth leaves to the project: a locked account is
refused before any code is checked, a wrong code counts towards the lockout exactly as
a wrong password does, and where the organisation requires passkeys the authenticator
app no longer opens the account (a recovery code still does, for a lost key).
"""

from __future__ import annotations

from typing import Any

from allauth.account import forms as account_forms
from allauth.core import context
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes import forms as recovery_forms
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.webauthn import forms as webauthn_forms
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from haven.accounts import actions, lockout
from haven.accounts.adapter import CODE_REFUSED, FAILED_SIGN_IN
from haven.accounts.models import User

CODE_LABEL = _("Six-digit code from your authenticator app")
NEW_PASSWORD = _("New password")
NEW_PASSWORD_AGAIN = _("New password again")


def _relabel(form: forms.Form, labels: dict[str, Any]) -> None:
    for name, label in labels.items():
        if name in form.fields:
            form.fields[name].label = label


class LoginForm(account_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"login": _("Username"), "password": _("Password")})
        self.fields["login"].max_length = 150
        self.fields["login"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "maxlength": 150}
        )
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""


def _refuse_if_locked(user: User) -> None:
    """A locked account is refused before any code is looked at; axes answers the page."""
    request = context.request
    if lockout.is_locked(request, user):
        request.axes_locked_out = True
        raise ValidationError(FAILED_SIGN_IN)


KEY_REFUSED = _("The key did not answer in time, or was refused. Try again.")


def _refused(user: User, message: Any = CODE_REFUSED) -> ValidationError:
    """Count the failure towards the lockout, and say what went wrong."""
    lockout.count_failure(context.request, user)
    return ValidationError(message)


class AuthenticateForm(mfa_forms.AuthenticateForm):
    """The code step at sign-in: an authenticator code or a recovery code, each once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("Code from your authenticator app, or a recovery code")
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "autocapitalize": "none", "maxlength": 20}
        )
        self.fields["code"].widget.attrs.pop("placeholder", None)
        self.fields["code"].max_length = 20

    def clean_code(self) -> str:
        _refuse_if_locked(self.user)
        code = "".join(self.cleaned_data["code"].split())
        for authenticator in actions.code_factors(self.user):
            if authenticator.wrap().validate_code(code):
                authenticator.user = self.user
                self.authenticator = authenticator
                return code
        raise _refused(self.user)


class AuthenticateWebAuthnForm(webauthn_forms.AuthenticateWebAuthnForm):
    """The passkey step at sign-in: refused while locked; a failure counts like a code."""

    def clean_credential(self) -> Authenticator:
        _refuse_if_locked(self.user)
        try:
            return super().clean_credential()
        except ValidationError:
            raise _refused(self.user, KEY_REFUSED) from None


class MFAReauthenticateForm(mfa_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = CODE_LABEL
        self.fields["code"].widget.attrs.pop("placeholder", None)


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = CODE_LABEL
        self.fields["code"].max_length = 12
        self.fields["code"].widget.attrs.update(
            {"inputmode": "numeric", "pattern": "[0-9 ]*", "maxlength": 12}
        )
        self.fields["code"].widget.attrs.pop("placeholder", None)

    def clean_code(self) -> str:
        self.cleaned_data["code"] = "".join(self.cleaned_data["code"].split())
        return str(super().clean_code())


class EnrolTOTPForm(ActivateTOTPForm):
    """Setting up the authenticator during sign-in: wrong codes count towards lockout."""

    def clean_code(self) -> str:
        _refuse_if_locked(self.user)
        try:
            return super().clean_code()
        except ValidationError:
            raise _refused(self.user) from None


class AddWebAuthnForm(webauthn_forms.AddWebAuthnForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name for this passkey or key")
        self.fields["name"].max_length = 60

    def clean(self) -> dict[str, Any]:
        try:
            cleaned: dict[str, Any] = super().clean()
        except ValidationError:
            raise ValidationError(KEY_REFUSED) from None
        return cleaned


class GenerateRecoveryCodesForm(recovery_forms.GenerateRecoveryCodesForm):
    pass


class ReauthenticateForm(account_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"password": _("Password")})
        self.fields["password"].help_text = ""
        self.fields["password"].widget.attrs.pop("placeholder", None)


class ChangePasswordForm(account_forms.ChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(
            self,
            {
                "oldpassword": _("Current password"),
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD_AGAIN,
            },
        )
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)


class WorkEmailForm(forms.Form):
    email = forms.EmailField(label=_("Work e-mail address"), max_length=254)


class ResetPasswordForm(account_forms.ResetPasswordForm):
    """Reset by e-mail: only a verified work e-mail address can receive the link."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"email": _("Work e-mail address")})
        self.fields["email"].widget.attrs.pop("placeholder", None)

    def clean_email(self) -> str:
        email = str(super().clean_email())
        users: list[User] = getattr(self, "users", [])
        self.users = [user for user in users if actions.has_verified_email(user, email)]
        return email


class ResetPasswordKeyForm(account_forms.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD_AGAIN})
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
