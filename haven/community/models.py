"""What a community group's trained members saw, against the observable indicators.

A report says where (a district, never an address), when (a day), what kind of work, which
signs and roughly how many people: never a name, a phone number, a photo or a file. The
free text is encrypted and the action refuses phone numbers and e-mail addresses in it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.cases.choices import Industry
from haven.core.fields import EncryptedTextField


class PeopleSeen(models.TextChoices):
    """A range, never an exact count: enough to weigh a report, too coarse to point at."""

    ONE = "1", _("One person")
    FEW = "2-5", _("2 to 5 people")
    SEVERAL = "6-10", _("6 to 10 people")
    MANY = "11-20", _("11 to 20 people")
    CROWD = "21+", _("More than 20 people")


class CommunityReport(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="community_reports"
    )
    observed_on = models.DateField(_("day seen"))
    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("province"), max_length=8)
    # A district code of the vendored boundaries (haven.community.boundaries).
    district = models.CharField(_("district"), max_length=32)
    sector = models.CharField(_("kind of work"), max_length=64, choices=Industry.choices)
    # Ids of the screening catalogue's indicators on the "observable" checklist.
    indicators = models.JSONField(_("signs seen"), default=list)
    seen = EncryptedTextField(_("what was seen"))
    people_seen = models.CharField(_("people seen"), max_length=8, choices=PeopleSeen.choices)
    # The lead a coordinator or supervisor opened from this report (haven.hotline).
    lead = models.ForeignKey(
        "hotline.Lead",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="community_reports",
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-observed_on", "-pk"]
        indexes = [models.Index(fields=["organisation", "district", "observed_on"])]

    def __str__(self) -> str:
        return f"community report {self.pk}"
