from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class Action(models.TextChoices):
    LOGIN = "auth.login", _("Signed in")
    LOGIN_FAILED = "auth.login_failed", _("Failed sign-in")
    LOCKED = "auth.locked", _("Account locked after failed sign-ins")
    LOGOUT = "auth.logout", _("Signed out")
    TOTP_ENROLLED = "auth.totp_enrolled", _("Authenticator set up")
    TOTP_RESET = "auth.totp_reset", _("Authenticator reset")
    TOTP_REMOVED = "auth.totp_removed", _("Authenticator app removed")
    PASSKEY_ADDED = "auth.passkey_added", _("Passkey or security key added")
    PASSKEY_REMOVED = "auth.passkey_removed", _("Passkey or security key removed")
    RECOVERY_CODES_MADE = "auth.recovery_codes_made", _("Recovery codes made")
    RECOVERY_CODE_USED = "auth.recovery_code_used", _("Signed in with a recovery code")
    PASSWORD_CHANGED = "auth.password_changed", _("Password changed")
    PASSWORD_RESET = "user.password_reset", _("Password reset")
    PASSKEY_REQUIREMENT = "organisation.passkey_requirement", _("Passkey requirement changed")
    WORK_EMAIL_SET = "auth.work_email_set", _("Work e-mail for password reset set")
    EXCHANGE_REFUSED = "exchange.refused", _("Exchange file refused")
    ORGANISATION_CREATE = "organisation.create", _("Organisation created")
    USER_CREATE = "user.create", _("User created")
    USER_UNLOCK = "user.unlock", _("User unlocked")
    USER_LANGUAGES = "user.languages", _("Translator's languages changed")
    TRANSLATION_REVIEW = "translation.review", _("Translation marked reviewed or needing change")
    TRANSLATION_PROPOSE = "translation.propose", _("Translation change proposed")
    TRANSLATION_DECIDE = "translation.decide", _("Translation proposal accepted or rejected")
    STATISTICS_EXPORT = "statistics.export", _("Statistics downloaded")
    RELEASE_REQUEST = "release.request", _("Data release prepared")
    RELEASE_DECIDE = "release.decide", _("Data release approved or rejected")
    RELEASE_DOWNLOAD = "release.download", _("Data release downloaded")
    HTCDS_EXPORT = "htcds.export", _("Cases exported as HTCDS")
    HTCDS_IMPORT = "htcds.import", _("Cases imported from HTCDS")
    API_TOKEN_CREATE = "api.token_create", _("API token created")
    API_TOKEN_REVOKE = "api.token_revoke", _("API token revoked")
    PERSON_CREATE = "person.create", _("Person created")
    PERSON_UPDATE = "person.update", _("Person edited")
    PERSON_VIEW_IDENTITY = "person.view_identity", _("Identity viewed")
    PERSON_SEARCH = "person.search", _("People searched by name or document")
    CASE_CREATE = "case.create", _("Case opened")
    CASE_UPDATE = "case.update", _("Case edited")
    INTAKE_HAND_OVER = "intake.hand_over", _("Person handed over to casework")
    INTAKE_ASSIGN = "intake.assign", _("Case worker given to a handed-over person")
    SCREENING_START = "screening.start", _("Screening started")
    SCREENING_ANSWER = "screening.answer", _("Screening answers saved")
    SCREENING_RESUME = "screening.resume", _("Screening resumed")
    SCREENING_COMPLETE = "screening.complete", _("Screening completed")
    SCREENING_ATTACH = "screening.attach", _("Screening attached to a person")
    SCREENING_VIEW = "screening.view", _("Screening answers viewed")
    KEYS_ROTATE = "keys.rotate", _("Encryption keys rotated")
    IDENTIFICATION_CHANGE = "identification.change", _("Identification status changed")
    CASE_RECORD = "case.record", _("Case record edited")
    CASE_JOURNEY = "case.journey", _("Journey step added")
    CASE_AGE_ASSESSMENT = "case.age_assessment", _("Age assessment recorded")
    CASE_STATUS = "case.status", _("Case status changed")
    CASE_CLOSURE_REQUEST = "case.closure_request", _("Case closure requested")
    CASE_CLOSURE_DECIDE = "case.closure_decide", _("Case closure approved or refused")
    ASSISTANCE_ASSESSMENT = "assistance.assessment", _("Needs and risk assessment recorded")
    ASSISTANCE_PLAN = "assistance.plan", _("Support plan changed")
    ASSISTANCE_SERVICE = "assistance.service", _("Service recorded")
    ASSISTANCE_RETURN = "assistance.return", _("Return plan recorded")
    ASSISTANCE_RETURN_APPROVE = "assistance.return_approve", _("Return plan approved")
    ASSISTANCE_FOLLOW_UP = "assistance.follow_up", _("Follow-up scheduled or recorded")
    CARE_STAY = "care.stay", _("Shelter stay recorded or ended")
    CARE_FEEDBACK = "care.feedback", _("Feedback on a service recorded")
    CONSENT_RECORD = "consent.record", _("Consent recorded")
    CONSENT_WITHDRAW = "consent.withdraw", _("Consent withdrawn")
    REFERRAL_SEND = "referral.send", _("Referral sent")
    REFERRAL_VIEW = "referral.view_packet", _("Referral packet viewed")
    REFERRAL_RESPOND = "referral.respond", _("Referral accepted or declined")
    REFERRAL_COMPLETE = "referral.complete", _("Referral outcome recorded")
    REFERRAL_REVOKE = "referral.revoke", _("Referral revoked")
    REFERRAL_OVERRIDE = "referral.override", _("Emergency sharing without consent")
    OVERRIDE_REQUEST = "referral.override_request", _("Emergency sharing requested")
    OVERRIDE_DECIDE = "referral.override_decide", _("Emergency sharing approved or refused")
    OVERRIDE_WITHDRAW = "referral.override_withdraw", _("Emergency sharing request withdrawn")
    REFERRAL_EXPORT = "referral.export", _("Referral exported")
    REFERRAL_IMPORT = "referral.import", _("Referral file imported")
    REFERRAL_ROUTE = "referral.route", _("Incoming referral passed to a colleague")
    REFERRAL_CASE = "referral.case", _("Case opened for an incoming referral")
    REFERRAL_MESSAGE = "referral.message", _("Message on a referral")
    IDENTIFICATION_DECIDED = (
        "identification.request_decided",
        _("Identification request decided by the competent authority"),
    )
    SUBJECT_EXPORT = "subject.export", _("Everything held about a person exported for them")
    RETENTION_POLICY = "retention.policy", _("Retention policy set")
    LEGAL_HOLD_PLACE = "legal_hold.place", _("Legal hold placed on a case")
    LEGAL_HOLD_LIFT = "legal_hold.lift", _("Legal hold lifted")
    RETENTION_ANONYMISE = "retention.anonymise", _("Anonymised under the retention policy")
    RETENTION_DELETE = "retention.delete", _("Deleted under the retention policy")
    JUSTICE_PENALISATION = "justice.penalisation", _("Arrest, detention or charge recorded")
    JUSTICE_PROCEEDING = "justice.proceeding", _("Criminal proceedings recorded")
    JUSTICE_HEARING = "justice.hearing", _("Hearing recorded")
    JUSTICE_PROTECTION = "justice.protection", _("Protection measure recorded")
    JUSTICE_SAFETY = "justice.safety_review", _("Post-trial safety review recorded")
    JUSTICE_COMPENSATION = "justice.compensation", _("Compensation claim recorded")
    JUSTICE_LETTER = "justice.letter", _("Non-punishment request letter made")
    HOTLINE_CALL = "hotline.call", _("Hotline call logged")
    HOTLINE_SCREENING = "hotline.screening", _("Quick screening started from a hotline call")
    SOS_RAISE = "sos.raise", _("SOS alert raised")
    SOS_ACKNOWLEDGE = "sos.acknowledge", _("SOS alert acknowledged")
    DUTY_SET = "duty.set", _("Supervisor duty shift set or removed")
    LEAD_OPEN = "lead.open", _("Lead opened")
    LEAD_CHANGE = "lead.change", _("Lead assigned, passed on or closed")
    TRAINING_START = "training.start", _("Training scenario started")
    TRAINING_ANSWER = "training.answer", _("Training stage answered")
    TRAINING_SCENARIO = "training.scenario", _("Training scenario written or edited")
    TRAINING_QUIZ = "training.quiz", _("Training quiz answered")


class AuditEntry(models.Model):
    """One link of the hash chain. Never updated, never deleted (see haven.audit.chain).

    Holds who did what to which record, and the *names* of changed fields: never a value.
    """

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(_("time"), editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    action = models.CharField(_("action"), max_length=64, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=32, blank=True)
    object_ref = models.CharField(_("object reference"), max_length=64, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list)
    key_id = models.CharField(max_length=16, default="audit")
    # Which columns the MAC covers: 1 (entries written before December 2026) leaves out
    # key_id; 2 covers every stored column, this one included (haven.audit.chain).
    mac_version = models.PositiveSmallIntegerField(default=1, editable=False)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["organisation", "-seq"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries are append-only.")


class AuditHead(models.Model):
    """The chain's latest link, kept so that cutting entries off the end is detected.

    A single row; locking it serialises writers so sequence numbers stay contiguous.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.seq}"
