"""Domain actions for sign-in, second factor and lockout. Each writes its audit row."""

from __future__ import annotations

import datetime as dt

import pyotp
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from haven.accounts.models import Organisation, User
from haven.audit.chain import record
from haven.audit.models import Action

TOTP_ISSUER = "Haven"


def register_failed_login(user: User | None) -> None:
    """Count a failed password or code; lock the account at the threshold.

    Unknown usernames are not counted (there is no account to lock) and the caller shows
    the same message either way, so failures do not reveal which usernames exist.
    """
    if user is None:
        return
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        locked = User.objects.select_for_update().get(pk=user.pk)
        record(
            actor=None,
            organisation=locked.organisation,
            action=Action.LOGIN_FAILED,
            object_type="user",
            object_ref=locked.username,
        )
        if locked.failed_logins >= settings.HAVEN_LOCKOUT_THRESHOLD and not locked.is_locked():
            locked.locked_until = timezone.now() + dt.timedelta(
                minutes=settings.HAVEN_LOCKOUT_MINUTES
            )
            locked.failed_logins = 0
            locked.save(update_fields=["locked_until", "failed_logins"])
            record(
                actor=None,
                organisation=locked.organisation,
                action=Action.LOCKED,
                object_type="user",
                object_ref=locked.username,
            )


def totp_for(user: User) -> pyotp.TOTP:
    return pyotp.TOTP(user.totp_secret)


def provisioning_uri(user: User) -> str:
    return totp_for(user).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)


def start_totp_enrolment(user: User) -> None:
    """Give a user without a confirmed authenticator a fresh secret to enrol."""
    if user.totp_confirmed:
        return
    with transaction.atomic():
        user.totp_secret = pyotp.random_base32()
        user.totp_last_step = None
        user.save(update_fields=["totp_secret", "totp_last_step"])


def check_totp(user: User, code: str) -> bool:
    """Accept a current code once. Allows one step of clock drift; refuses replays."""
    code = "".join(code.split())
    if not user.totp_secret or not code.isdigit() or len(code) != 6:
        return False
    totp = totp_for(user)
    now = timezone.now()
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            with transaction.atomic():
                # Compare-and-set on the last step: two requests with one code cannot both win.
                won = User.objects.filter(
                    Q(totp_last_step__lt=step) | Q(totp_last_step__isnull=True), pk=user.pk
                ).update(totp_last_step=step)
            return won == 1
    return False


def complete_login(user: User) -> None:
    """After both factors: clear the failure count, confirm enrolment, audit."""
    with transaction.atomic():
        first_enrolment = not user.totp_confirmed
        user.failed_logins = 0
        user.locked_until = None
        user.totp_confirmed = True
        user.last_login = timezone.now()
        user.save(update_fields=["failed_logins", "locked_until", "totp_confirmed", "last_login"])
        if first_enrolment:
            record(
                actor=user,
                action=Action.TOTP_ENROLLED,
                object_type="user",
                object_ref=user.username,
            )
        record(actor=user, action=Action.LOGIN, object_type="user", object_ref=user.username)


def record_logout(user: User) -> None:
    with transaction.atomic():
        record(actor=user, action=Action.LOGOUT, object_type="user", object_ref=user.username)


def unlock_user(actor: User | None, user: User) -> None:
    with transaction.atomic():
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["failed_logins", "locked_until"])
        record(
            actor=actor,
            organisation=user.organisation,
            action=Action.USER_UNLOCK,
            object_type="user",
            object_ref=user.username,
        )


def create_user(
    *,
    actor: User | None,
    organisation_id: int,
    username: str,
    password: str,
    roles: list[str],
    totp_secret: str = "",
) -> User:
    """Create a staff account. A TOTP secret may be preset (demo data only)."""
    with transaction.atomic():
        user = User(username=username, organisation_id=organisation_id, roles=sorted(roles))
        user.set_password(password)
        if totp_secret:
            user.totp_secret = totp_secret
            user.totp_confirmed = True
        user.save()
        record(
            actor=actor,
            organisation=user.organisation,
            action=Action.USER_CREATE,
            object_type="user",
            object_ref=user.username,
            changed_fields=["roles"],
        )
    return user


def reset_totp(actor: User | None, user: User) -> None:
    with transaction.atomic():
        user.totp_secret = ""
        user.totp_confirmed = False
        user.totp_last_step = None
        user.save(update_fields=["totp_secret", "totp_confirmed", "totp_last_step"])
        record(
            actor=actor,
            organisation=user.organisation,
            action=Action.TOTP_RESET,
            object_type="user",
            object_ref=user.username,
        )


def ensure_organisation(
    *, actor: User | None, name: str, org_type: str, country: str
) -> tuple[Organisation, bool]:
    """Create the organisation unless one with this name exists (then leave it as is)."""
    with transaction.atomic():
        organisation, created = Organisation.objects.get_or_create(
            name=name, defaults={"org_type": org_type, "country": country}
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
