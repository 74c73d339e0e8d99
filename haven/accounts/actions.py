"""Domain actions for staff accounts and their second factors. Each writes its audit row.

Sign-in itself runs on django-allauth (haven.accounts.adapter, forms, stages) and the
lockout on django-axes (haven.accounts.lockout); what Haven decides lives here: which
factors may open an account, which may be removed, who may reset whom, and the audit.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from haven.accounts import lockout
from haven.accounts.models import Organisation, User
from haven.accounts.roles import Capability, Role, can
from haven.audit.chain import record
from haven.audit.models import Action
from haven.core.errors import RefusedError

# Factors that answer the second step by themselves (recovery codes are a fallback).
PRIMARY_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(user: User) -> bool:
    return bool(Authenticator.objects.filter(user_id=user.pk, type__in=PRIMARY_FACTORS).exists())


def has_passkey(user: User) -> bool:
    return bool(
        Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.WEBAUTHN).exists()
    )


def needs_passkey(user: User) -> bool:
    """The organisation requires a passkey and this account has none yet."""
    return bool(user.organisation.require_passkey) and not has_passkey(user)


def code_factors(user: User) -> list[Authenticator]:
    """What may open the account with a typed code: the authenticator app, then recovery codes.

    Where the organisation requires passkeys and the account has one, the app no longer
    opens it; a recovery code still does (a lost key must not lock someone out for good).
    """
    factors = Authenticator.objects.filter(
        user_id=user.pk,
        type__in=(Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES),
    ).order_by("-type")  # "totp" before "recovery_codes"
    if user.organisation.require_passkey and has_passkey(user):
        factors = factors.exclude(type=Authenticator.Type.TOTP)
    return list(factors)


def why_not_remove_factor(authenticator: Authenticator) -> str | None:
    """Refuse removing the last second factor, or the last passkey where one is required."""
    others = Authenticator.objects.filter(
        user_id=authenticator.user_id, type__in=PRIMARY_FACTORS
    ).exclude(pk=authenticator.pk)
    if authenticator.type in PRIMARY_FACTORS and not others.exists():
        return _("This is your last way to confirm it is you. Add another one before removing it.")
    user = User.objects.select_related("organisation").get(pk=authenticator.user_id)
    if (
        authenticator.type == Authenticator.Type.WEBAUTHN
        and user.organisation.require_passkey
        and not others.filter(type=Authenticator.Type.WEBAUTHN).exists()
    ):
        return _(
            "Your organisation requires a passkey or security key. Add another one "
            "before removing this one."
        )
    return None


def enrol_totp(user: User, secret: str) -> list[str]:
    """Set up the authenticator app checked at sign-in; return the new recovery codes."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        if has_second_factor(user):
            raise PermissionDenied("A second factor is set up already.")
        TOTP.activate(user, secret)
        Authenticator.objects.filter(
            user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES
        ).delete()
        codes: list[str] = RecoveryCodes.activate(user).get_unused_codes()
        _audit(Action.TOTP_ENROLLED, user, actor=user)
        _audit(Action.RECOVERY_CODES_MADE, user, actor=user)
    return codes


def _audit(
    action: Action, user: User, *, actor: User | None, changed_fields: tuple[str, ...] = ()
) -> None:
    """One audit row about a staff account (its name is the reference, never a secret)."""
    with transaction.atomic():
        record(
            actor=actor,
            organisation=user.organisation,
            action=action,
            object_type="user",
            object_ref=user.username,
            changed_fields=changed_fields,
        )


def record_factor_change(user: User, authenticator: Authenticator, *, added: bool) -> None:
    """Audit a factor added, removed or renewed on the security page (allauth's signals)."""
    actions = {
        (Authenticator.Type.TOTP, True): Action.TOTP_ENROLLED,
        (Authenticator.Type.TOTP, False): Action.TOTP_REMOVED,
        (Authenticator.Type.WEBAUTHN, True): Action.PASSKEY_ADDED,
        (Authenticator.Type.WEBAUTHN, False): Action.PASSKEY_REMOVED,
        (Authenticator.Type.RECOVERY_CODES, True): Action.RECOVERY_CODES_MADE,
    }
    action = actions.get((Authenticator.Type(authenticator.type), added))
    if action is not None:
        _audit(action, user, actor=user)


def record_login(user: User) -> None:
    _audit(Action.LOGIN, user, actor=user)


def record_recovery_code_used(user: User) -> None:
    _audit(Action.RECOVERY_CODE_USED, user, actor=user)


def record_logout(user: User) -> None:
    _audit(Action.LOGOUT, user, actor=user)


def record_refusal(username: str, action: Action) -> None:
    """Audit a failed sign-in or a lockout of an existing account; unknown names are not kept."""
    account = User.objects.select_related("organisation").filter(username=username).first()
    if account is not None:
        _audit(action, account, actor=None)


def password_changed(user: User) -> None:
    """The account's own password change: it no longer has to be changed at sign-in."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        user.must_change_password = False
        _audit(Action.PASSWORD_CHANGED, user, actor=user)


def _check_admin(actor: User | None, user: User) -> None:
    """An organisation admin acts on their own organisation's staff; None is the CLI."""
    if actor is None:
        return
    if actor.organisation_id != user.organisation_id or not can(actor, Capability.USERS_VIEW):
        raise PermissionDenied


def unlock_user(actor: User | None, user: User) -> None:
    _check_admin(actor, user)
    with transaction.atomic():
        lockout.clear(user.username)
        _audit(Action.USER_UNLOCK, user, actor=actor)


def set_temporary_password(actor: User | None, user: User) -> str:
    """Give a staff member a one-time password, to be changed at their next sign-in.

    It replaces the password only: the second factor is still asked, so a reset never
    opens the account by itself. Returned once, for the admin to pass on in person.
    """
    _check_admin(actor, user)
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        _audit(Action.PASSWORD_RESET, user, actor=actor)
    return password


def authenticator_secret(user: User) -> str:
    """The account's TOTP secret, decrypted: for the demo's printed logins and for tests."""
    authenticator = Authenticator.objects.filter(
        user_id=user.pk, type=Authenticator.Type.TOTP
    ).first()
    return decrypt(authenticator.data["secret"]) if authenticator else ""


def create_user(
    *,
    actor: User | None,
    organisation_id: int,
    username: str,
    password: str,
    roles: list[str],
    totp_secret: str = "",
    translation_languages: Sequence[str] = (),
) -> User:
    """Create a staff account. A TOTP secret may be preset (demo data only)."""
    languages = checked_translation_languages(roles, translation_languages)
    with transaction.atomic():
        user = User(
            username=username,
            organisation_id=organisation_id,
            roles=sorted(roles),
            translation_languages=languages,
        )
        user.set_password(password)
        user.save()
        if totp_secret:
            TOTP.activate(user, totp_secret)
        _audit(Action.USER_CREATE, user, actor=actor, changed_fields=("roles",))
    return user


def checked_translation_languages(roles: Sequence[str], languages: Sequence[str]) -> list[str]:
    """The languages a translator works in: at least one, each a language Haven offers
    other than English (the source). Other roles translate nothing."""
    offered = {code for code, _name in settings.LANGUAGES} - {settings.LANGUAGE_CODE}
    unknown = sorted(set(languages) - offered)
    if unknown:
        raise RefusedError(
            _("Not a language Haven translates into: %(codes)s") % {"codes": ", ".join(unknown)}
        )
    if Role.TRANSLATOR in roles and not languages:
        raise RefusedError(_("A translator needs at least one language."))
    if Role.TRANSLATOR not in roles and languages:
        raise RefusedError(_("Only a translator has languages to translate into."))
    return sorted(set(languages))


def set_translation_languages(actor: User | None, user: User, languages: Sequence[str]) -> None:
    """Change the languages a translator reviews."""
    _check_admin(actor, user)
    checked = checked_translation_languages(user.roles, languages)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(translation_languages=checked)
        user.translation_languages = checked
        _audit(Action.USER_LANGUAGES, user, actor=actor, changed_fields=("translation_languages",))


def reset_totp(actor: User | None, user: User) -> None:
    """Remove every second factor (app, passkeys, recovery codes): set up anew at sign-in."""
    _check_admin(actor, user)
    with transaction.atomic():
        Authenticator.objects.filter(user_id=user.pk).delete()
        _audit(Action.TOTP_RESET, user, actor=actor)


def set_passkey_requirement(actor: User, organisation: Organisation, required: bool) -> None:
    """Require (or stop requiring) a passkey or security key for this organisation's staff."""
    if actor.organisation_id != organisation.pk or not can(actor, Capability.USERS_VIEW):
        raise PermissionDenied
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if locked.require_passkey == required:
            return
        locked.require_passkey = required
        locked.save(update_fields=["require_passkey"])
        organisation.require_passkey = required
        record(
            actor=actor,
            organisation=organisation,
            action=Action.PASSKEY_REQUIREMENT,
            object_type="organisation",
            object_ref=str(organisation.pk),
            changed_fields=["require_passkey"],
        )


def password_reset_by_email() -> bool:
    """Whether this deployment sends reset links to verified work e-mail (HAVEN_PASSWORD_RESET)."""
    return settings.HAVEN_PASSWORD_RESET == "email"  # noqa: S105 - a mode name, not a password


def set_work_email(user: User, email: str) -> EmailAddress:
    """The one work e-mail a reset link may go to; unverified until its link is opened."""
    with transaction.atomic():
        EmailAddress.objects.filter(user_id=user.pk).delete()
        address = EmailAddress.objects.create(
            user=user, email=email.strip().lower(), verified=False, primary=True
        )
        User.objects.filter(pk=user.pk).update(email=address.email)
        _audit(Action.WORK_EMAIL_SET, user, actor=user, changed_fields=("email",))
    return address


def has_verified_email(user: User, email: str) -> bool:
    return bool(
        EmailAddress.objects.filter(user_id=user.pk, email__iexact=email, verified=True).exists()
    )


def ensure_organisation(
    *, actor: User | None, name: str, org_type: str, country: str, training: bool = False
) -> tuple[Organisation, bool]:
    """Create the organisation unless one with this name exists (then leave it as is).

    Whether it is a training space is fixed when it is created: no action changes it,
    because turning a real organisation into a training one (or back) would carry its
    records across the line that haven.core.training keeps."""
    with transaction.atomic():
        organisation, created = Organisation.objects.get_or_create(
            name=name, defaults={"org_type": org_type, "country": country, "is_training": training}
        )
        if created:
            record(
                actor=actor,
                organisation=organisation,
                action=Action.ORGANISATION_CREATE,
                object_type="organisation",
                object_ref=str(organisation.pk),
            )
    return organisation, created
