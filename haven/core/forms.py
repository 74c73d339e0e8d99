from __future__ import annotations

from django import forms


class VersionForm(forms.Form):
    """A bare state-changing POST: only the version of the record the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
