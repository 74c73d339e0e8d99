from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from haven.cases.choices import (
    AsylumReferral,
    ClosureReason,
    Cooperation,
    FearOfReturn,
    Industry,
    JourneyStage,
    Relationship,
)
from haven.core.fields import EncryptedTextField
from haven.identification.status import IdentificationStatus, TraffickingStatus


def writing_language() -> str:
    """The language the user is writing in: the active interface language."""
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


class CaseStatus(models.TextChoices):
    """HTCDS case status values. Moves between them: `haven.cases.actions.CASE_MOVES`."""

    ACTIVE = "Active", _("Active")
    FOLLOW_UP = "FollowUp", _("Follow-up")
    CLOSED = "Closed", _("Closed")
    CLOSED_REFERRED = "ClosedReferred", _("Closed, referred")


# A closed case is read-only: every change to it or to what hangs off it is refused
# (`haven.cases.actions.locked_case`) until it is reopened.
CLOSED_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED})


class Case(models.Model):
    """An organisation's work with one person. The person's identity stays on the person."""

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="cases"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("case worker"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.ACTIVE
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    # Notes can hold anything the person said: encrypted like identity.
    summary = EncryptedTextField(_("summary notes"))
    # The interface language the summary was written in, so the page can mark it with
    # its own `lang` when shown in another (screen readers, fonts, translation tools).
    summary_language = models.CharField(max_length=8, default=writing_language, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    # Identification: moved only by haven.identification.actions.change_status.
    jurisdiction = models.CharField(_("jurisdiction"), max_length=40, default="generic")
    identification_status = models.CharField(
        _("identification status"),
        max_length=20,
        choices=IdentificationStatus.choices,
        default=IdentificationStatus.SCREENED,
    )
    trafficking_status = models.CharField(
        _("trafficking status (HTCDS)"),
        max_length=40,
        choices=TraffickingStatus.choices,
        blank=True,
    )
    presumed_on = models.DateField(null=True, blank=True)
    first_decision_due = models.DateField(null=True, blank=True)
    first_decision_on = models.DateField(null=True, blank=True)
    final_decision_earliest = models.DateField(null=True, blank=True)
    final_decision_due = models.DateField(null=True, blank=True)
    reflection_starts = models.DateField(null=True, blank=True)
    reflection_ends = models.DateField(null=True, blank=True)

    # The case record, aligned with HTCDS v2 and extended where it falls short.
    exploitation_types = models.JSONField(default=list, blank=True)
    forced_labour_industry = models.CharField(max_length=60, choices=Industry.choices, blank=True)
    sex_exploitation_types = models.JSONField(default=list, blank=True)
    methods_of_control = models.JSONField(default=list, blank=True)
    recruitment_methods = models.JSONField(default=list, blank=True)
    recruitment_country = models.CharField(max_length=2, blank=True)
    relationship_to_trafficker = models.CharField(
        max_length=16, choices=Relationship.choices, blank=True
    )
    age_when_trafficked = models.PositiveSmallIntegerField(null=True, blank=True)
    recruitment_apps = models.JSONField(default=list, blank=True)
    exploitation_apps = models.JSONField(default=list, blank=True)
    # Cooperation with the authorities: recorded, never a condition for anything.
    cooperation = models.CharField(
        max_length=16, choices=Cooperation.choices, default=Cooperation.NONE
    )
    cooperation_since = models.DateField(null=True, blank=True)
    # Child cases.
    guardian = EncryptedTextField(_("guardian"))
    guardian_appointed_on = models.DateField(null=True, blank=True)
    # Why no guardian could be appointed yet (none available, appointment pending...):
    # recorded instead of a guardian, so the work can go on while it is sought.
    guardian_none_reason = EncryptedTextField(_("why no guardian could be appointed yet"))
    best_interests_assessed_on = models.DateField(null=True, blank=True)
    best_interests_summary = EncryptedTextField(_("best-interests assessment"))
    child_protection_notified_on = models.DateField(null=True, blank=True)
    # The child's own assent, apart from the guardian's consent (haven.cases.children).
    child_assent = models.BooleanField(_("the child assents"), default=False)
    child_assent_on = models.DateField(null=True, blank=True)
    child_assent_note = EncryptedTextField(_("the child's assent: note"))
    # International protection: kept apart from any criminal-justice cooperation.
    fear_of_return = models.CharField(
        max_length=8, choices=FearOfReturn.choices, default=FearOfReturn.UNKNOWN
    )
    asylum_referral = models.CharField(
        max_length=8, choices=AsylumReferral.choices, default=AsylumReferral.NOT_YET
    )
    asylum_referral_on = models.DateField(null=True, blank=True)

    # Closing needs a supervisor's approval: a request waits here until decided.
    closure_requested_status = models.CharField(
        max_length=16, choices=CaseStatus.choices, blank=True
    )
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    closure_details = EncryptedTextField(_("closure details"))
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closure_requested_at = models.DateTimeField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        # One index per filter and order of the case list (haven.cases.listing) and per
        # kind of due item (haven.cases.due): every page is a range read, not a scan and sort.
        indexes = [
            models.Index(fields=["organisation", "-opened_on", "-id"], name="case_org_opened"),
            models.Index(fields=["organisation", "-updated_at", "-id"], name="case_org_changed"),
            models.Index(fields=["organisation", "reference"], name="case_org_reference"),
            models.Index(
                fields=["organisation", "status", "-opened_on", "-id"],
                name="case_org_status_opened",
            ),
            models.Index(
                fields=["organisation", "identification_status", "-opened_on", "-id"],
                name="case_org_ident_opened",
            ),
            models.Index(fields=["assigned_to", "-opened_on", "-id"], name="case_worker_opened"),
            models.Index(
                fields=["organisation", "identification_status", "first_decision_due", "reference"],
                name="case_org_first_due",
            ),
            models.Index(
                fields=["organisation", "identification_status", "final_decision_due", "reference"],
                name="case_org_final_due",
            ),
            models.Index(fields=["organisation", "reflection_ends"], name="case_org_reflection"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    # What is due, as the case page and `haven due` (haven.cases.due) both judge it.

    @property
    def awaits_first_decision(self) -> bool:
        """Presumed, with a target date for the first decision, and still open."""
        return (
            not self.is_closed
            and self.identification_status == IdentificationStatus.PRESUMED
            and self.first_decision_due is not None
        )

    def first_decision_overdue(self, on: dt.date) -> bool:
        due = self.first_decision_due
        return self.awaits_first_decision and due is not None and due < on

    @property
    def awaits_final_decision(self) -> bool:
        """A positive first decision, with a target date for the final one, and still open."""
        return (
            not self.is_closed
            and self.identification_status == IdentificationStatus.FIRST_POSITIVE
            and self.final_decision_due is not None
        )

    def final_decision_overdue(self, on: dt.date) -> bool:
        due = self.final_decision_due
        return self.awaits_final_decision and due is not None and due < on

    def reflection_ends_between(self, start: dt.date, end: dt.date) -> bool:
        """The reflection period of an open case ends within [start, end]."""
        ends = self.reflection_ends
        return not self.is_closed and ends is not None and start <= ends <= end

    @property
    def closure_pending(self) -> bool:
        return bool(self.closure_requested_status)

    @property
    def is_child_case(self) -> bool:
        return self.person.is_possibly_child or (
            self.age_when_trafficked is not None and self.age_when_trafficked < 18
        )

    def in_reflection_period(self, on: dt.date) -> bool:
        return bool(
            self.reflection_starts
            and self.reflection_ends
            and self.reflection_starts <= on <= self.reflection_ends
        )


class AgeMethod(models.TextChoices):
    DOCUMENTS = "documents", _("Identity documents")
    INTERVIEW = "interview", _("Interview (holistic assessment)")
    MEDICAL = "medical", _("Medical examination")
    OTHER = "other", _("Other")


class AgeOutcome(models.TextChoices):
    ADULT = "adult", _("Adult")
    CHILD = "child", _("Child")
    UNCERTAIN = "uncertain", _("Age uncertain")


class AgeAssessment(models.Model):
    """One assessment of a person's age, as recorded on their case. Never edited: a new
    assessment is a new row, and the latest one counts (haven.cases.children)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="age_assessments")
    method = models.CharField(_("method"), max_length=16, choices=AgeMethod.choices)
    assessed_on = models.DateField(_("assessed on"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=AgeOutcome.choices)
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    # Where the age stays uncertain the person is treated as a child.
    benefit_of_doubt_applied = models.BooleanField(_("benefit of the doubt applied"), default=False)
    note = EncryptedTextField(_("note"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-assessed_on", "-created_at", "-pk"]
        verbose_name = _("age assessment")
        verbose_name_plural = _("age assessments")

    def __str__(self) -> str:
        return f"age assessment {self.pk} of case {self.case_id}"

    @property
    def counts_as_child(self) -> bool:
        """A child, or an age still uncertain: the person is treated as a child."""
        return self.outcome in (AgeOutcome.CHILD, AgeOutcome.UNCERTAIN)


class JourneyEvent(models.Model):
    """One dated step of the journey (HTCDS hte_*), shown as a timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="journey")
    stage = models.CharField(_("stage"), max_length=16, choices=JourneyStage.choices)
    happened_on = models.DateField(_("date"), null=True, blank=True)
    date_is_approximate = models.BooleanField(default=False)
    country = models.CharField(_("country"), max_length=2, blank=True)
    # A town or a workplace can point to a person: encrypted like identity.
    place = EncryptedTextField(_("place"))
    description = EncryptedTextField(_("what happened"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = [models.F("happened_on").asc(nulls_last=True), "created_at"]

    def __str__(self) -> str:
        return f"{self.stage} step of case {self.case_id}"


class EventKind(models.TextChoices):
    OPENED = "opened", _("Case opened")
    IDENTIFICATION = "identification", _("Identification status changed")
    RECORD = "record", _("Case record updated")
    JOURNEY = "journey", _("Journey step added")
    ASSESSMENT = "assessment", _("Needs and risk assessed")
    PLAN = "plan", _("Support plan changed")
    SERVICE = "service", _("Service recorded")
    SERVICE_UPDATED = "service_updated", _("Service updated")
    RETURN = "return", _("Return plan changed")
    RETURN_APPROVED = "return_approved", _("Return plan approved")
    FOLLOW_UP = "follow_up", _("Follow-up recorded")
    FOLLOW_UP_SCHEDULED = "follow_ups_scheduled", _("Follow-ups scheduled")
    STATUS = "status", _("Case status changed")
    CLOSURE_REQUESTED = "closure_requested", _("Closure requested")
    CLOSURE_APPROVED = "closure_approved", _("Closure approved")
    CLOSURE_REJECTED = "closure_rejected", _("Closure not approved")
    REOPENED = "reopened", _("Case reopened")
    CONSENT = "consent", _("Consent recorded")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    REFERRAL = "referral", _("Referral sent")
    REFERRAL_UPDATE = "referral_update", _("Referral answered or updated")
    OVERRIDE = "override", _("Emergency sharing without consent")
    ASSIGNED = "assigned", _("Case worker assigned")
    HANDED_OVER = "handed_over", _("Screening handed over to casework")
    REFERRED_IN = "referred_in", _("Incoming referral joined to the case")
    AGE_ASSESSED = "age_assessed", _("Age assessed")


class CaseEvent(models.Model):
    """The case's own history feed. Codes only: never a value of personal data."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    code = models.CharField(max_length=40, blank=True)  # e.g. the new status's code
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # The home page's newest activity reads the newest events first and stops at ten.
        indexes = [models.Index(fields=["-created_at", "-id"], name="caseevent_newest")]

    def __str__(self) -> str:
        return f"{self.kind} on case {self.case_id}"


class NoticeKind(models.TextChoices):
    """What a notification about a referral says (a case's own news is its CaseEvent)."""

    REFERRAL_RECEIVED = "referral_received", _("New incoming referral")
    REFERRAL_ROUTED = "referral_routed", _("Incoming referral passed to you")
    REFERRAL_REVOKED = "referral_revoked", _("Referral revoked by the sender")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn: the referral shares less")
    REFERRAL_MESSAGE = "referral_message", _("New message on an identification request")
    OVERRIDE_REQUESTED = "override_requested", _("Emergency sharing waits for your decision")
    OVERRIDE_DECIDED = "override_decided", _("Emergency sharing request decided")


class Notification(models.Model):
    """Tells a user that something happened: on a case of their team (`event`), or on a
    referral their organisation received (`referral`, with `kind`). Exactly one of the two."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(
        CaseEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField(max_length=20, choices=NoticeKind.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["user", "-created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(event__isnull=False, referral__isnull=True, kind="")
                    | models.Q(event__isnull=True, referral__isnull=False) & ~models.Q(kind="")
                ),
                name="notification_about_one_thing",
            )
        ]

    def __str__(self) -> str:
        return f"notification {self.pk} for user {self.user_id}"


class Intake(models.Model):
    """A person handed over from a completed screening, waiting for a case worker.

    The intake queue is every waiting intake of an organisation (`assigned_at` unset);
    supervisors and intake officers assign each in one step (`haven.cases.intake`).
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    screening = models.OneToOneField(
        "screening.Screening", on_delete=models.PROTECT, related_name="intake"
    )
    # Copied from the screening when handed over, so the queue can be ordered in SQL:
    # 0 urgent (urgent medical need, no safe place tonight), 1 child, 2 presumed, 3 other.
    priority = models.PositiveSmallIntegerField(default=3)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    handed_over_at = models.DateTimeField(default=timezone.now, editable=False)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["priority", "handed_over_at", "pk"]
        indexes = [
            models.Index(
                fields=["organisation", "priority", "handed_over_at"],
                condition=models.Q(assigned_at__isnull=True),
                name="intake_waiting",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(assigned_at__isnull=True),
                name="one_waiting_intake_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"intake {self.pk} of person {self.person_id}"

    @property
    def is_waiting(self) -> bool:
        return self.assigned_at is None
