from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedJSONField, EncryptedTextField
from haven.core.reference import AgeBand, Gender

# Identity fields: encrypted at rest, shown only to roles allowed to see identity, and
# every showing is audited. Everything else on the person is demographic and in clear.
IDENTITY_FIELDS = (
    "full_name",
    "given_name",
    "family_name",
    "aliases",
    "date_of_birth",
    "estimated_age",
    "age_basis",
    "documents",
    "phone",
    "address",
)
DEMOGRAPHIC_FIELDS = ("gender", "age_band", "citizenship", "languages")


class Person(models.Model):
    """A person met by a responder. Known to the system by a pseudonymous reference."""

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="people"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    # Optimistic lock: an edit names the version it started from.
    version = models.PositiveIntegerField(default=1)

    # Names are one free-text full name plus optional parts; no order is assumed.
    full_name = EncryptedTextField(_("full name"))
    given_name = EncryptedTextField(_("given name"))
    family_name = EncryptedTextField(_("family name"))
    aliases = EncryptedJSONField(_("other names and aliases"))
    date_of_birth = EncryptedTextField(_("date of birth"))
    estimated_age = EncryptedTextField(_("estimated age"))
    age_basis = EncryptedTextField(_("basis of the age estimate"))
    documents = EncryptedJSONField(_("identity documents"))
    phone = EncryptedTextField(_("phone"))
    address = EncryptedTextField(_("address"))

    gender = models.CharField(
        _("gender"), max_length=24, choices=Gender.choices, default=Gender.UNKNOWN
    )
    age_band = models.CharField(
        _("age band"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    citizenship = models.JSONField(_("citizenship"), default=list)
    languages = models.JSONField(_("languages"), default=list)

    class Meta:
        ordering = ["-created_at"]
        # The people list: an organisation's people, newest first.
        indexes = [
            models.Index(fields=["organisation", "-created_at", "-id"], name="person_org_newest")
        ]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_possibly_child(self) -> bool:
        return self.age_band in {AgeBand.UNDER_12, AgeBand.TEEN}


class IndexKind(models.TextChoices):
    NAME = "name", _("name")
    NAME_TOKEN = "name_token", _("name part")
    NAME_LATIN = "name_latin", _("name part in Latin letters")
    NAME_SOUND = "name_sound", _("sound of a name part")
    DOCUMENT = "document", _("document number")


class PersonIndex(models.Model):
    """Blind index: keyed digests of normalised names, name parts and document numbers.

    Lets staff find a person by a whole name, any of its parts (as written, romanised, or
    by sound; see `haven.people.names`) or a document number without the database ever
    holding any of them in clear. Rebuilt whenever identity changes.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="index_entries")
    kind = models.CharField(max_length=16, choices=IndexKind.choices)
    digest = models.CharField(max_length=64)

    KINDS: ClassVar[tuple[str, ...]] = tuple(IndexKind.values)

    class Meta:
        indexes = [models.Index(fields=["kind", "digest"])]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "digest"], name="unique_index_entry")
        ]

    def __str__(self) -> str:
        return f"{self.kind} index"
