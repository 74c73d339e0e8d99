from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from haven.rights.actions import MAX_REASON
from haven.rights.models import MAX_YEARS, RetentionOutcome

FORMATS = (("pdf", _("PDF, to read or print")), ("json", _("JSON, for another system")))


class SubjectExportForm(forms.Form):
    language = forms.ChoiceField(label=_("The person's language"), choices=settings.LANGUAGES)
    format = forms.ChoiceField(label=_("File"), choices=FORMATS, widget=forms.RadioSelect)


class RetentionPolicyForm(forms.Form):
    years = forms.IntegerField(
        label=_("Years after the case was closed"), min_value=1, max_value=MAX_YEARS
    )
    outcome = forms.ChoiceField(
        label=_("Then"), choices=RetentionOutcome.choices, widget=forms.RadioSelect
    )
    # The policy version the form showed; empty when there was none yet.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class LegalHoldForm(forms.Form):
    # Which change the page offered: a hold placed or lifted by someone else meanwhile is
    # refused by the action, never turned into the opposite change.
    change = forms.ChoiceField(
        choices=(("place", "place"), ("lift", "lift")), widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 3})
    )
