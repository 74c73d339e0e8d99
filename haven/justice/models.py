"""Criminal justice around a case: what the authorities did to the person (arrest,
detention, charges) and what the person takes part in by choice (proceedings, hearings,
protection measures, compensation claims).

Two principles hold here. Non-punishment: a victim is not detained, charged or prosecuted
for acts they were compelled to commit, so Haven records those acts of the state and helps
to ask for them to end. Voluntary cooperation: nothing in assistance reads these records;
a person who declines to take part loses no help.

Every free text can name a place, a unit or a person: encrypted like identity. Country
codes and coded lists stay in clear for the statistics.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedTextField


class PenalisationKind(models.TextChoices):
    ARREST = "arrest", _("Arrest")
    CUSTODY = "custody", _("Police custody")
    IMMIGRATION_DETENTION = "immigration_detention", _("Immigration detention")
    CHARGE = "charge", _("Criminal charge")
    FINE = "fine", _("Fine or administrative penalty")
    REMOVAL = "removal", _("Deportation or removal order")


class AfterPresumption(models.TextChoices):
    """What the statistics count: presumed victims whom the state then treated as offenders
    (haven.stats.facts tags each person with the groups of their penalisations dated after
    the presumption)."""

    DETAINED = "detained", _("Arrested or detained")
    CHARGED = "charged", _("Charged or fined")
    REMOVED = "removed", _("Ordered deported or removed")


PENALISATION_GROUP: dict[str, str] = {
    PenalisationKind.ARREST: AfterPresumption.DETAINED,
    PenalisationKind.CUSTODY: AfterPresumption.DETAINED,
    PenalisationKind.IMMIGRATION_DETENTION: AfterPresumption.DETAINED,
    PenalisationKind.CHARGE: AfterPresumption.CHARGED,
    PenalisationKind.FINE: AfterPresumption.CHARGED,
    PenalisationKind.REMOVAL: AfterPresumption.REMOVED,
}


class Authority(models.TextChoices):
    POLICE = "police", _("Police")
    IMMIGRATION = "immigration", _("Immigration")
    PROSECUTION = "prosecution", _("Prosecution")
    COURT = "court", _("Court")
    LABOUR = "labour", _("Labour authority")
    OTHER = "other", _("Other")


class PenalisationOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    RELEASED = "released", _("Released without charge")
    DROPPED = "dropped", _("Charges dropped or not prosecuted")
    NON_PUNISHMENT = "non_punishment", _("Non-punishment applied")
    ACQUITTED = "acquitted", _("Acquitted")
    CONVICTED = "convicted", _("Convicted")
    FINED = "fined", _("Fined")
    REMOVED = "removed", _("Deported or removed")


class RequestDecision(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class ProceedingStage(models.TextChoices):
    INVESTIGATION = "investigation", _("Investigation")
    PROSECUTION = "prosecution", _("Prosecution")
    TRIAL = "trial", _("Trial")
    APPEAL = "appeal", _("Appeal")


class ProceedingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SUSPENDED = "suspended", _("Suspended")
    CONVICTION = "conviction", _("Ended: conviction")
    ACQUITTAL = "acquittal", _("Ended: acquittal")
    DISCONTINUED = "discontinued", _("Ended: dropped or discontinued")


ENDED_PROCEEDINGS = frozenset(
    {ProceedingStatus.CONVICTION, ProceedingStatus.ACQUITTAL, ProceedingStatus.DISCONTINUED}
)


class PersonRole(models.TextChoices):
    WITNESS = "witness", _("Witness")
    VICTIM_WITNESS = "victim_witness", _("Victim-witness")
    CIVIL_PARTY = "civil_party", _("Civil party")
    COMPLAINANT = "complainant", _("Complainant")
    ACCUSED = "accused", _("Accused")


class Participation(models.TextChoices):
    """The person's own choice: recorded, never a condition for any help."""

    UNDECIDED = "undecided", _("Has not decided yet")
    AGREED = "agreed", _("Agreed to take part")
    DECLINED = "declined", _("Declined to take part")


class Interpreter(models.TextChoices):
    NOT_NEEDED = "not_needed", _("Not needed")
    NEEDED = "needed", _("Needed, not yet provided")
    PROVIDED = "provided", _("Provided")


class Representation(models.TextChoices):
    NONE = "none", _("None")
    REQUESTED = "requested", _("Requested")
    PROVIDED = "provided", _("Provided")


class HearingKind(models.TextChoices):
    PRELIMINARY = "preliminary", _("Preliminary hearing")
    TESTIMONY = "testimony", _("Testimony")
    TRIAL = "trial", _("Trial session")
    VERDICT = "verdict", _("Verdict")
    APPEAL = "appeal", _("Appeal hearing")
    OTHER = "other", _("Other")


class Attendance(models.TextChoices):
    UNDECIDED = "undecided", _("Has not decided yet")
    IN_PERSON = "in_person", _("Attends in person")
    VIDEO = "video", _("Attends by video link")
    NOT_REQUIRED = "not_required", _("Not required to attend")
    DECLINED = "declined", _("Declined to attend")


class MeasureKind(models.TextChoices):
    VIDEO_LINK = "video_link", _("Testimony by video link")
    SCREEN = "screen", _("Testimony behind a screen")
    CLOSED_HEARING = "closed_hearing", _("Closed hearing")
    IDENTITY = "identity", _("Identity protection")
    RECORDED = "recorded", _("Recorded statement instead of live testimony")
    SUPPORT_PERSON = "support_person", _("Support person present")
    SEPARATE_WAITING = "separate_waiting", _("Separate waiting area")
    NO_CONTACT = "no_contact", _("No-contact order")
    POLICE_PROTECTION = "police_protection", _("Police protection")
    RELOCATION = "relocation", _("Relocation")
    OTHER = "other", _("Other")


class MeasureDecision(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Request withdrawn")


class SafetyOutcome(models.TextChoices):
    SAFE = "safe", _("No current risk")
    CONCERNS = "concerns", _("Concerns: measures needed")
    AT_RISK = "at_risk", _("At risk: act now")
    NOT_REACHED = "not_reached", _("Could not be reached")


class CompensationRoute(models.TextChoices):
    CRIMINAL = "criminal", _("Criminal court, with the prosecution")
    CIVIL = "civil", _("Civil claim")
    LABOUR = "labour", _("Labour claim (unpaid wages)")
    STATE_FUND = "state_fund", _("State compensation fund")
    OTHER = "other", _("Other")


class ClaimStatus(models.TextChoices):
    PREPARING = "preparing", _("Being prepared")
    FILED = "filed", _("Filed")
    AWARDED = "awarded", _("Awarded, not yet paid")
    PAID_PART = "paid_part", _("Partly paid")
    PAID = "paid", _("Paid in full")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def _who() -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class JusticeRecord(models.Model):
    """What every record here has: its case, who made it, when, and a version."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    created_by = _who()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class Penalisation(JusticeRecord):
    """An arrest, a detention, a charge or a penalty, its outcome, and any request that it
    be dropped under the non-punishment principle."""

    kind = models.CharField(max_length=24, choices=PenalisationKind.choices)
    on = models.DateField()
    authority_type = models.CharField(max_length=12, choices=Authority.choices)
    authority = EncryptedTextField()
    country = models.CharField(max_length=2, blank=True)
    # A province or district at most: a detention centre's name can find the person.
    area = EncryptedTextField()
    offence = EncryptedTextField()
    outcome = models.CharField(
        max_length=16, choices=PenalisationOutcome.choices, default=PenalisationOutcome.PENDING
    )
    outcome_on = models.DateField(null=True, blank=True)
    non_punishment_requested_on = models.DateField(null=True, blank=True)
    non_punishment_decision = models.CharField(
        max_length=10, choices=RequestDecision.choices, blank=True
    )
    note = EncryptedTextField()

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} of case {self.case_id}"


class Proceeding(JusticeRecord):
    """One criminal proceeding the person is part of, in whatever role."""

    stage = models.CharField(max_length=16, choices=ProceedingStage.choices)
    status = models.CharField(
        max_length=16, choices=ProceedingStatus.choices, default=ProceedingStatus.OPEN
    )
    authority = EncryptedTextField()
    country = models.CharField(max_length=2, blank=True)
    person_role = models.CharField(max_length=16, choices=PersonRole.choices)
    participation = models.CharField(
        max_length=10, choices=Participation.choices, default=Participation.UNDECIDED
    )
    interpreter = models.CharField(
        max_length=12, choices=Interpreter.choices, default=Interpreter.NOT_NEEDED
    )
    legal_representation = models.CharField(
        max_length=10, choices=Representation.choices, default=Representation.NONE
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    note = EncryptedTextField()

    class Meta:
        ordering = ["started_on", "pk"]

    def __str__(self) -> str:
        return f"{self.stage} proceeding of case {self.case_id}"


class Hearing(JusticeRecord):
    """A hearing of a proceeding, past or planned, and the support the person had."""

    proceeding = models.ForeignKey(Proceeding, on_delete=models.CASCADE, related_name="hearings")
    on = models.DateField()
    kind = models.CharField(max_length=12, choices=HearingKind.choices)
    attendance = models.CharField(
        max_length=12, choices=Attendance.choices, default=Attendance.UNDECIDED
    )
    support = EncryptedTextField()

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"hearing {self.on} of case {self.case_id}"


class ProtectionMeasure(JusticeRecord):
    """A protection measure asked for in a proceeding, and the decision on it."""

    proceeding = models.ForeignKey(
        Proceeding, on_delete=models.CASCADE, related_name="protection_measures"
    )
    measure = models.CharField(max_length=20, choices=MeasureKind.choices)
    requested_on = models.DateField()
    decision = models.CharField(
        max_length=10, choices=MeasureDecision.choices, default=MeasureDecision.PENDING
    )
    decided_on = models.DateField(null=True, blank=True)
    note = EncryptedTextField()

    class Meta:
        ordering = ["requested_on", "pk"]

    def __str__(self) -> str:
        return f"{self.measure} ({self.decision}) of case {self.case_id}"


class SafetyReview(JusticeRecord):
    """After a trial: is the person safe now, and what follows."""

    proceeding = models.ForeignKey(
        Proceeding, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_on = models.DateField()
    outcome = models.CharField(max_length=12, choices=SafetyOutcome.choices)
    follow_up = EncryptedTextField()
    follow_up_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["reviewed_on", "pk"]

    def __str__(self) -> str:
        return f"safety review {self.reviewed_on} of case {self.case_id}"


class CompensationClaim(JusticeRecord):
    """A claim for compensation or unpaid wages, and what was actually received."""

    route = models.CharField(max_length=12, choices=CompensationRoute.choices)
    status = models.CharField(
        max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PREPARING
    )
    filed_on = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    amount_claimed = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    amount_awarded = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    amount_received = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    note = EncryptedTextField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.route} claim ({self.status}) of case {self.case_id}"
