from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.assistance.models import ServiceKind
from haven.care.models import QUESTIONS, LeavingReason, Rating
from haven.cases.forms import date_field, not_future
from haven.core.forms import checkbox
from haven.directory.models import DirectoryService

MAX_TEXT = 2000


def _note(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class ShelterChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.provider.name)


def _leaving_reason(required: bool) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Why the stay ended"),
        choices=[("", "—"), *LeavingReason.choices],
        required=required,
    )


class StayForm(forms.Form):
    shelter = ShelterChoiceField(
        label=_("Shelter in the directory"),
        queryset=DirectoryService.objects.filter(kind=ServiceKind.ACCOMMODATION)
        .select_related("provider")
        .order_by("provider__name", "pk"),
        required=False,
        empty_label=_("Not in the directory"),
    )
    place = forms.CharField(
        label=_("Or the name of a place not in the directory"), required=False, max_length=200
    )
    entered_on = date_field(_("Arrived on"), required=True)
    # Not required by the form: the action refuses a stay without it, and says why.
    free_to_leave_explained = checkbox(
        _(
            "The person was told, in a language they understand, that they are free to "
            "leave at any time, and understood it"
        )
    )
    left_on = date_field(_("Left on (if the stay is already over)"))
    leaving_reason = _leaving_reason(required=False)
    leaving_details = _note(_("Details about leaving"))

    def clean_entered_on(self) -> dt.date | None:
        return not_future(self.cleaned_data.get("entered_on"))

    def clean_left_on(self) -> dt.date | None:
        return not_future(self.cleaned_data.get("left_on"))

    def data_for_action(self) -> dict[str, Any]:
        return {k: (v.strip() if isinstance(v, str) else v) for k, v in self.cleaned_data.items()}


class EndStayForm(forms.Form):
    left_on = date_field(_("Left on"), required=True)
    leaving_reason = _leaving_reason(required=True)
    leaving_details = _note(_("Details"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def clean_left_on(self) -> dt.date | None:
        return not_future(self.cleaned_data.get("left_on"))

    def data_for_action(self) -> dict[str, Any]:
        return {
            k: (v.strip() if isinstance(v, str) else v)
            for k, v in self.cleaned_data.items()
            if k != "version"
        }


def _rating(label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=Rating.choices, initial=Rating.NOT_SAID, widget=forms.RadioSelect
    )


class FeedbackForm(forms.Form):
    # Not required by the form: the action refuses feedback without consent, and says why.
    consent = checkbox(
        _("The person agreed to give feedback, and knows they may stop or skip any question")
    )
    anonymous = checkbox(
        _("Anonymous: keep only the kind of service and the month, not who said it")
    )
    comment = _note(_("Anything else the person wants to say (optional)"))

    def __init__(self, *args: Any, with_kind: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        questions = {key: _rating(question) for key, question in QUESTIONS}
        kind = {"service_kind": forms.ChoiceField(label=_("Service"), choices=ServiceKind.choices)}
        # Anonymous feedback is given on its own page, whose address names no case (nor do
        # the server's logs of it); the form under a case records named feedback only.
        anonymous = {"anonymous": self.fields["anonymous"]} if with_kind else {}
        self.fields = {
            **(kind if with_kind else {}),
            "consent": self.fields["consent"],
            **questions,
            **anonymous,
            "comment": self.fields["comment"],
        }
        if with_kind:
            self.fields["anonymous"].initial = True
            self.fields["anonymous"].disabled = True

    def data_for_action(self) -> dict[str, Any]:
        return {k: (v.strip() if isinstance(v, str) else v) for k, v in self.cleaned_data.items()}
