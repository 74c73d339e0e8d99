from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.accounts.roles import Role


class OrganisationType(models.TextChoices):
    """HTCDS org_Type system names, extended with the bodies Haven's users work in."""

    NGO = "NGO", _("Non-governmental organisation")
    LAW_ENFORCEMENT = "LawEnforcement", _("Law enforcement")
    HEALTH_SERVICE = "HealthServiceOrganisation", _("Health service")
    CENTRAL_GOVERNMENT = "CentralGovernmentOrganisation", _("Central government")
    LOCAL_GOVERNMENT = "LocalGovernmentOrganisation", _("Local government")
    IMMIGRATION = "ImmigrationService", _("Immigration service")
    LEGAL_SERVICE = "LegalService", _("Legal service")
    BUSINESS = "CorporateBusiness", _("Business")
    SCHOOL = "SchoolOrCollege", _("School or college")
    SHELTER = "Shelter", _("Shelter")
    LABOUR_INSPECTION = "LabourInspection", _("Labour inspection")
    EMBASSY = "EmbassyOrConsulate", _("Embassy or consulate")
    INTERNATIONAL = "InternationalOrganisation", _("International organisation")
    HOTLINE = "Hotline", _("Hotline")
    # A trained community group whose members record what they see (haven.community).
    COMMUNITY_GROUP = "CommunityGroup", _("Community group")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    org_type = models.CharField(_("type"), max_length=40, choices=OrganisationType.choices)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    # Which identification law applies to the cases it opens (haven/identification).
    jurisdiction = models.CharField(_("jurisdiction"), max_length=40, default="generic")
    # Set by the organisation's admin: staff confirm sign-in with a passkey or security
    # key (a recovery code still opens the account when a key is lost).
    require_passkey = models.BooleanField(_("require a passkey or security key"), default=False)
    # A training space: its records are practice, marked TRAINING on every page and PDF,
    # and never leave it (no referral, release, export, exchange or API read; each refused
    # in its domain action, haven.training.isolation).
    is_training = models.BooleanField(_("training organisation"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("organisation"),
    )
    roles = models.JSONField(_("roles"), default=list)
    # For the translator role: the languages this person reviews (codes from LANGUAGES).
    translation_languages = models.JSONField(_("translates into"), default=list, blank=True)
    # Set when an organisation admin gives a temporary password: changed at next sign-in.
    must_change_password = models.BooleanField(default=False)

    REQUIRED_FIELDS = ["organisation"]

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.username

    @property
    def role_list(self) -> list[Role]:
        return [Role(value) for value in self.roles if value in Role.values]

    def role_labels(self) -> list[str]:
        return [str(role.label) for role in self.role_list]
