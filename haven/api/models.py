"""API tokens: a bearer secret per user (or, for aggregate statistics only, per
organisation), stored as a SHA-256 digest, with an expiry and scopes that can only narrow
what the holder's roles grant (haven.api.tokens)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.accounts.roles import Capability


class TokenKind(models.TextChoices):
    PERSONAL = "personal", _("Personal")
    # Read-only aggregate statistics of one organisation, e.g. for a national dashboard.
    SERVICE = "service", _("Statistics service")


class ApiScope(models.TextChoices):
    PEOPLE_READ = "people:read", _("People, by reference only")
    PEOPLE_IDENTITY = "people:identity", _("People's identity (every read is audited)")
    CASES_READ = "cases:read", _("Cases and their records")
    SCREENINGS_READ = "screenings:read", _("Screenings and their results")
    SCREENINGS_WRITE = "screenings:write", _("Submit screening answers and complete screenings")
    REFERRALS_READ = "referrals:read", _("Referrals sent and received")
    REFERRALS_RESPOND = "referrals:respond", _("Accept, decline and complete referrals")
    STATISTICS_READ = "statistics:read", _("Statistics aggregates")


# What the holder's roles must grant for a token scope to be given and to work: a scope
# narrows the roles, never widens them. Checked when the token is made and at every use.
SCOPE_NEEDS: dict[str, tuple[Capability, ...]] = {
    ApiScope.PEOPLE_READ: (Capability.PERSON_VIEW,),
    ApiScope.PEOPLE_IDENTITY: (Capability.PERSON_VIEW,),
    ApiScope.CASES_READ: (Capability.CASE_VIEW,),
    ApiScope.SCREENINGS_READ: (Capability.SCREENING_VIEW,),
    ApiScope.SCREENINGS_WRITE: (Capability.SCREENING_CREATE,),
    ApiScope.REFERRALS_READ: (Capability.REFERRAL_SEND, Capability.REFERRAL_RECEIVE),
    ApiScope.REFERRALS_RESPOND: (Capability.REFERRAL_RECEIVE,),
    ApiScope.STATISTICS_READ: (Capability.STATISTICS_VIEW,),
}


class ApiToken(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    # The holder of a personal token; none for a service token.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
    )
    kind = models.CharField(max_length=12, choices=TokenKind.choices, default=TokenKind.PERSONAL)
    name = models.CharField(_("name"), max_length=80)
    # Shown to tell tokens apart and to find one quickly; the secret is never stored.
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"API token {self.prefix}"

    def is_active(self, at: object = None) -> bool:
        now = at or timezone.now()
        return self.revoked_at is None and self.expires_at > now  # type: ignore[operator]

    @property
    def scope_labels(self) -> list[str]:
        return [str(ApiScope(s).label) for s in self.scopes if s in ApiScope.values]
