"""The hotline's forms. They parse and check shapes; every rule is the actions'."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from haven.accounts.models import Organisation
from haven.cases.choices import Industry
from haven.core.places import regions
from haven.core.reference import country_name
from haven.hotline import advice as advice_library
from haven.hotline.actions import MAX_DISTRICT, MAX_NOTES, MAX_SOS_TEXT, MAX_SUMMARY
from haven.hotline.choices import OTHER_LANGUAGE, CallerType, CallOutcome, Channel, Topic

# Countries whose regions the place list offers, besides the organisation's own: the
# countries of origin and destination this deployment's hotlines mostly hear about.
PLACE_COUNTRIES = ("KH", "ID", "LA", "MY", "MM", "TH", "VN")


def place_choices(home: str) -> list[tuple[str, Any]]:
    """The place list: "not said", then per country "somewhere in" it and its regions.
    A value is a region code (TH-10) or a country code alone (TH)."""
    countries = [home.upper()] if home else []
    countries += [code for code in PLACE_COUNTRIES if code not in countries]
    choices: list[tuple[str, Any]] = [("", _("Not said"))]
    for code in countries:
        name = country_name(code)
        somewhere = _("Somewhere in %(country)s") % {"country": name}
        choices.append((name, [(code, somewhere), *regions(code)]))
    return choices


def split_place(value: str) -> tuple[str, str]:
    """(country, region) from a place value."""
    if not value:
        return "", ""
    if "-" in value:
        return value.split("-", 1)[0], value
    return value, ""


def language_choices() -> list[tuple[str, Any]]:
    return [*settings.LANGUAGES, (OTHER_LANGUAGE, pgettext_lazy("language", "Other"))]


def _choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows for mypy
    field.choices = choices


class _UserField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.username)


class PlaceField(forms.ChoiceField):
    def __init__(self, home: str, **kwargs: Any) -> None:
        super().__init__(choices=place_choices(home), required=False, **kwargs)


class CallForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    caller_type = forms.ChoiceField(label=_("Who called"), choices=CallerType.choices)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    language = forms.ChoiceField(label=_("Language of the call"))
    advice = forms.MultipleChoiceField(
        label=_("Advice given"), required=False, widget=forms.CheckboxSelectMultiple
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=CallOutcome.choices, widget=forms.RadioSelect
    )
    caller_consent = forms.BooleanField(
        label=_("The caller agrees that what they said is passed to police or an NGO"),
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=MAX_NOTES,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only what is needed. No name or phone number is needed."),
    )

    def __init__(self, *args: Any, organisation: Organisation, language: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "language", language_choices())
        self.fields["place"] = PlaceField(organisation.country, label=_("Where (region)"))
        _choices(
            self,
            "advice",
            [(script.key, script.title) for script in advice_library.scripts(language)],
        )
        self.order_fields(["channel", "caller_type", "topic", "language", "place"])


class SosForm(forms.Form):
    where = forms.CharField(
        label=_("Where"),
        required=False,
        max_length=MAX_SOS_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A landmark, a building, a town: enough to find them."),
    )
    who = forms.CharField(
        label=_("Who is in danger"),
        required=False,
        max_length=MAX_SOS_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How many people, adults or children. No names needed."),
    )
    danger = forms.CharField(
        label=_("What danger"),
        max_length=MAX_SOS_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    language = forms.ChoiceField(label=_("Language of the call"))

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "language", language_choices())
        self.fields["place"] = PlaceField(organisation.country, label=_("Region"))
        self.order_fields(["place", "where", "who", "danger", "channel", "language"])


class LeadForm(forms.Form):
    """A tip about a third person, from a call: it opens a lead, never a person record."""

    sector = forms.ChoiceField(
        label=_("Sector"), required=False, choices=[("", "—"), *Industry.choices]
    )
    district = forms.CharField(label=_("District code"), required=False, max_length=MAX_DISTRICT)
    summary = forms.CharField(
        label=_("What the tip says"),
        max_length=MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was seen or heard, and where. Leave out the caller's name."),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["place"] = PlaceField(organisation.country, label=_("Where (region)"))
        self.order_fields(["place", "district", "sector", "summary"])


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AssignLeadForm(VersionForm):
    worker = _UserField(label=_("Outreach worker"), queryset=None)

    def __init__(self, *args: Any, workers: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers  # type: ignore[attr-defined]


class PassLeadForm(VersionForm):
    organisation = forms.ModelChoiceField(  # type: ignore[var-annotated]
        label=_("Organisation in Haven"), queryset=None, required=False
    )
    provider = forms.ModelChoiceField(  # type: ignore[var-annotated]
        label=_("Or a provider of the directory"), queryset=None, required=False
    )
    identifies_caller = forms.BooleanField(
        label=_("What is passed on could identify the caller"), required=False
    )
    caller_consent = forms.BooleanField(
        label=_("The caller agrees that it is passed on"), required=False
    )

    def __init__(self, *args: Any, organisations: Any, providers: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]


class DutyForm(forms.Form):
    supervisor = _UserField(label=_("Supervisor"), queryset=None)
    starts_at = forms.DateTimeField(
        label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args: Any, supervisors: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors  # type: ignore[attr-defined]
        if not self.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("starts_at", now)
            self.initial.setdefault("ends_at", now + dt.timedelta(hours=8))


class CallFilterForm(forms.Form):
    day = forms.DateField(
        label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    topic = forms.ChoiceField(
        label=_("Topic"), required=False, choices=[("", _("All topics")), *Topic.choices]
    )


class VolumeForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end must not be before the start."))
            if (end - start).days > 366:
                raise forms.ValidationError(_("Choose a period of a year at most."))
        return data
