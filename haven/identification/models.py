from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedTextField
from haven.identification.status import DecisionOrganisation, IdentificationStatus, Move


class IdentificationChange(models.Model):
    """One move of a case's identification status: who, when, on what basis. Never edited."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="identification")
    move = models.CharField(max_length=20, choices=[(m.value, m.value) for m in Move])
    from_status = models.CharField(max_length=20, choices=IdentificationStatus.choices)
    to_status = models.CharField(max_length=20, choices=IdentificationStatus.choices)
    decision_name = models.CharField(max_length=200, blank=True)  # the jurisdiction's own name
    decided_on = models.DateField(_("date"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    decision_organisation_type = models.CharField(
        max_length=40, choices=DecisionOrganisation.choices, blank=True
    )
    basis = EncryptedTextField(_("basis"))
    screenings = models.ManyToManyField("screening.Screening", blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["decided_on", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status} on case {self.case_id}"
