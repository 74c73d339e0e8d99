from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedJSONField, EncryptedTextField
from haven.screening_engine.rules import uses_child_rules


class ScreeningStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUSPENDED = "suspended", _("Suspended for medical care")
    COMPLETED = "completed", _("Completed")


class Outcome(models.TextChoices):
    NOT_INDICATED = "not_indicated", _("Trafficking not indicated")
    INDICATORS_PRESENT = "indicators_present", _("Indicators present")
    PRESUMED_VICTIM = "presumed_victim", _("Presumed victim")


class Screening(models.Model):
    """One guided screening interview. Once completed it is an immutable snapshot.

    Answers, notes, the readiness checklist and the person's profile are encrypted: they
    can say as much as identity does. The outcome and ruleset version stay in clear for
    case history and, later, anonymised statistics.
    """

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="screenings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # A screening may start before anyone's identity is known (hotline, raid) and be
    # attached to a person later.
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="screenings",
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="screenings"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ScreeningStatus.choices,
        default=ScreeningStatus.IN_PROGRESS,
    )
    interview_language = models.CharField(_("interview language"), max_length=8, default="en")
    readiness = EncryptedJSONField(container="dict", verbose_name=_("readiness checklist"))
    profile = EncryptedJSONField(container="dict", verbose_name=_("age and exploitation"))
    answers = EncryptedJSONField(container="dict", verbose_name=_("answers"))
    notes = EncryptedJSONField(container="dict", verbose_name=_("notes"))
    # "Don't know" answers the screener marked as worth exploring: they open follow-ups.
    explore = EncryptedJSONField(verbose_name=_("answers worth exploring"))
    # A re-screening starts from the person's latest completed screening in the same
    # organisation: its answers and profile are offered for confirmation, never counted as
    # answers until the screener saves them with the person.
    previous_reference = models.CharField(
        _("previous screening"), max_length=16, blank=True, editable=False
    )
    previous_completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    previous_answers = EncryptedJSONField(
        container="dict", verbose_name=_("answers of the previous screening")
    )
    previous_profile = EncryptedJSONField(
        container="dict", verbose_name=_("profile of the previous screening")
    )
    topic_index = models.PositiveSmallIntegerField(default=0)
    ruleset_version = models.CharField(_("ruleset version"), max_length=64, blank=True)
    outcome = models.CharField(
        _("suggested result"), max_length=24, choices=Outcome.choices, blank=True
    )
    result = EncryptedJSONField(container="dict", verbose_name=_("result snapshot"))
    judgement = models.CharField(
        _("screener's judgement"), max_length=24, choices=Outcome.choices, blank=True
    )
    judgement_reason = EncryptedTextField(_("reason for the judgement"))
    # A child's safeguards, recorded at completion when the screening belongs to no case
    # (haven.cases.children); a case's own are on the case.
    guardian = EncryptedTextField(_("guardian"))
    guardian_none_reason = EncryptedTextField(_("why no guardian could be appointed yet"))
    best_interests_assessed_on = models.DateField(null=True, blank=True)
    child_assent = models.BooleanField(_("the child assents"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_completed(self) -> bool:
        return self.status == ScreeningStatus.COMPLETED

    @property
    def child_wording(self) -> bool:
        """Child rules and wording apply: the engine's rule, from the profile's age facts."""
        age = self.profile.get("age_at_events")
        return uses_child_rules(age, bool(self.profile.get("possibly_child")))
