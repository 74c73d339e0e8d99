"""The hotline's code lists. Codes are stored; labels are translated when shown."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat or message")
    WALK_IN = "walk_in", _("Walk-in")
    SOCIAL_MEDIA = "social_media", _("Social media")


class CallerType(models.TextChoices):
    POSSIBLE_VICTIM = "possible_victim", _("Possible victim")
    FAMILY_MEMBER = "family_member", _("Family member")
    COMMUNITY_MEMBER = "community_member", _("Community member")
    EMPLOYER = "employer", _("Employer")
    OFFICIAL = "official", _("Official")
    UNKNOWN = "unknown", _("Unknown")


class Topic(models.TextChoices):
    SAFE_MIGRATION = "safe_migration", _("Safe-migration advice")
    JOB_OFFER = "job_offer", _("Job offer check")
    SOS = "sos", _("SOS")
    TIP = "tip", _("Tip about a third person")
    OTHER = "other", _("Other")


class CallOutcome(models.TextChoices):
    ADVICE_ONLY = "advice_only", _("Advice only")
    SCREENING_STARTED = "screening_started", _("Screening started")
    REFERRAL = "referral", _("Referral")
    EMERGENCY_SERVICES = "emergency_services", _("Emergency services called")
    PASSED_ON = "passed_on", _("Passed to police or an NGO with the caller's consent")


# A call's language: one of Haven's languages, or another one.
OTHER_LANGUAGE = "other"


class LeadSource(models.TextChoices):
    HOTLINE = "hotline", _("Hotline call")
    COMMUNITY = "community", _("Community report")
    OTHER = "other", _("Other")


class LeadStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ASSIGNED = "assigned", _("Assigned to an outreach worker")
    PASSED_ON = "passed_on", _("Passed on to police or an NGO")
    PERSON_MET = "person_met", _("Person met")
    CLOSED = "closed", _("Closed")
