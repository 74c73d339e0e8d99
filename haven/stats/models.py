"""What the statistics are computed from, and the register of data releases.

`PersonFact` holds one row per person with coded categories only: no name, reference,
date of birth, document, address, contact or free text. `haven stats refresh` rebuilds it
from the records (the pages say when); every page aggregates it in SQL and passes each
table through disclosure control (haven.stats.disclosure) before anyone sees it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PersonFact(models.Model):
    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="fact")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    # The first time the organisation met the person: the period filter.
    first_contact = models.DateField()
    # Country of exploitation (journey), else the organisation's country.
    region = models.CharField(max_length=2, blank=True)
    sex = models.CharField(max_length=24)
    age_band = models.CharField(max_length=8)
    child = models.BooleanField(default=False)
    citizenship = models.CharField(max_length=2, blank=True)
    industry = models.CharField(max_length=60, blank=True)
    relationship = models.CharField(max_length=16, blank=True)
    smuggling = models.BooleanField(default=False)
    assisted = models.BooleanField(default=False)  # has a case: assistance was offered
    research_consent = models.BooleanField(default=False)  # anonymous research use allowed
    jurisdiction = models.CharField(max_length=40, blank=True)
    # The identification funnel: the first date each step was reached.
    screened_on = models.DateField(null=True)
    indicators_on = models.DateField(null=True)
    presumed_on = models.DateField(null=True)
    first_decision_on = models.DateField(null=True)
    final_decision_on = models.DateField(null=True)
    confirmed_on = models.DateField(null=True)
    first_on_target = models.BooleanField(null=True)
    final_on_target = models.BooleanField(null=True)
    trafficking_status = models.CharField(max_length=40, blank=True)
    closed_on = models.DateField(null=True)
    closure_reason = models.CharField(max_length=20, blank=True)
    returned_on = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "first_contact"], name="fact_org_contact"),
            models.Index(fields=["first_contact"], name="fact_contact"),
        ]

    def __str__(self) -> str:
        return f"fact {self.pk}"


class FactTag(models.Model):
    """A person's multi-valued categories: forms of exploitation, means of control, flags."""

    fact = models.ForeignKey(PersonFact, on_delete=models.CASCADE, related_name="tags")
    dimension = models.CharField(max_length=16)
    value = models.CharField(max_length=60)

    class Meta:
        indexes = [models.Index(fields=["dimension", "value"], name="facttag_dim_value")]

    def __str__(self) -> str:
        return f"{self.dimension}={self.value}"


class Summary(models.Model):
    """Counts per organisation, month and country of each published table (see
    haven.stats.summary): what the pages add up. Rebuilt with the facts."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField()  # the first day of the month
    region = models.CharField(max_length=2, blank=True)
    table = models.CharField(max_length=20)
    row = models.CharField(max_length=60, blank=True)
    column = models.CharField(max_length=60, blank=True)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["table", "month"], name="summary_table_month"),
            models.Index(fields=["organisation", "table", "month"], name="summary_org_table"),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.month:%Y-%m}"


class Refresh(models.Model):
    """When the facts were last rebuilt, and how long it took."""

    finished_at = models.DateTimeField(default=timezone.now)
    people = models.PositiveIntegerField()
    seconds = models.FloatField()

    def __str__(self) -> str:
        return f"refresh {self.finished_at:%Y-%m-%d %H:%M}"


class ReleaseKind(models.TextChoices):
    K_ANONYMOUS = "k_anonymous", _("Record-level, k-anonymous")
    DP_COUNTS = "dp_counts", _("Counts with differential privacy")


class ReleaseStatus(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting a second person's approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Release(models.Model):
    """The register of data releases: who, when, with what parameters, which file."""

    kind = models.CharField(max_length=12, choices=ReleaseKind.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whose people; empty for the whole deployment.",
    )
    parameters = models.JSONField(default=dict)
    metadata = models.JSONField(default=dict)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()  # the released file itself, never personal data
    filename = models.CharField(max_length=100)
    rows = models.PositiveIntegerField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=ReleaseStatus.choices, default=ReleaseStatus.AWAITING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"release {self.pk} ({self.kind})"


class ResultsFramework(models.Model):
    """Planning and reporting by results: a goal, its outcomes and outputs, and the
    indicators that measure them (baseline, target, period). An organisation's, or the
    referral mechanism's (no organisation) for a coordinator."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    goal = models.TextField(_("goal"), max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class ResultLevel(models.TextChoices):
    OUTCOME = "outcome", _("Outcome")
    OUTPUT = "output", _("Output")


class Result(models.Model):
    framework = models.ForeignKey(
        ResultsFramework, on_delete=models.CASCADE, related_name="results"
    )
    level = models.CharField(_("level"), max_length=8, choices=ResultLevel.choices)
    statement = models.CharField(_("result"), max_length=500)

    class Meta:
        ordering = ["level", "pk"]

    def __str__(self) -> str:
        return self.statement


class IndicatorSource(models.TextChoices):
    COMPUTED = "computed", _("Computed from Haven's records")
    MANUAL = "manual", _("Entered by hand")


class ResultIndicator(models.Model):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=300)
    source = models.CharField(_("source"), max_length=8, choices=IndicatorSource.choices)
    measure = models.CharField(_("measure"), max_length=40, blank=True)
    baseline = models.PositiveIntegerField(_("baseline"))
    target = models.PositiveIntegerField(_("target"))
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    manual_value = models.PositiveIntegerField(_("achieved (entered by hand)"), null=True)
    manual_source = models.CharField(_("where the figure comes from"), max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
