"""The campaign pages' forms: they parse input; the rules are in haven.campaigns.actions."""

from __future__ import annotations

from typing import Any

import pycountry
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from haven.campaigns import storage
from haven.campaigns.models import (
    Campaign,
    Channel,
    IndicatorKind,
    Literacy,
    Medium,
    language_choices,
)
from haven.core.places import region_name, regions

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def country_choices() -> list[tuple[str, str]]:
    found = [(c.alpha_2, c.name) for c in pycountry.countries if regions(c.alpha_2)]
    return [("", "---------"), *sorted(found, key=lambda item: item[1])]


def _set_choices(form: forms.Form, name: str, choices: list[tuple[Any, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows for mypy
    field.choices = choices


class VersionedForm(forms.Form):
    # The campaign version the form showed: a save by someone else meanwhile is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class BasicsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DATE)
    end_date = forms.DateField(label=_("End date"), required=False, widget=DATE)
    success = forms.CharField(
        label=_("What success looks like"),
        help_text=_("How you will know, at the end, that the campaign worked."),
        required=False,
        max_length=5000,
        widget=_area(),
    )


class EditBasicsForm(BasicsForm, VersionedForm):
    pass


class GettingStartedForm(VersionedForm):
    situation = forms.CharField(
        label=_("Situation: what research found"), required=False, widget=_area(4)
    )
    partners = forms.CharField(label=_("Partners"), required=False, widget=_area(2))
    budget = forms.CharField(label=_("Budget"), required=False, widget=_area(2))
    risks = forms.CharField(
        label=_("Risks"),
        help_text=_("To the campaign, to staff and partners, and to the audience."),
        required=False,
        widget=_area(3),
    )
    harm_to_people_shown = forms.CharField(
        label=_("Risk to the people shown and how it is avoided"),
        help_text=_(
            "Survivors, families or actors in pictures, video or stories can be recognised, "
            "shamed or found. Required before the campaign may start."
        ),
        required=False,
        widget=_area(3),
    )


class ObjectiveForm(VersionedForm):
    change = forms.CharField(label=_("What changes"), max_length=1000, widget=_area(2))
    for_whom = forms.CharField(label=_("For whom"), max_length=1000)
    by_when = forms.DateField(label=_("By when"), widget=DATE)


class RemoveForm(VersionedForm):
    item = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AudienceForm(VersionedForm):
    audience = forms.CharField(label=_("Who the campaign is for"), required=False, widget=_area())
    country = forms.ChoiceField(label=_("Country"), required=False)
    regions = forms.MultipleChoiceField(
        label=_("Regions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose the country and save to see its regions."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), required=False, widget=forms.CheckboxSelectMultiple
    )
    other_languages = forms.CharField(label=_("Other languages"), required=False, max_length=200)
    literacy = forms.ChoiceField(
        label=_("Literacy"),
        required=False,
        choices=[("", "---------"), *Literacy.choices],
    )
    media_used = forms.MultipleChoiceField(
        label=_("Media they use"),
        required=False,
        choices=Medium.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, country: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "country", country_choices())
        chosen = (self.data.get("country") if self.is_bound else country) or country
        _set_choices(self, "regions", list(regions(str(chosen))) if chosen else [])
        _set_choices(self, "languages", language_choices())


class MessageForm(VersionedForm):
    language = forms.ChoiceField(label=_("Language"))
    text = forms.CharField(label=_("Message"), max_length=2000, widget=_area(3))
    pretest = forms.CharField(
        label=_("Pre-test results"),
        help_text=_("What people of the audience understood and felt when they saw it."),
        required=False,
        widget=_area(2),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "language", language_choices())


class DisseminationForm(VersionedForm):
    message = forms.TypedChoiceField(label=_("Approved message"), coerce=int)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("Until"), widget=DATE)
    regions = forms.MultipleChoiceField(
        label=_("Regions"), required=False, widget=forms.CheckboxSelectMultiple
    )
    material = forms.TypedChoiceField(
        label=_("Material"), coerce=int, required=False, empty_value=None
    )
    quantity = forms.IntegerField(label=_("Quantity"), required=False, min_value=1)

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(
            self,
            "message",
            [
                (m.pk, f"{m.language}: {m.text[:60]}")
                for m in campaign.messages.all()
                if m.is_approved
            ],
        )
        _set_choices(self, "regions", [(c, region_name(c)) for c in campaign.regions])
        _set_choices(
            self,
            "material",
            [
                ("", "---------"),
                *((m.pk, m.title) for m in campaign.materials.all()),
            ],
        )


class IndicatorForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=IndicatorKind.choices)
    description = forms.CharField(label=_("What is measured"), max_length=1000)
    baseline = forms.DecimalField(label=_("Baseline"), max_digits=12, decimal_places=2)
    target = forms.DecimalField(label=_("Target"), max_digits=12, decimal_places=2)


class IndicatorValueForm(VersionedForm):
    latest = forms.DecimalField(label=_("Latest value"), max_digits=12, decimal_places=2)
    latest_on = forms.DateField(label=_("Measured on"), widget=DATE)


class FindingsForm(VersionedForm):
    findings = forms.CharField(
        label=_("Evaluation findings"), required=False, max_length=5000, widget=_area(5)
    )


class EndForm(VersionedForm):
    no_values_reason = forms.CharField(
        label=_("Why some indicators have no latest value"),
        help_text=_("Leave empty when every indicator has its latest value."),
        required=False,
        max_length=2000,
        widget=_area(3),
    )


class MaterialForm(VersionedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Language"))
    public = forms.BooleanField(
        label=_("Public: list it in the public directory's information section"),
        help_text=_("Only while the campaign runs or after it ended, never a draft's."),
        required=False,
    )
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "language", language_choices())
        self.fields["file"].help_text = gettext(
            "PDF, PNG, JPEG, MP3 or OGG, at most %(most)d MB."
        ) % {"most": storage.MAX_BYTES // (1024 * 1024)}
