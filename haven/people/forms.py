from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.core.crypto import normalise_document_number
from haven.core.forms import ZawgyiCheckForm
from haven.core.reference import (
    DOCUMENT_TYPES,
    Gender,
    country_choices,
    language_choices,
    language_lookup,
)
from haven.people import names

MAX_ALIASES = 10
MAX_DOCUMENTS = 6


def _text(label: Any, max_length: int, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=False, **kwargs)


class PersonForm(ZawgyiCheckForm):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        help_text=_("As the person says it, in any script and in the order they use."),
    )
    given_name = _text(_("Given name (optional)"), 100)
    family_name = _text(_("Family name (optional)"), 100)
    aliases = _text(
        _("Other names and aliases"),
        MAX_ALIASES * 202,  # 200 characters and a CRLF line break per name
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    estimated_age = forms.IntegerField(
        label=_("Estimated age in years"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("When the date of birth is not known."),
    )
    age_basis = _text(
        _("Basis of the age estimate"),
        500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: the person's own account, a document, an assessment."),
    )
    phone = _text(_("Phone"), 40, widget=forms.TextInput(attrs={"type": "tel"}))
    address = _text(_("Address"), 500, widget=forms.Textarea(attrs={"rows": 2}))
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, initial=Gender.UNKNOWN)
    citizenship = forms.MultipleChoiceField(
        label=_("Citizenship"),
        required=False,
        choices=country_choices,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        required=False,
        choices=language_choices,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    other_languages = _text(
        _("Other languages (ISO 639 codes)"),
        100,
        help_text=_("Separated by commas, for example: hmn, kac"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    IDENTITY_PART = (
        "full_name",
        "given_name",
        "family_name",
        "aliases",
        "date_of_birth",
        "estimated_age",
        "age_basis",
        "phone",
        "address",
    )
    ABOUT_PART = ("gender", "citizenship", "languages", "other_languages")

    def identity_part(self) -> list[forms.BoundField]:
        return [self[name] for name in self.IDENTITY_PART]

    def about_part(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ABOUT_PART]

    def clean_aliases(self) -> list[str]:
        lines = [" ".join(line.split()) for line in self.cleaned_data["aliases"].splitlines()]
        aliases = [line for line in lines if line]
        if len(aliases) > MAX_ALIASES:
            raise ValidationError(_("Give at most %(n)s other names."), params={"n": MAX_ALIASES})
        if any(len(alias) > 200 for alias in aliases):
            raise ValidationError(_("Each name can be at most 200 characters."))
        return aliases

    def clean_date_of_birth(self) -> str:
        value: dt.date | None = self.cleaned_data["date_of_birth"]
        if value is None:
            return ""
        if value > timezone.localdate() or value.year < 1900:
            raise ValidationError(_("Enter a date of birth between 1900 and today."))
        return value.isoformat()

    def clean_estimated_age(self) -> str:
        value = self.cleaned_data["estimated_age"]
        return "" if value is None else str(value)

    def clean_other_languages(self) -> list[str]:
        codes = [c.strip().lower() for c in self.cleaned_data["other_languages"].split(",")]
        codes = [c for c in codes if c]
        unknown = [c for c in codes if language_lookup(c) is None]
        if unknown:
            raise ValidationError(
                _("Not an ISO 639 language code: %(codes)s"), params={"codes": ", ".join(unknown)}
            )
        return codes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("estimated_age") and not data.get("age_basis"):
            self.add_error("age_basis", _("Say what the age estimate is based on."))
        if data.get("date_of_birth") and data.get("estimated_age"):
            self.add_error(
                "estimated_age", _("Give either a date of birth or an estimated age, not both.")
            )
        return data

    def person_data(self, documents: list[dict[str, str]]) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        extra = data.pop("other_languages", [])
        data["languages"] = list(dict.fromkeys([*data.get("languages", []), *extra]))
        data.pop("version", None)
        data["documents"] = documents
        return data


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(
        label=_("Document"), choices=[("", "—"), *DOCUMENT_TYPES], required=False
    )
    number = _text(_("Number"), 64)
    country = forms.ChoiceField(
        label=_("Issued by"),
        required=False,
        choices=lambda: [("", "—"), *country_choices()],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("number") and not data.get("doc_type"):
            self.add_error("doc_type", _("Choose the kind of document."))
        return data


class BaseDocumentFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def documents(self) -> list[dict[str, str]]:
        rows = []
        for form in self.forms:
            data = form.cleaned_data
            if data.get("number"):
                rows.append(
                    {"type": data["doc_type"], "number": data["number"], "country": data["country"]}
                )
        return rows


DocumentFormSet = forms.formset_factory(
    DocumentForm,
    formset=BaseDocumentFormSet,
    extra=1,
    max_num=MAX_DOCUMENTS,
    validate_max=True,
    absolute_max=MAX_DOCUMENTS,
)


def document_formset(
    data: Any = None, initial: list[dict[str, str]] | None = None
) -> BaseDocumentFormSet:
    formset = DocumentFormSet(data, initial=initial, prefix="doc")
    assert isinstance(formset, BaseDocumentFormSet)  # noqa: S101 - narrows for mypy
    return formset


class SearchForm(forms.Form):
    name = _text(_("Name or part of a name"), 200)
    document = _text(_("Document number"), 64)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        if not name.strip():
            return ""
        parts = names.tokens(name)
        if not parts:
            raise ValidationError(_("A name needs at least one letter or digit."))
        if len(parts) > names.MAX_SEARCH_TOKENS:
            raise ValidationError(
                _("Search with at most %(n)s name parts."), params={"n": names.MAX_SEARCH_TOKENS}
            )
        return name

    def clean_document(self) -> str:
        document: str = self.cleaned_data["document"]
        if document.strip() and not normalise_document_number(document):
            raise ValidationError(_("A document number needs at least one letter or digit."))
        return document

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if not data.get("name", "").strip() and not data.get("document", "").strip():
            raise ValidationError(_("Enter a name or a document number."))
        return data


class DuplicateConfirmForm(forms.Form):
    """The explicit answer to a possible-duplicate warning."""

    confirmed_not_duplicate = forms.BooleanField(
        label=_("I have checked: this is a different person. Record them anyway."),
        required=False,
    )
