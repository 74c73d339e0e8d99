"""Training records: scenarios written in the UI, trainees' attempts and quiz results.

Everything here lives in a training organisation (`Organisation.is_training`) and is
fictional by design: the stories are invented, and a trainee's answers are about a story,
not a person. The interview itself is a real `Screening` of the training organisation,
driven through `haven.screening.actions`, so its answers are encrypted like any other.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CustomScenario(models.Model):
    """A scenario a trainer wrote in the UI: the same TOML schema as the shipped files."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="training_scenarios"
    )
    scenario_id = models.CharField(_("scenario id"), max_length=60)
    source = models.TextField(_("scenario (TOML)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["scenario_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "scenario_id"], name="training_scenario_unique_id"
            )
        ]
        verbose_name = _("training scenario")
        verbose_name_plural = _("training scenarios")

    def __str__(self) -> str:
        return self.scenario_id


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class Attempt(models.Model):
    """One trainee's run through one scenario, stage by stage.

    `source` keeps the scenario as it was when the attempt started, so a trainer's later
    edit never changes the key an attempt was marked against. `stages` holds one entry per
    answered stage: the trainee's verdict and answers at that moment.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="training_attempts"
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_attempts"
    )
    scenario_id = models.CharField(_("scenario"), max_length=60)
    source = models.TextField(editable=False)
    screening = models.OneToOneField(
        "screening.Screening", on_delete=models.PROTECT, related_name="training_attempt"
    )
    stages = models.JSONField(default=list)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AttemptStatus.choices,
        default=AttemptStatus.IN_PROGRESS,
    )
    started_at = models.DateTimeField(default=timezone.now, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("training attempt")
        verbose_name_plural = _("training attempts")

    def __str__(self) -> str:
        return f"{self.scenario_id} #{self.pk}"

    @property
    def answered(self) -> int:
        """How many stages the trainee has answered (the next one is this index)."""
        return len(self.stages)

    @property
    def is_completed(self) -> bool:
        return self.status == AttemptStatus.COMPLETED


class QuizResult(models.Model):
    """One round of the true/false quiz: every answer and the score."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="training_quiz_results"
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_quiz_results"
    )
    answers = models.JSONField(default=dict)  # statement id -> true/false
    score = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("quiz result")
        verbose_name_plural = _("quiz results")

    def __str__(self) -> str:
        return f"{self.score}/{self.total}"
