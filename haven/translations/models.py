"""Review state of Haven's translated texts, proposals from fluent speakers, and the
wordings accepted from them.

A text is named by (language, part, key); its English source and shipped translation live
in the code (haven.translations.sources). A review holds for the exact wording reviewed:
when the wording changes, the text is a draft again. No personal data is stored here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Part(models.TextChoices):
    INTERFACE = "interface", _("Pages and messages")
    QUESTION = "question", _("Interview questions")
    STATEMENT = "statement", _("Indicator statements")
    MESSAGE = "message", _("Engine explanations")
    DIRECTORY = "directory", _("Directory service descriptions")


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Machine draft, not reviewed")
    REVIEWED = "reviewed", _("Reviewed")
    NEEDS_CHANGE = "needs_change", _("Needs change")
    MISSING = "missing", _("Not translated")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a decision")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Not accepted")


class Review(models.Model):
    """The latest reviewer's word on one text: reviewed, or needs change (with a note)."""

    language = models.CharField(max_length=8)
    part = models.CharField(max_length=12, choices=Part.choices)
    key = models.CharField(max_length=120)
    text_digest = models.CharField(max_length=16)  # of the wording that was reviewed
    state = models.CharField(max_length=16, choices=ReviewState.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["language", "part", "key"], name="one_review_per_text")
        ]

    def __str__(self) -> str:
        return f"{self.language}/{self.part}/{self.key}: {self.state}"


class Proposal(models.Model):
    """A better wording proposed by a translator; an admin accepts or rejects it."""

    language = models.CharField(max_length=8)
    part = models.CharField(max_length=12, choices=Part.choices)
    key = models.CharField(max_length=120)
    text = models.TextField()
    note = models.TextField(blank=True)
    base_digest = models.CharField(max_length=16)  # of the wording in use when proposed
    status = models.CharField(
        max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    decided_at = models.DateTimeField(null=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "language", "part"])]

    def __str__(self) -> str:
        return f"{self.language}/{self.part}/{self.key}: {self.status}"


class Override(models.Model):
    """The wording in use instead of the shipped one, from an accepted proposal."""

    language = models.CharField(max_length=8)
    part = models.CharField(max_length=12, choices=Part.choices)
    key = models.CharField(max_length=120)
    text = models.TextField()
    source_digest = models.CharField(max_length=16)  # of the English it translates
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["language", "part", "key"], name="one_override_per_text"
            )
        ]

    def __str__(self) -> str:
        return f"{self.language}/{self.part}/{self.key}"
