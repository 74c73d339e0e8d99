"""Information campaigns, planned in the guide's six steps: getting started, objectives,
audience, messages, dissemination, and monitoring and assessing impact.

A campaign is public material in the making: nothing in it names a person. Its free text
(research findings, risks, evaluation) is encrypted all the same, because it can describe
the people a campaign is about. Places are region codes (haven.core.places). Only the
public materials of running or ended campaigns leave Haven (haven.campaigns.public).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedTextField

# Haven's six languages and "other": what a campaign's audience and messages speak.
OTHER_LANGUAGE = "other"


def language_choices() -> list[tuple[str, str]]:
    """Called per request: the labels are in the user's language."""
    return [
        *((code, str(name)) for code, name in settings.LANGUAGES),
        (OTHER_LANGUAGE, gettext("Another language")),
    ]


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    ENDED = "ended", _("Ended")


class Literacy(models.TextChoices):
    LOW = "low", _("Most cannot read: pictures and sound")
    MIXED = "mixed", _("Mixed: short, simple words with pictures")
    HIGH = "high", _("Most read well")


class Medium(models.TextChoices):
    RADIO = "radio", _("Radio")
    TV = "tv", _("Television")
    SOCIAL = "social", _("Social media and messaging apps")
    POSTERS = "posters", _("Posters and leaflets")
    MEETINGS = "meetings", _("Community meetings")
    SCHOOLS = "schools", _("Schools")
    RECRUITERS = "recruiters", _("Recruitment agencies and job boards")
    TRANSPORT = "transport", _("Bus stations, ports and border posts")


class Channel(models.TextChoices):
    RADIO = "radio", _("Radio")
    TV = "tv", _("Television")
    SOCIAL = "social", _("Social media and messaging apps")
    PRINT = "print", _("Posters and leaflets")
    EVENT = "event", _("Community event")
    SCHOOL = "school", _("School session")
    OUTREACH = "outreach", _("Outreach workers")
    OTHER = "other", _("Other")


class IndicatorKind(models.TextChoices):
    REACH = "reach", _("Reach: people who saw or heard the messages")
    HOTLINE = "hotline", _("Hotline calls and their topics")
    REQUESTS = "requests", _("Requests for information")
    KNOWLEDGE = "knowledge", _("Knowledge survey result")
    ATTITUDE = "attitude", _("Attitude survey result")
    OTHER = "other", _("Other")


class MaterialKind(models.TextChoices):
    PDF = "pdf", "PDF"
    PNG = "png", "PNG"
    JPEG = "jpeg", "JPEG"
    MP3 = "mp3", "MP3"
    OGG = "ogg", "OGG"


class Campaign(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="campaigns"
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # Step 1: getting started.
    situation = EncryptedTextField(_("situation: what research found"))
    partners = EncryptedTextField(_("partners"))
    budget = EncryptedTextField(_("budget"))
    risks = EncryptedTextField(_("risks"))
    harm_to_people_shown = EncryptedTextField(_("risk to the people shown and how it is avoided"))
    # Step 2: objectives (rows of Objective) and what success means.
    success = EncryptedTextField(_("what success looks like"))
    # Step 3: audience.
    audience = EncryptedTextField(_("who the campaign is for"))
    country = models.CharField(_("country"), max_length=2, blank=True)
    regions = models.JSONField(_("regions"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    other_languages = models.CharField(_("other languages"), max_length=200, blank=True)
    literacy = models.CharField(_("literacy"), max_length=10, choices=Literacy.choices, blank=True)
    media = models.JSONField(_("media they use"), default=list, blank=True)
    # Step 6: the evaluation, and why indicators have no latest value when it ended so.
    findings = EncryptedTextField(_("evaluation findings"))
    no_values_reason = EncryptedTextField(_("why the latest values are missing"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="campaign_newest")]

    def __str__(self) -> str:
        return f"campaign {self.pk}"


class Objective(models.Model):
    """One SMART-ish objective: what changes, for whom, by when."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="objectives")
    change = EncryptedTextField(_("what changes"))
    for_whom = EncryptedTextField(_("for whom"))
    by_when = models.DateField(_("by when"))

    class Meta:
        ordering = ["by_when", "pk"]

    def __str__(self) -> str:
        return f"objective {self.pk} of campaign {self.campaign_id}"


class Message(models.Model):
    """A message's text in one language, its pre-test, and its approval."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="messages")
    language = models.CharField(_("language"), max_length=8)
    text = EncryptedTextField(_("text"))
    pretest = EncryptedTextField(_("pre-test results"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"message {self.pk} of campaign {self.campaign_id}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class Dissemination(models.Model):
    """Where and when an approved message goes out, through which channel, with what."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="disseminations")
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="disseminations")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    regions = models.JSONField(_("regions"), default=list, blank=True)
    material = models.ForeignKey(
        "campaigns.Material",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="disseminations",
    )
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)

    class Meta:
        ordering = ["starts_on", "pk"]

    def __str__(self) -> str:
        return f"dissemination {self.pk} of campaign {self.campaign_id}"


class Indicator(models.Model):
    """What is measured, from where it started to where the campaign means to bring it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(_("kind"), max_length=10, choices=IndicatorKind.choices)
    description = EncryptedTextField(_("what is measured"))
    baseline = models.DecimalField(_("baseline"), max_digits=12, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    latest = models.DecimalField(
        _("latest value"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    latest_on = models.DateField(_("measured on"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"indicator {self.pk} of campaign {self.campaign_id}"


class Material(models.Model):
    """A file of the campaign: poster, leaflet, image, audio. Stored on disk under a random
    token (haven.campaigns.storage); public once the campaign runs, if flagged so."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=8)
    public = models.BooleanField(_("public"), default=False)
    kind = models.CharField(max_length=4, choices=MaterialKind.choices)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    token = models.CharField(max_length=43, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["language", "title", "pk"]

    def __str__(self) -> str:
        return f"material {self.pk} of campaign {self.campaign_id}"

    @property
    def language_name(self) -> str:
        return dict(language_choices()).get(self.language, self.language)
