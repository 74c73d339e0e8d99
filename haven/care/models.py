"""Care beyond the service record: stays in a shelter, and what survivors say of the help.

A shelter is not detention. A stay is recorded only once the person was told, and
understood, that they are free to leave at any time; the record keeps that confirmation.
Feedback is given with the person's consent; given anonymously, it keeps nothing that
leads back to the person: no case, no service row, no author, no time but the month.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.assistance.models import ServiceKind
from haven.core.fields import EncryptedTextField


class LeavingReason(models.TextChoices):
    """Why a stay ended, coded for the statistics; details go in the encrypted note."""

    MOVED_SERVICE = "moved_service", _("Moved to another service")
    RETURNED_HOME = "returned_home", _("Returned home")
    CHOSE_TO_LEAVE = "chose_to_leave", _("Chose to leave")
    REINTEGRATED = "reintegrated", _("Reintegrated: living independently")
    TRANSFERRED = "transferred", _("Transferred to another shelter")
    OTHER = "other", _("Another reason")


class Stay(models.Model):
    """A stay at a shelter: a safe-accommodation service of the directory, or a place
    not listed there (its name encrypted: where someone sleeps is personal data)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="stays")
    shelter = models.ForeignKey(
        "directory.DirectoryService",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shelter in the directory"),
    )
    place = EncryptedTextField(_("place not in the directory"))
    entered_on = models.DateField(_("entered on"))
    # The person was told, and understood, that they may leave at any time.
    free_to_leave_explained = models.BooleanField(default=False)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    leaving_reason = models.CharField(
        _("reason for leaving"), max_length=16, choices=LeavingReason.choices, blank=True
    )
    leaving_details = EncryptedTextField(_("details"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["entered_on", "pk"]

    def __str__(self) -> str:
        return f"stay {self.pk} of case {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.left_on is None


class Rating(models.TextChoices):
    """Answers in plain words, read out to the person in their language."""

    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
    NOT_SAID = "not_said", _("Prefers not to say")


class Feedback(models.Model):
    """A survivor's feedback on a service. Named feedback hangs off the case and the
    service; anonymous feedback holds only the organisation, the kind of service and the
    month, under a random key, so that neither its row nor its order leads to anyone."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    service_kind = models.CharField(_("service"), max_length=24, choices=ServiceKind.choices)
    month = models.DateField(_("month"))  # always the first day of a month
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="feedback"
    )
    service = models.ForeignKey(
        "assistance.Service",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="feedback",
    )
    respected = models.CharField(max_length=8, choices=Rating.choices)
    safe = models.CharField(max_length=8, choices=Rating.choices)
    helped = models.CharField(max_length=8, choices=Rating.choices)
    recommend = models.CharField(max_length=8, choices=Rating.choices)
    comment = EncryptedTextField(_("comment"))

    class Meta:
        ordering = ["organisation", "service_kind", "month"]
        indexes = [models.Index(fields=["organisation", "service_kind"])]

    def __str__(self) -> str:
        return f"feedback on {self.service_kind} ({self.month:%Y-%m})"

    @property
    def anonymous(self) -> bool:
        return self.case_id is None


# The questions, read to the person in their language (every interface language has
# them). Each is answered with a `Rating`.
QUESTIONS = (
    ("respected", _("Did the staff treat you with respect?")),
    ("safe", _("Did you feel safe while you received this help?")),
    ("helped", _("Did this service help you?")),
    ("recommend", _("Would you tell someone in your situation to use this service?")),
)
