"""Consent and referrals. A referral shares only what the person consented to share with
that recipient for that purpose, and only while that consent lives."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import OrganisationType
from haven.assistance.models import ServiceKind
from haven.core.fields import EncryptedJSONField, EncryptedTextField


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("Identity: name, date of birth, identity documents")
    CONTACT = "contact", _("Contact details: phone and address")
    SCREENING = "screening", _("Screening results")
    NARRATIVE = "narrative", _("What happened: case narrative and notes")
    HEALTH = "health", _("Health information")
    LEGAL = "legal", _("Legal and criminal-justice information")


class Purpose(models.TextChoices):
    ASSISTANCE = "assistance", _("Referral for assistance and protection")
    LEGAL = "legal", _("Legal assistance")
    RETURN = "return", _("Voluntary return and reintegration")
    # To the competent authority of the jurisdiction, for its formal decision
    # (haven.identification.requests): the decision comes back to the case.
    IDENTIFICATION = "identification", _("Formal identification")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Written")
    VERBAL = "verbal", _("Verbal")
    CHILD = "child_assent_guardian", _("Child's assent and guardian's consent")


class Consent(models.Model):
    """One consent: these data categories, to this recipient, for this purpose, until then.

    Never deleted or edited: withdrawal is recorded on it, so the history stays whole.
    An expired consent counts as withdrawn.
    """

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="consents")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # The recipient: one provider of the directory, or every provider of a type.
    recipient_provider = models.ForeignKey(
        "directory.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Across a border: the Haven deployment that receives the file, and (where that
    # deployment publishes its organisations) the organisation there.
    recipient_deployment = models.ForeignKey(
        "referrals.Deployment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receiving Haven deployment"),
    )
    recipient_deployment_organisation = models.CharField(
        _("organisation at the receiving deployment"), max_length=64, blank=True
    )
    recipient_org_type = models.CharField(
        max_length=40, choices=OrganisationType.choices, blank=True
    )
    categories = models.JSONField(default=list)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    expires_on = models.DateField(_("valid until"))
    method = models.CharField(max_length=24, choices=ConsentMethod.choices)
    interpreter_used = models.BooleanField(default=False)
    # A child's consent is two: the guardian's consent and the child's own assent.
    guardian_consented = models.BooleanField(_("the guardian consents"), default=False)
    guardian_name = EncryptedTextField(_("guardian"))
    child_assented = models.BooleanField(_("the child assents"), default=False)
    # The HTCDS consent checklist.
    purpose_explained = models.BooleanField(default=False)
    uses_explained = models.BooleanField(default=False)
    anonymous_research = models.BooleanField(default=False)
    right_to_see_explained = models.BooleanField(default=False)
    storage_explained = models.BooleanField(default=False)
    withdrawal_explained = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = EncryptedTextField(_("reason for withdrawing"))

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"consent {self.pk} of person {self.person_id}"

    def is_expired(self, on: dt.date) -> bool:
        return self.expires_on < on

    def is_live(self, on: dt.date) -> bool:
        """Covers sharing on `on`: not withdrawn and not expired (the rule of consent.py)."""
        return self.withdrawn_at is None and not self.is_expired(on)

    @property
    def is_live_today(self) -> bool:
        return self.is_live(timezone.localdate())

    @property
    def is_expired_today(self) -> bool:
        return self.is_expired(timezone.localdate())

    @property
    def category_labels(self) -> list[str]:
        names = dict(DataCategory.choices)
        return [str(names.get(c, c)) for c in self.categories]

    def sent_outside_haven(self) -> list[Referral]:
        """The referrals of its case sent under this consent's scope by a channel that
        leaves Haven (letter, encrypted file, file to another deployment): what withdrawing
        cannot recall, so the worker knows whom to call.

        In scope: same purpose, a recipient this consent names, at least one category it
        covers, sent while it was live."""
        if self.case_id is None:
            return []
        sent = (
            Referral.objects.filter(
                case_id=self.case_id,
                direction=Direction.OUTGOING,
                purpose=self.purpose,
                sent_at__gte=self.recorded_at,
            )
            .exclude(channel=Channel.HAVEN)
            .select_related("service__provider")
            .order_by("sent_at", "pk")
        )
        if self.withdrawn_at is not None:
            sent = sent.filter(sent_at__lt=self.withdrawn_at)
        covered = set(self.categories)
        return [
            referral
            for referral in sent
            if covered & set(referral.categories)
            and timezone.localtime(referral.sent_at).date() <= self.expires_on
            and self._names_recipient_of(referral)
        ]

    def _names_recipient_of(self, referral: Referral) -> bool:
        if referral.service is None:
            return False
        provider = referral.service.provider
        if self.recipient_deployment_id is not None:
            deployment = self.recipient_deployment
            if referral.other_deployment != (deployment.ident if deployment else ""):
                return False
        elif referral.channel == Channel.CROSS_BORDER:
            return False
        if self.recipient_provider_id is not None:
            return self.recipient_provider_id == provider.pk
        return bool(self.recipient_org_type) and self.recipient_org_type == provider.org_type


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent, waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Help given")
    NOT_COMPLETED = "not_completed", _("Closed without the help")
    REVOKED = "revoked", _("Revoked by the sender")


class DeclineCode(models.TextChoices):
    """Why a receiving organisation declined a referral, coded for the referral flows and
    the statistics; the free text (encrypted) says more where needed."""

    NO_CAPACITY = "no_capacity", _("No place or capacity now")
    NOT_ELIGIBLE = "not_eligible", _("The person is not among those we serve (age, sex, ...)")
    NOT_OFFERED = "not_offered", _("We do not offer this service")
    OUTSIDE_AREA = "outside_area", _("Outside the area we cover")
    LANGUAGE = "language", _("We cannot work in the person's language")
    SAFETY = "safety", _("We cannot keep the person safe")
    PERSON_DECLINED = "person_declined", _("The person no longer wants this help")
    ALREADY_HELPED = "already_helped", _("The person already gets this help")
    OTHER = "other", _("Another reason")


class Channel(models.TextChoices):
    HAVEN = "haven", _("Inside Haven")
    LETTER = "letter", _("Referral letter (PDF)")
    ENCRYPTED_FILE = "encrypted_file", _("Encrypted file (PDF with a password)")
    CROSS_BORDER = "cross_border", _("Another Haven deployment (signed, encrypted file)")


class ReferralReason(models.TextChoices):
    """HTCDS cas_ReasonForOutgoingReferral / cas_ReasonForIncomingReferral."""

    ADDITIONAL_SERVICES = "AdditionalServicesRequired", _("Additional services required")
    MIGRATION = "MigrationOrChangeOfLocation", _("Migration or change of location")
    OTHER = "Other", _("Other")


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Outgoing")
    INCOMING = "incoming", _("Incoming from another deployment")


class Referral(models.Model):
    reference = models.CharField(max_length=16, unique=True, editable=False)
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.OUTGOING
    )
    # Sender side (outgoing): the case and organisation that referred.
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    sender_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sender_name = models.CharField(max_length=200, blank=True)  # imported: the sending body
    service = models.ForeignKey(
        "directory.DirectoryService",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    service_kind = models.CharField(max_length=24, blank=True)
    # Receiving side: an organisation on this Haven (inside Haven, or imported).
    recipient_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_referrals",
    )
    recipient_name = models.CharField(max_length=200, blank=True)
    # Cross-border: the other Haven deployment (the receiver of an outgoing referral, the
    # sender of an incoming one).
    other_deployment = models.CharField(max_length=60, blank=True)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    reason = models.CharField(max_length=40, choices=ReferralReason.choices)
    details = EncryptedTextField(_("what is asked"))
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(
        max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    # What the sender chose to share (always within live consent at send time). The
    # recipient sees the intersection with the consent still live at the time they look.
    categories = models.JSONField(default=list)
    # Imported from another deployment: the packet as received (encrypted at rest).
    packet = EncryptedJSONField(container="dict")
    message_id = models.CharField(max_length=64, blank=True)  # of the exchange file
    # What has left Haven and cannot be recalled: when a letter or a file was first made,
    # the categories the last one carried, and (cross-border) the file's version. Every
    # file of one referral shares its message id; a changed packet is a new version.
    left_at = models.DateTimeField(null=True, blank=True)
    left_categories = models.JSONField(default=list)
    file_version = models.PositiveIntegerField(default=0)
    file_digest = models.CharField(max_length=64, blank=True)
    # Incoming from another deployment: the sender's notice that consent was withdrawn
    # (or the referral revoked); the packet's personal data is gone since.
    withdrawal_noticed_at = models.DateTimeField(null=True, blank=True)
    withdrawal_why = models.CharField(max_length=24, blank=True)
    response_reason = EncryptedTextField(_("reason"))
    # Set when declined inside this deployment; an acknowledgement from another deployment
    # carries its free-text reason only.
    decline_code = models.CharField(
        _("why declined"), max_length=16, choices=DeclineCode.choices, blank=True
    )
    outcome = EncryptedTextField(_("outcome"))
    # Emergency override: imminent risk to life, named reason, time-limited.
    override_reason = EncryptedTextField(_("emergency reason"))
    override_until = models.DateTimeField(null=True, blank=True)
    override_categories = models.JSONField(default=list)
    # Encrypted-file channel: the one-time password the sender reads out to the recipient.
    file_password = EncryptedTextField(_("file password"))
    # Whom the recipient calls back: a user of the sending organisation (work contact only).
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Receiving side: the colleague a coordinator passed it to, and the case it opened here.
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receiver_case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_referrals",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return self.reference

    @property
    def service_label(self) -> str:
        return str(dict(ServiceKind.choices).get(self.service_kind, self.service_kind))

    @property
    def is_open(self) -> bool:
        return self.status in (ReferralStatus.SENT, ReferralStatus.ACCEPTED)

    def htcds_fields(self, *, incoming: bool | None = None) -> dict[str, str]:
        """The HTCDS v2 case fields this referral fills, by their system names: incoming
        for the receiving organisation, outgoing for the sender."""
        sent = self.sent_at.date().isoformat()
        if incoming is None:
            incoming = self.direction == Direction.INCOMING
        if incoming:
            return {
                "cas_ReferringOrganisation": self.sender_name
                or (self.sender_organisation.name if self.sender_organisation else ""),
                "cas_IncomingReferralDate": sent,
                "cas_ReasonForIncomingReferral": self.reason,
                "cas_IncomingReferralDetails": self.details,
            }
        return {
            "cas_ReferredOrganisation": self.recipient_name,
            "cas_OutgoingReferralDate": sent,
            "cas_ReasonForOutgoingReferral": self.reason,
            "cas_OutgoingReferralDetails": self.details,
        }

    def override_active(self, at: dt.datetime) -> bool:
        return bool(self.override_until and at < self.override_until)


class OverrideGround(models.TextChoices):
    """Why the person's consent is set aside: the few grounds that justify it."""

    IMMINENT_THREAT_TO_LIFE = "threat_to_life", _("Imminent threat to life")
    SERIOUS_HARM = "serious_harm", _("Medical emergency or risk of serious harm")
    CHILD_AT_RISK = "child_at_risk", _("A child at risk of harm")


class OverrideStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn by the requester")


class ApprovedAs(models.TextChoices):
    SUPERVISOR = "supervisor", _("Supervisor")
    # Only where the jurisdiction profile allows it, when no supervisor can be reached.
    SECOND_CASE_WORKER = "second_case_worker", _("Second case worker (no supervisor reachable)")


class OverrideRequest(models.Model):
    """A request to share a referral's packet without consent, in an emergency. Nothing
    opens until a second person approves it (haven.referrals.actions.decide_override);
    the approval sets the referral's override fields. Never deleted: the history stays."""

    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="override_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ground = models.CharField(_("ground"), max_length=16, choices=OverrideGround.choices)
    reason = EncryptedTextField(_("emergency reason"))
    categories = models.JSONField(default=list)
    hours = models.PositiveSmallIntegerField(_("hours"))
    status = models.CharField(
        max_length=12, choices=OverrideStatus.choices, default=OverrideStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved_as = models.CharField(max_length=20, choices=ApprovedAs.choices, blank=True)
    decision_note = EncryptedTextField(_("decision note"))
    version = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            # At most one request waits on a referral at a time.
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(status="pending"),
                name="one_pending_override_per_referral",
            )
        ]

    def __str__(self) -> str:
        return f"override request {self.pk} on {self.referral_id}"

    @property
    def is_pending(self) -> bool:
        return self.status == OverrideStatus.PENDING

    @property
    def category_labels(self) -> list[str]:
        return [str(DataCategory(c).label) for c in self.categories if c in DataCategory.values]


class ReferralMessage(models.Model):
    """One message on a referral between the two organisations: the authority asking for
    more information on an identification request, and the sender's answer. The thread
    gives no access to the case; what it says is encrypted like the rest."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="messages")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"message {self.pk} on {self.referral_id}"


class Deployment(models.Model):
    """A Haven deployment this one exchanges files with (or this one, `is_self`)."""

    ident = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, blank=True)
    signing_key = models.CharField(max_length=100)  # Ed25519 public key, base64
    encryption_key = models.CharField(max_length=100)  # X25519 public key, base64
    is_self = models.BooleanField(default=False)
    # The organisations it publishes in its identity file: [{"id": ..., "name": ...}].
    organisations = models.JSONField(default=list)
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.ident


class ExchangeReceipt(models.Model):
    """Every exchange file imported, by message id: a second import is a replay."""

    message_id = models.CharField(max_length=64, unique=True)
    sender = models.ForeignKey(Deployment, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16)
    imported_at = models.DateTimeField(default=timezone.now, editable=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return self.message_id
