"""Assistance across the three stages of protection. None of it waits for a formal
identification decision or depends on cooperating with the authorities."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedTextField


class Stage(models.TextChoices):
    """Bali Process policy guide: the three stages of protection."""

    INITIAL = "initial", _("Initial protection")
    PROCEEDINGS = "proceedings", _("Protection during criminal proceedings")
    SUSTAINABLE = "sustainable", _("Sustainable solutions")


class PlanType(models.TextChoices):
    """HTCDS spl_Type."""

    EDUCATION = "Education", _("Education")
    FINANCIAL = "Financial", _("Financial")
    HEALTH = "Health", _("Health")
    LABOUR_REHAB = "LabourExploitationRehabilitation", _("Recovery from labour exploitation")
    LEGAL = "Legal", _("Legal")
    LIVELIHOOD = "Livelihood", _("Livelihood")
    RIGHTS_TRAINING = "RightsBasedTraining", _("Rights-based training")
    SEXUAL_REHAB = "SexualExploitationRehabilitation", _("Recovery from sexual exploitation")
    SOCIAL_CARE = "SocialCare", _("Social care")


class ServiceKind(models.TextChoices):
    """The standard forms of assistance."""

    ACCOMMODATION = "accommodation", _("Safe accommodation")
    MEDICAL = "medical", _("Medical care")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    LEGAL = "legal", _("Legal assistance")
    INTERPRETATION = "interpretation", _("Interpretation")
    BASIC_NEEDS = "basic_needs", _("Food, clothing and basic needs")
    COMMUNICATION = "communication", _("Contact with family or consulate")
    MIGRATION_ADVICE = "migration_advice", _("Migration and residence advice")
    RETURN = "return", _("Assisted voluntary return")
    FAMILY_TRACING = "family_tracing", _("Family assessment and tracing")
    RISK_ASSESSMENT = "risk_assessment", _("Risk assessment")
    EDUCATION = "education", _("Education")
    VOCATIONAL = "vocational", _("Vocational training")
    LIVELIHOOD = "livelihood", _("Livelihood and micro-enterprise support")
    REINTEGRATION_GRANT = "reintegration_grant", _("Reintegration grant")
    HOUSING_ALLOWANCE = "housing_allowance", _("Housing allowance")
    DOCUMENTS = "documents", _("Document recovery")
    COMPENSATION = "compensation", _("Compensation claim")
    OTHER = "other", _("Other (re)integration support")
    # Offered by a competent authority: the formal identification decisions.
    IDENTIFICATION = "identification", _("Formal identification decisions")


class ServiceStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    DELIVERED = "delivered", _("Delivered")
    DECLINED = "declined", _("Declined by the person")


class DeclineReason(models.TextChoices):
    """Why a person declined a service, in coded form for the statistics. Nobody has to
    justify saying no: "did not say" is always a full answer."""

    NOT_SAID = "not_said", _("The person did not say")
    NOT_NEEDED = "not_needed", _("Does not need it now")
    ELSEWHERE = "elsewhere", _("Gets this help elsewhere")
    FEAR = "fear", _("Fear of the traffickers or of reprisals")
    DISTRUST = "distrust", _("Does not trust the provider or the authorities")
    CONDITIONS = "conditions", _("The conditions do not suit them (rules, place, times)")
    MUST_EARN = "must_earn", _("Needs to work and earn money")
    GO_HOME = "go_home", _("Wants to go home")
    FAMILY = "family", _("Family reasons")
    STIGMA = "stigma", _("Fear of shame or of being known")
    OTHER = "other", _("Another reason")


class RiskLevel(models.TextChoices):
    UNKNOWN = "unknown", _("Not assessed")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class FollowUpOutcome(models.TextChoices):
    WELL = "well", _("Doing well")
    CONCERNS = "concerns", _("Concerns: support needed")
    NOT_REACHED = "not_reached", _("Could not be reached")
    DECLINED = "declined", _("Did not want a check-in")


def _who() -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class NeedsAssessment(models.Model):
    """Needs and risks at the individual, family and community level; repeated over time."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("assessed on"))
    individual_needs = EncryptedTextField(_("the person's own needs"))
    family_needs = EncryptedTextField(_("family and household"))
    community_needs = EncryptedTextField(_("community"))
    retaliation_risk = models.CharField(
        _("risk of retaliation against the family"),
        max_length=8,
        choices=RiskLevel.choices,
        default=RiskLevel.UNKNOWN,
    )
    retrafficking_risk = models.CharField(
        _("risk of being trafficked again"),
        max_length=8,
        choices=RiskLevel.choices,
        default=RiskLevel.UNKNOWN,
    )
    created_by = _who()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-assessed_on", "-created_at"]

    def __str__(self) -> str:
        return f"assessment {self.pk} of case {self.case_id}"


class SupportObjective(models.Model):
    """One objective of the support plan (HTCDS spl_*), in one stage of protection."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="objectives")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    plan_type = models.CharField(_("type"), max_length=40, choices=PlanType.choices)
    objectives = EncryptedTextField(_("objectives"))
    action_plan = EncryptedTextField(_("action plan"))
    planned_end = models.DateField(_("planned end date"), null=True, blank=True)
    actual_end = models.DateField(_("actual end date"), null=True, blank=True)
    created_by = _who()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"objective {self.pk} of case {self.case_id}"


class Service(models.Model):
    """A service offered, delivered or declined. Declining closes nothing: it can be
    offered again, and the person may take it up later."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="services")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    kind = models.CharField(_("service"), max_length=24, choices=ServiceKind.choices)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ServiceStatus.choices)
    on = models.DateField(_("date"))
    decline_reason = models.CharField(
        _("why the person declined"), max_length=12, choices=DeclineReason.choices, blank=True
    )
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    note = EncryptedTextField(_("note"))
    created_by = _who()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["on", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status}) for case {self.case_id}"


class ReturnPlan(models.Model):
    """A voluntary return, with a risk assessment and a plan on the receiving side.

    Haven records a return only when the person asked for it: the record shows that it
    is not a deportation.
    """

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="return_plan")
    requested_on = models.DateField(_("the person asked to return on"))
    informed_consent = models.BooleanField(default=False)
    destination_country = models.CharField(_("country of return"), max_length=2)
    risk_assessed_on = models.DateField(_("risk assessed on"))
    risk_level = models.CharField(_("risk on return"), max_length=8, choices=RiskLevel.choices)
    risk_summary = EncryptedTextField(_("risk assessment"))
    receiving_organisation = models.CharField(_("receiving organisation"), max_length=200)
    receiving_plan = EncryptedTextField(_("plan on the receiving side"))
    travel_on = models.DateField(_("travel date"), null=True, blank=True)
    created_by = _who()
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    # A supervisor's approval (assistance.actions.approve_return_plan), void once the plan
    # changes. Where the person fears harm on return or was referred for asylum, approval
    # needs the supervisor's own protection assessment finding return safe, and the
    # person, told of that risk and of the right to seek asylum, still asking to go.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    protection_assessed_on = models.DateField(null=True, blank=True)
    protection_found_safe = models.BooleanField(default=False)
    protection_still_asks = models.BooleanField(default=False)
    protection_assessment = EncryptedTextField(_("protection assessment"))

    def __str__(self) -> str:
        return f"return plan of case {self.case_id}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class FollowUp(models.Model):
    """A reintegration check-in. A past due date without a record is a missed follow-up."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=FollowUpOutcome.choices, blank=True
    )
    note = EncryptedTextField(_("note"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            # The due lists (haven.cases.due) read only check-ins not yet recorded, by date.
            models.Index(
                fields=["due_on"],
                condition=models.Q(done_on__isnull=True),
                name="followup_open_due",
            ),
        ]

    def __str__(self) -> str:
        return f"follow-up {self.due_on} of case {self.case_id}"

    def is_missed(self, today: dt.date) -> bool:
        """Not recorded, past its date, on a case still open: on the case page and in
        `haven due` alike. A closed case's check-ins are "not done", never "missed"."""
        return self.done_on is None and self.due_on < today and not self.case.is_closed

    def is_due_by(self, today: dt.date, until: dt.date) -> bool:
        """Not recorded and due from today to `until`, on a case still open."""
        return self.done_on is None and today <= self.due_on <= until and not self.case.is_closed
