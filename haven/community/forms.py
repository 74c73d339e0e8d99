from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.cases.choices import Industry
from haven.community import boundaries
from haven.community.actions import MAX_SEEN
from haven.community.indicators import observable_ids, words
from haven.community.models import PeopleSeen
from haven.core.places import regions

BLANK: list[Any] = [("", "—")]


def _choose(form: forms.Form, name: str, choices: list[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 (the form's own fields)
    field.choices = choices


def place_choices(country: str, region: str) -> tuple[list[Any], list[Any]]:
    region_choices = BLANK + list(regions(country)) if country in boundaries.COUNTRIES else BLANK
    district_choices = BLANK + [(d.code, d.name) for d in boundaries.districts_of(country, region)]
    return region_choices, district_choices


class PlacesMixin(forms.Form):
    """Country, province and district: the province and district lists follow the choice
    above them (htmx reloads them; the action checks the three belong together)."""

    country = forms.ChoiceField(label=_("Country"), choices=BLANK)
    region = forms.ChoiceField(label=_("Province"), choices=BLANK)
    district = forms.ChoiceField(label=_("District"), choices=BLANK)

    def set_places(self, country: str, region: str) -> None:
        _choose(self, "country", BLANK + list(boundaries.COUNTRIES.items()))
        region_choices, district_choices = place_choices(country, region)
        _choose(self, "region", region_choices)
        _choose(self, "district", district_choices)


class ReportForm(PlacesMixin):
    observed_on = forms.DateField(
        label=_("Day you saw it"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sector = forms.ChoiceField(label=_("Kind of work"), choices=BLANK + list(Industry.choices))
    indicators = forms.MultipleChoiceField(
        label=_("What did you see?"), widget=forms.CheckboxSelectMultiple
    )
    people_seen = forms.ChoiceField(
        label=_("About how many people?"), choices=PeopleSeen.choices, widget=forms.RadioSelect
    )
    seen = forms.CharField(
        label=_("In a few words, what did you see?"),
        help_text=_("No names, no phone numbers, no addresses: only what you saw."),
        max_length=MAX_SEEN,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    field_order = [
        "observed_on",
        "country",
        "region",
        "district",
        "sector",
        "indicators",
        "people_seen",
        "seen",
    ]

    def __init__(self, *args: Any, default_country: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        data = self.data if self.is_bound else {}
        country = data.get("country") or (
            default_country if default_country in boundaries.COUNTRIES else ""
        )
        self.initial.setdefault("country", country)
        self.initial.setdefault("observed_on", timezone.localdate())
        self.set_places(country, data.get("region", ""))
        _choose(self, "indicators", [(i, words(i)) for i in sorted(observable_ids())])


class MapFilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sector = forms.ChoiceField(
        label=_("Kind of work"), required=False, choices=[("", _("All")), *Industry.choices]
    )
    indicator = forms.ChoiceField(label=_("Sign seen"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose(self, "country", list(boundaries.COUNTRIES.items()))
        signs = [(i, words(i)) for i in sorted(observable_ids())]
        _choose(self, "indicator", [("", _("All")), *signs])
