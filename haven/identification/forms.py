from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.cases.forms import date_field, not_future
from haven.referrals.actions import MESSAGE_LIMIT
from haven.screening.models import Screening


class StatusChangeForm(forms.Form):
    target = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    decided_on = date_field(_("Date of the decision or event"), required=True)
    basis = forms.CharField(
        label=_("Basis"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What the decision rests on: the indicators, the interview, documents. "
            "Required for every formal decision."
        ),
    )
    screenings = forms.MultipleChoiceField(
        label=_("Screenings it relied on"), required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        *args: Any,
        targets: list[tuple[str, str]],
        screenings: list[Screening],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.screening_objects = {s.reference: s for s in screenings}
        target = self.fields["target"]
        assert isinstance(target, forms.ChoiceField)  # noqa: S101 - narrows for mypy
        target.choices = targets
        chosen = self.fields["screenings"]
        assert isinstance(chosen, forms.MultipleChoiceField)  # noqa: S101
        chosen.choices = [
            (s.reference, f"{s.reference} · {s.get_outcome_display() or s.get_status_display()}")
            for s in screenings
        ]
        self.fields["decided_on"].initial = timezone.localdate()
        if not screenings:
            del self.fields["screenings"]

    def clean_decided_on(self) -> dt.date | None:
        value = not_future(self.cleaned_data.get("decided_on"))
        if value is None:
            raise ValidationError(_("Give the date."))
        return value

    def chosen_screenings(self) -> list[Screening]:
        chosen = self.cleaned_data.get("screenings", [])
        return [self.screening_objects[reference] for reference in chosen]


class DecideRequestForm(forms.Form):
    """The competent authority's answer to an identification request."""

    target = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    decided_on = date_field(_("Date of the decision"), required=True)
    basis = forms.CharField(
        label=_("Basis"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the decision rests on. The requesting organisation sees it."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        target = self.fields["target"]
        assert isinstance(target, forms.ChoiceField)  # noqa: S101 - narrows for mypy
        target.choices = targets
        self.fields["decided_on"].initial = timezone.localdate()

    def clean_decided_on(self) -> dt.date | None:
        value = not_future(self.cleaned_data.get("decided_on"))
        if value is None:
            raise ValidationError(_("Give the date."))
        return value


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ask or answer only what the decision needs. The other organisation reads it."),
    )
