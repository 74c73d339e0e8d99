from __future__ import annotations

from typing import Any

from django import forms


def checkbox(label: Any, *, required: bool = False) -> forms.BooleanField:
    """A box the user ticks to confirm a statement: shown as one row, box then label,
    with no colon after the label (it is a statement, not a question to fill in)."""
    return forms.BooleanField(label=label, required=required, label_suffix="")


class VersionForm(forms.Form):
    """A bare state-changing POST: only the version of the record the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
