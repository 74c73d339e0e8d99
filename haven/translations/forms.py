from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.translations.models import ReviewState


class ReviewForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Your review"),
        choices=[
            (ReviewState.REVIEWED, _("Right as it is: same meaning, natural to hear")),
            (ReviewState.NEEDS_CHANGE, _("Needs change")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("What needs to change (needed for “needs change”)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    seen = forms.CharField(widget=forms.HiddenInput, max_length=16)


class ProposeForm(forms.Form):
    text = forms.CharField(
        label=_("Your wording"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    note = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    seen = forms.CharField(widget=forms.HiddenInput, max_length=16)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "accept"), ("reject", "reject")])
    note = forms.CharField(
        label=_("Note to the translator (optional)"), required=False, max_length=4000
    )


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[
            ("po", _("Pages and messages (PO file)")),
            ("toml", _("Interview questions and statements (catalogue file)")),
        ],
    )
    file = forms.FileField(label=_("File"))
