"""What crossed Haven's edge in HTCDS files: every export (who, what, why if identity went
with it) and every import (which rows became which cases, so a file read twice creates
nothing twice)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from haven.core.fields import EncryptedTextField


class Export(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    exported_at = models.DateTimeField(default=timezone.now)
    cases = models.PositiveIntegerField()
    identity = models.BooleanField(default=False)
    # Why identity left Haven: staff words that may name someone, so encrypted.
    reason = EncryptedTextField("reason")
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"export {self.pk}"


class ImportedRow(models.Model):
    """One row of an imported file, known by a keyed digest of its source key (the file's
    own case reference, else its whole content): never the values themselves."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    digest = models.CharField(max_length=64)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "digest"], name="imported_row_once")
        ]

    def __str__(self) -> str:
        return f"imported row {self.pk}"
