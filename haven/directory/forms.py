from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import Organisation, OrganisationType
from haven.assistance.models import ServiceKind
from haven.cases.choices import ExploitationType
from haven.core.forms import checkbox
from haven.core.reference import (
    COMMON_LANGUAGES,
    Gender,
    country_choices,
    country_name,
    language_choices,
    language_lookup,
)
from haven.directory.models import DirectoryService, Provider
from haven.directory.search import Criteria

MAX_AREAS = 50
MAX_PLACES = 100_000


def _choice(label: Any, choices: Any, anything: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, required=False, choices=lambda: [("", anything), *_called(choices)]
    )


def _called(choices: Any) -> list[tuple[str, Any]]:
    return list(choices() if callable(choices) else choices)


def _text(label: Any, max_length: int, *, rows: int = 0, **kwargs: Any) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(
        label=label, required=False, max_length=max_length, widget=widget, **kwargs
    )


def _places(label: Any, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=0, max_value=MAX_PLACES, **kwargs
    )


class SearchForm(forms.Form):
    """The public filters. Sent by GET: they describe a need, not a person."""

    kind = _choice(_("Help with"), ServiceKind.choices, _("Any kind of help"))
    country = forms.ChoiceField(label=_("Country"), required=False)
    area = _text(
        _("Province or area"),
        100,
        help_text=_("Leave empty to see the whole country."),
    )
    language = _choice(_("Language spoken by the staff"), language_choices, _("Any language"))
    sex = _choice(_("Service for"), Gender.choices, _("Anyone"))
    age = forms.IntegerField(label=_("Age"), required=False, min_value=0, max_value=120)
    nationality = _choice(_("Nationality"), country_choices, _("Any nationality"))
    exploitation = _choice(
        _("What happened"), ExploitationType.choices, _("Any form of exploitation")
    )

    # What most visitors choose; the rest fold away so that results show on a phone.
    MAIN_PART = ("kind", "country", "area", "language")
    MORE_PART = ("sex", "age", "nationality", "exploitation")

    def __init__(self, *args: Any, countries: list[str], areas: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = areas  # suggested in a <datalist>; any name may be typed
        field = self.fields["country"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows for mypy
        named = sorted(((code, country_name(code)) for code in countries), key=lambda c: c[1])
        field.choices = [("", _("Any country")), *named]
        self.fields["area"].widget.attrs["list"] = "areas"

    def main_part(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MAIN_PART]

    def more_part(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MORE_PART]

    def more_chosen(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.MORE_PART)

    def criteria(self) -> Criteria:
        data = self.cleaned_data
        return Criteria(
            kind=data.get("kind", ""),
            country=data.get("country", ""),
            area=data.get("area", "").strip(),
            language=data.get("language", ""),
            sex=data.get("sex", ""),
            age=data.get("age"),
            nationality=data.get("nationality", ""),
            exploitation=data.get("exploitation", ""),
        )


def _codes(text: str) -> list[str]:
    codes = [c.strip().lower() for c in text.replace("\n", ",").split(",")]
    return list(dict.fromkeys(c for c in codes if c))


class ProviderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    organisation = forms.ModelChoiceField(
        label=_("Organisation in Haven"),
        queryset=Organisation.objects.all(),
        required=False,
        empty_label=_("Not in Haven"),
        help_text=_("Referrals to a provider that uses Haven stay inside Haven."),
    )
    org_type = forms.ChoiceField(label=_("Type"), choices=OrganisationType.choices)
    country = forms.ChoiceField(label=_("Country"), choices=lambda: [("", "—"), *country_choices()])
    areas = _text(
        _("Provinces or areas covered"),
        MAX_AREAS * 101,
        rows=3,
        help_text=_("One per line. Leave empty if it covers the whole country."),
    )
    address = _text(_("Address"), 500, rows=2)
    opening_hours = _text(_("Opening hours"), 300, help_text=_("For example: Every day, 24 hours"))
    phone = _text(_("Phone"), 64)
    email = forms.EmailField(label=_("Email"), required=False, max_length=254)
    website = forms.URLField(
        label=_("Website"), required=False, max_length=200, assume_scheme="https"
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        required=False,
        choices=language_choices,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    other_languages = _text(
        _("Other languages (ISO 639 codes)"),
        100,
        help_text=_("Separated by commas, for example: hmn, kac"),
    )
    public = checkbox(_("Show in the public directory"))
    confidential = checkbox(
        _("Confidential location: never show the address in public, only the phone and e-mail")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, may_link: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_link:
            del self.fields["organisation"]

    @staticmethod
    def initial_for(provider: Provider) -> dict[str, Any]:
        common = [code for code in provider.languages if code in COMMON_LANGUAGES]
        other = [code for code in provider.languages if code not in COMMON_LANGUAGES]
        return {
            "name": provider.name,
            "organisation": provider.organisation_id,
            "org_type": provider.org_type,
            "country": provider.country,
            "areas": "\n".join(provider.areas),
            "address": provider.address,
            "opening_hours": provider.opening_hours,
            "phone": provider.phone,
            "email": provider.email,
            "website": provider.website,
            "languages": common,
            "other_languages": ", ".join(other),
            "public": provider.public,
            "confidential": provider.confidential,
            "version": provider.version,
        }

    def clean_areas(self) -> list[str]:
        lines = [" ".join(line.split()) for line in self.cleaned_data["areas"].splitlines()]
        areas = list(dict.fromkeys(line for line in lines if line))
        if len(areas) > MAX_AREAS:
            raise ValidationError(_("Give at most %(n)s areas."), params={"n": MAX_AREAS})
        if any(len(area) > 100 for area in areas):
            raise ValidationError(_("Each area name can have at most 100 characters."))
        return areas

    def clean_other_languages(self) -> list[str]:
        codes = _codes(self.cleaned_data["other_languages"])
        unknown = [c for c in codes if language_lookup(c) is None]
        if unknown:
            raise ValidationError(
                _("Not an ISO 639 language code: %(codes)s"), params={"codes": ", ".join(unknown)}
            )
        return codes

    def data_for_action(self) -> dict[str, Any]:
        data = {
            k: (v.strip() if isinstance(v, str) else v)
            for k, v in self.cleaned_data.items()
            if k not in ("version", "other_languages")
        }
        data["languages"] = list(
            dict.fromkeys([*data["languages"], *self.cleaned_data["other_languages"]])
        )
        return data


def translated_languages() -> list[tuple[str, str]]:
    """The interface languages other than English: a service may be described in each."""
    return [(code, str(name)) for code, name in settings.LANGUAGES if code != "en"]


class ServiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Service"), choices=ServiceKind.choices)
    description = _text(
        _("Description in plain English"),
        2000,
        rows=3,
        help_text=_("Short sentences: what the service does, what it costs, how to reach it."),
    )
    sexes = forms.MultipleChoiceField(
        label=_("Only for people who are"),
        required=False,
        choices=Gender.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick nothing if the service is open to everyone."),
    )
    age_min = forms.IntegerField(
        label=_("Youngest age"), required=False, min_value=0, max_value=120
    )
    age_max = forms.IntegerField(label=_("Oldest age"), required=False, min_value=0, max_value=120)
    nationalities = forms.MultipleChoiceField(
        label=_("Only for nationals of"),
        required=False,
        choices=country_choices,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("Select nothing if any nationality is welcome."),
    )
    exploitation_types = forms.MultipleChoiceField(
        label=_("Only for people who suffered"),
        required=False,
        choices=ExploitationType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick nothing if the service helps after any form of exploitation."),
    )
    capacity = _places(_("Capacity"), help_text=_("For example the number of shelter beds."))
    accepts_referrals = checkbox(_("Accepts referrals"))
    confidential = checkbox(
        _(
            "Confidential location (e.g. a shelter): the provider's address is then never "
            "shown in public"
        )
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = list(self.fields.items())
        at = [name for name, _field in fields].index("description") + 1
        extra = []
        for code, name in translated_languages():
            field = _text(gettext("Description in %(language)s") % {"language": name}, 2000, rows=2)
            field.widget.attrs["lang"] = code  # the browser picks the script's font
            extra.append((f"description_{code}", field))
        self.fields = dict([*fields[:at], *extra, *fields[at:]])

    @staticmethod
    def initial_for(service: DirectoryService) -> dict[str, Any]:
        initial = {name: getattr(service, name) for name in SERVICE_FIELDS}
        descriptions = service.descriptions if isinstance(service.descriptions, dict) else {}
        for code, _name in translated_languages():
            initial[f"description_{code}"] = descriptions.get(code, "")
        return {**initial, "version": service.version}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", _("The oldest age cannot be below the youngest age."))
        return data

    def data_for_action(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in SERVICE_FIELDS}
        data["description"] = data["description"].strip()
        data["descriptions"] = {
            code: text
            for code, _name in translated_languages()
            if (text := self.cleaned_data.get(f"description_{code}", "").strip())
        }
        return data


SERVICE_FIELDS = (
    "kind",
    "description",
    "sexes",
    "age_min",
    "age_max",
    "nationalities",
    "exploitation_types",
    "capacity",
    "accepts_referrals",
    "confidential",
)


class AvailabilityForm(forms.Form):
    available = _places(_("Free places now"), help_text=_("Leave empty if you do not know."))
