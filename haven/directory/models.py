"""The service directory: organisations that help, and what each offers to whom.

Providers are organisations, never people: nothing here is personal data, so nothing is
encrypted and everything may be shown to the public (unless a provider is not `public`),
except the address of a confidential place: a shelter whose location is kept secret so that
traffickers cannot find the people it protects. Public outputs never carry that address
(haven.directory.search.public_view), only the ways to get in touch.
"""

from __future__ import annotations

import unicodedata

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import OrganisationType
from haven.assistance.models import ServiceKind
from haven.cases.choices import ExploitationType
from haven.core.reference import Gender, country_name, language_name
from haven.directory.hours import Hours, local_hours


class Provider(models.Model):
    """An organisation listed in the directory. When it runs Haven itself, `organisation`
    links it: referrals to it then stay inside Haven, and its own staff keep it current."""

    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directory_providers",
        verbose_name=_("organisation in Haven"),
    )
    org_type = models.CharField(_("type"), max_length=40, choices=OrganisationType.choices)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    # Administrative areas covered (province, district...); empty means the whole country.
    areas = models.JSONField(_("areas covered"), default=list, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    public = models.BooleanField(_("shown in the public directory"), default=True)
    # The location is secret (e.g. a shelter): the public sees a phone or e-mail, never the
    # address. Keepers of the entry still see it on its edit page.
    confidential = models.BooleanField(_("confidential location"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    # Optimistic lock: an edit names the version it started from.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["country", "name", "pk"]
        indexes = [models.Index(fields=["country", "public"])]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    # Set on the copies that public outputs show (search.public_view): True when the
    # address was taken out because the place is confidential.
    address_withheld = False

    def __str__(self) -> str:
        return self.name

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def area_names(self) -> str:
        return ", ".join(self.areas) if self.areas else gettext("Whole country")

    @property
    def language_names(self) -> list[str]:
        return [language_name(code) for code in self.languages]

    @property
    def address_language(self) -> str:
        """ "en" for an address in Latin letters (the directory's free text is written in
        plain English); "" when it is in another script, whose language is not known."""
        latin = all(
            not char.isalpha() or unicodedata.name(char, "").startswith("LATIN")
            for char in self.address
        )
        return "en" if latin else ""

    @property
    def local_opening_hours(self) -> Hours:
        """The opening hours in the active language where they follow the pattern."""
        return local_hours(self.opening_hours)


class DirectoryService(models.Model):
    """One form of assistance a provider offers, and who may receive it. An empty
    eligibility list means anyone: restrictions are stated, never assumed."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("service"), max_length=24, choices=ServiceKind.choices)
    description = models.TextField(_("description (plain English)"), blank=True)
    # Language code -> the description in that language, where someone translated it.
    descriptions = models.JSONField(_("translated descriptions"), default=dict, blank=True)
    sexes = models.JSONField(_("for people who are"), default=list, blank=True)
    age_min = models.PositiveSmallIntegerField(_("youngest age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("oldest age"), null=True, blank=True)
    nationalities = models.JSONField(_("nationalities"), default=list, blank=True)
    exploitation_types = models.JSONField(_("forms of exploitation"), default=list, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    available = models.PositiveIntegerField(_("free places now"), null=True, blank=True)
    availability_updated_at = models.DateTimeField(null=True, blank=True)
    accepts_referrals = models.BooleanField(_("accepts referrals"), default=True)
    # A service at a secret place (e.g. a shelter of an NGO whose office is public): its
    # provider's address is then never shown in public, since it would lead there.
    confidential = models.BooleanField(_("confidential location"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["provider", "kind", "pk"]
        verbose_name = _("directory service")
        verbose_name_plural = _("directory services")

    def __str__(self) -> str:
        return f"{self.kind} of provider {self.provider_id}"

    def description_with_language(self, language: str) -> tuple[str, str]:
        """The description in `language` if translated, else in English; and its code."""
        for code in (language, language.split("-", maxsplit=1)[0]):
            text = self.descriptions.get(code, "") if isinstance(self.descriptions, dict) else ""
            if text:
                return text, code
        return self.description, "en"

    def description_in(self, language: str) -> str:
        return self.description_with_language(language)[0]

    @property
    def sex_labels(self) -> list[str]:
        labels = dict(Gender.choices)
        return [str(labels.get(code, code)) for code in self.sexes]

    @property
    def nationality_names(self) -> list[str]:
        return [country_name(code) for code in self.nationalities]

    @property
    def exploitation_labels(self) -> list[str]:
        labels = dict(ExploitationType.choices)
        return [str(labels.get(code, code)) for code in self.exploitation_types]

    @property
    def age_text(self) -> str:
        """The age range in words, or "" when any age is welcome."""
        low, high = self.age_min, self.age_max
        if low is not None and high is not None:
            return gettext("%(low)s to %(high)s years old") % {"low": low, "high": high}
        if low is not None:
            return gettext("%(low)s years old or more") % {"low": low}
        if high is not None:
            return gettext("up to %(high)s years old") % {"high": high}
        return ""

    @property
    def open_to_anyone(self) -> bool:
        return not (
            self.sexes
            or self.nationalities
            or self.exploitation_types
            or self.age_min is not None
            or self.age_max is not None
        )
