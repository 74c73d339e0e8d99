"""Making, revoking and checking API tokens: the rules live here, not in the pages.

A token is `hvn_<prefix>_<secret>`. Only the SHA-256 digest of the secret is kept (the
secret is random and long, so no salt or slow hash is needed), and the whole token is
shown once, when it is made.

- A personal token acts as its holder, with the holder's roles at the time of each call:
  its scopes only narrow them. It can be given only scopes the holder's roles grant.
  A holder makes and revokes their own; an organisation admin sees and revokes every
  token of the organisation but cannot make one for someone else (that would let the
  admin act as them).
- A service token belongs to the organisation, not to a person, and reads only the
  organisation's aggregate statistics, under the same disclosure control as the pages.
  An organisation admin makes it.
- Every token expires; making and revoking are audited. A deactivated holder's tokens
  stop working at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.accounts.roles import Capability, Role, can
from haven.api.models import SCOPE_NEEDS, ApiScope, ApiToken, TokenKind
from haven.audit.chain import record
from haven.audit.models import Action
from haven.core.errors import RefusedError
from haven.core.training import in_training, refuse_leaving

PERSONAL_MAX_DAYS = 90
SERVICE_MAX_DAYS = 365
MAX_ACTIVE_PER_USER = 10
TOKEN_START = "hvn_"  # noqa: S105 - what every token starts with, not a secret
# How often a token's "last used" time is written: not on every call.
_LAST_USED_EVERY = dt.timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def grantable_scopes(user: User) -> list[str]:
    """The scopes `user`'s roles allow on a personal token."""
    return [scope for scope, needs in SCOPE_NEEDS.items() if any(can(user, need) for need in needs)]


def scope_works(token: ApiToken, scope: str) -> bool:
    """The token carries `scope` and its holder's roles still grant what it needs."""
    if scope not in token.scopes:
        return False
    if token.kind == TokenKind.SERVICE:
        return scope == ApiScope.STATISTICS_READ
    assert token.user is not None  # noqa: S101 - a personal token always has a holder
    return any(can(token.user, need) for need in SCOPE_NEEDS[scope])


def _refuse_days(days: int, most: int) -> None:
    if not 1 <= days <= most:
        raise RefusedError(
            _("A token lasts from 1 to %(most)s days.") % {"most": most},
        )


def create_personal(
    actor: User, *, name: str, scopes: Iterable[str], days: int
) -> tuple[ApiToken, str]:
    """A token for `actor` themself; returns it and the whole secret, shown once."""
    wanted = sorted(set(scopes))
    if not wanted:
        raise RefusedError(_("Choose at least one thing the token may do."))
    allowed = set(grantable_scopes(actor))
    if any(scope not in allowed for scope in wanted):
        raise RefusedError(_("Your roles do not allow a token to do that."))
    _refuse_days(days, PERSONAL_MAX_DAYS)
    with transaction.atomic():
        # The holder's row is locked so that two tokens made at once still count each other.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        active = tokens_held(actor).filter(revoked_at=None, expires_at__gt=timezone.now())
        if active.count() >= MAX_ACTIVE_PER_USER:
            raise RefusedError(
                _("You already hold %(most)s active tokens: revoke one first.")
                % {"most": MAX_ACTIVE_PER_USER}
            )
        return _create(actor, actor, kind=TokenKind.PERSONAL, name=name, scopes=wanted, days=days)


def create_service(actor: User, *, name: str, days: int) -> tuple[ApiToken, str]:
    """A read-only statistics token of `actor`'s organisation (organisation admins)."""
    if not can(actor, Capability.API_TOKENS_MANAGE):
        raise PermissionDenied
    _refuse_days(days, SERVICE_MAX_DAYS)
    return _create(
        actor, None, kind=TokenKind.SERVICE, name=name, scopes=[ApiScope.STATISTICS_READ], days=days
    )


def _create(
    actor: User,
    holder: User | None,
    *,
    kind: str,
    name: str,
    scopes: list[str],
    days: int,
) -> tuple[ApiToken, str]:
    refuse_leaving(actor.organisation)
    label = " ".join(name.split())
    if not label:
        raise RefusedError(_("Give the token a name that says what it is for."))
    if len(label) > 80:
        raise RefusedError(_("A token's name has at most 80 characters."))
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            organisation_id=actor.organisation_id,
            user=holder,
            kind=kind,
            name=label,
            prefix=secrets.token_hex(5),
            digest=_digest(secret),
            scopes=scopes,
            created_by=actor,
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        record(
            actor=actor,
            action=Action.API_TOKEN_CREATE,
            object_type="api_token",
            object_ref=token.prefix,
            changed_fields=["kind", "scopes", "expires_at"],
        )
    return token, f"{TOKEN_START}{token.prefix}_{secret}"


def tokens_held(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, organisation_id=user.organisation_id)


def tokens_for(user: User) -> QuerySet[ApiToken]:
    """The tokens `user` may see and revoke: their own, or the organisation's for an admin."""
    mine = ApiToken.objects.filter(organisation_id=user.organisation_id)
    if can(user, Capability.API_TOKENS_MANAGE):
        return mine
    return mine.filter(user=user)


def revoke(actor: User, token: ApiToken) -> None:
    with transaction.atomic():
        current = tokens_for(actor).select_for_update().filter(pk=token.pk).first()
        if current is None:
            raise PermissionDenied
        if current.revoked_at is not None:
            raise RefusedError(_("This token was already revoked."))
        current.revoked_at = timezone.now()
        current.revoked_by = actor
        current.save(update_fields=["revoked_at", "revoked_by"])
        record(
            actor=actor,
            action=Action.API_TOKEN_REVOKE,
            object_type="api_token",
            object_ref=current.prefix,
            changed_fields=["revoked_at"],
        )
    token.refresh_from_db()


def _presented(presented: str) -> ApiToken | None:
    """The token whose secret `presented` holds, compared in constant time."""
    if not presented.startswith(TOKEN_START) or len(presented) > 200:
        return None
    prefix, _sep, secret = presented.removeprefix(TOKEN_START).partition("_")
    if not prefix or not secret:
        return None
    token = ApiToken.objects.select_related("user", "organisation").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    return token


def _holder_may_use(token: ApiToken) -> bool:
    """A personal token works while its holder is active in the token's organisation, and
    no token of a training organisation works (its records never leave through the API)."""
    if in_training(token.organisation):
        return False
    if token.kind == TokenKind.SERVICE:
        return True
    holder = token.user
    return (
        holder is not None and holder.is_active and holder.organisation_id == token.organisation_id
    )


def authenticate(presented: str) -> ApiToken | None:
    """The active token that `presented` is, or None."""
    token = _presented(presented)
    now = timezone.now()
    if token is None or not token.is_active(now) or not _holder_may_use(token):
        return None
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def acting_user(token: ApiToken) -> User:
    """Who a call acts as: the holder, or, for a service token, an analyst of its
    organisation that exists only for the call (it can sign in nowhere and owns nothing)."""
    if token.kind == TokenKind.PERSONAL and token.user is not None:
        return token.user
    return User(
        username=f"service-{token.prefix}",
        organisation=token.organisation,
        roles=[Role.ANALYST.value],
        is_active=True,
    )
