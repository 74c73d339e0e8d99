"""The hotline: calls and messages, SOS alerts, supervisors' duty, and leads.

A caller may stay anonymous: no field names or reaches the caller, and every free text is
encrypted. Places are region codes (ISO 3166-2, haven.core.places), never an address. A tip
about a third person opens a Lead, not a person record: only someone who has met the
person opens one, through the people app's own flow.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.cases.choices import Industry
from haven.core.fields import EncryptedTextField
from haven.hotline.choices import CallerType, CallOutcome, Channel, LeadSource, LeadStatus, Topic


class Call(models.Model):
    """One call or message to the hotline: counted facts in clear, the caller's words
    encrypted, the advice scripts given by key (haven.hotline.advice)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    caller_type = models.CharField(_("caller"), max_length=20, choices=CallerType.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    # A Haven language code, or "other".
    language = models.CharField(_("language"), max_length=8)
    country = models.CharField(_("country"), max_length=2, blank=True)
    region = models.CharField(_("region"), max_length=8, blank=True)
    # Keys of the advice scripts given; data, not personal.
    advice = models.JSONField(_("advice given"), default=list, blank=True)
    # Blank while an SOS is being handled: the SOS screen records the minimum first.
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices, blank=True)
    # The caller agreed that what they said be passed to police or an NGO.
    caller_consent = models.BooleanField(_("the caller consents to passing it on"), default=False)
    notes = EncryptedTextField(_("notes"))
    # A quick screening started from the call (haven.screening's anonymous flow).
    screening = models.OneToOneField(
        "screening.Screening",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hotline_call",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-received_at"], name="hotline_call_newest"),
            # The log filtered by topic (SOS calls first of all) and its count.
            models.Index(
                fields=["organisation", "topic", "-received_at"], name="hotline_call_topic"
            ),
        ]

    def __str__(self) -> str:
        return f"call {self.pk}"


class SosAlert(models.Model):
    """The minimum an SOS call records (where, who, what danger), and who was alerted."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="sos")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    country = models.CharField(_("country"), max_length=2, blank=True)
    region = models.CharField(_("region"), max_length=8, blank=True)
    where = EncryptedTextField(_("where"))
    who = EncryptedTextField(_("who is in danger"))
    danger = EncryptedTextField(_("what danger"))
    alerted = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-raised_at", "-pk"]

    def __str__(self) -> str:
        return f"SOS {self.pk}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class DutyShift(models.Model):
    """A supervisor on duty from `starts_at` to `ends_at`: an SOS alerts them."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="duty_shift_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"duty shift {self.pk}"


class Lead(models.Model):
    """A tip or a report about someone not yet met. It names no person record; only
    "person met" opens the way to one (the people app's own create flow)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=12, choices=LeadSource.choices)
    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, null=True, blank=True, related_name="leads"
    )
    country = models.CharField(_("country"), max_length=2, blank=True)
    region = models.CharField(_("region"), max_length=8, blank=True)
    # A district code under the region (haven.community fills it).
    district = models.CharField(_("district"), max_length=32, blank=True)
    sector = models.CharField(_("sector"), max_length=64, choices=Industry.choices, blank=True)
    summary = EncryptedTextField(_("summary"))
    status = models.CharField(
        _("status"), max_length=12, choices=LeadStatus.choices, default=LeadStatus.OPEN
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outreach worker"),
    )
    passed_to_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("passed to organisation"),
    )
    passed_to_provider = models.ForeignKey(
        "directory.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("passed to provider"),
    )
    # Passing on a tip that identifies the caller needs the caller's consent.
    identifies_caller = models.BooleanField(_("the tip identifies the caller"), default=False)
    caller_consent = models.BooleanField(_("the caller consents to passing it on"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"lead {self.pk}"
