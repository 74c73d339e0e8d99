"""A person's right to their data, and how long an organisation keeps it.

Retention: an organisation's policy says how many years after a case is closed it is
anonymised or deleted (`haven retention apply`). No policy, nothing happens. A legal hold
placed by a supervisor keeps a case (and its person) untouched until it is lifted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedTextField

# The longest policy that can be set: a case kept for a century is kept for ever.
MAX_YEARS = 100


class RetentionOutcome(models.TextChoices):
    ANONYMISE = "anonymise", _("Anonymise: remove identity and free text, keep the counted facts")
    DELETE = "delete", _("Delete the case and, when nothing else of theirs is kept, the person")


class RetentionPolicy(models.Model):
    """An organisation's one retention rule. Absent: nothing is ever removed automatically."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="retention_policy"
    )
    years = models.PositiveSmallIntegerField(_("Years after the case was closed"))
    outcome = models.CharField(_("Then"), max_length=12, choices=RetentionOutcome.choices)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"retention policy of organisation {self.organisation_id}"


class LegalHold(models.Model):
    """A case that must be kept whatever the policy says (a trial, an investigation, a
    complaint). Never edited but to be lifted; the history of holds stays with the case."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="legal_holds")
    # Staff words that may name a court case or a person: encrypted.
    reason = EncryptedTextField(_("reason for the hold"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    lift_reason = EncryptedTextField(_("reason for lifting the hold"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_active_hold_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"legal hold {self.pk} on case {self.case_id}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class AnonymisedCase(models.Model):
    """A case whose identity and free text the retention policy removed: done once."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="anonymised")
    anonymised_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"case {self.case_id} anonymised"


class AnonymisedPerson(models.Model):
    """A person whose identity the retention policy removed: no longer findable by name."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="anonymised"
    )
    anonymised_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"person {self.person_id} anonymised"
