from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core import burmese


def checkbox(label: Any, *, required: bool = False) -> forms.BooleanField:
    """A box the user ticks to confirm a statement: shown as one row, box then label,
    with no colon after the label (it is a statement, not a question to fill in)."""
    return forms.BooleanField(label=label, required=required, label_suffix="")


class VersionForm(forms.Form):
    """A bare state-changing POST: only the version of the record the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ZawgyiCheckForm(forms.Form):
    """Text typed in Burmese with the Zawgyi font encoding is caught before it is saved:
    the form is shown again with the text converted to Unicode, and the person typing
    chooses to convert it or keep it as typed (names and notes in Zawgyi never match a
    search in Unicode). Subclasses calling `clean()` get the check on every text field."""

    zawgyi = forms.ChoiceField(
        required=False,
        choices=[
            ("convert", _("Convert to Unicode, as shown")),
            ("keep", _("Keep it as typed")),
        ],
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choice = data.pop("zawgyi", "") or ""
        self.zawgyi_found: list[tuple[str, str]] = []
        for name, value in list(data.items()):
            texts = value if isinstance(value, list) else [value]
            if not any(isinstance(t, str) and burmese.looks_like_zawgyi(t) for t in texts):
                continue
            converted = [burmese.to_unicode(t) if isinstance(t, str) else t for t in texts]
            if choice == "convert":
                data[name] = converted if isinstance(value, list) else converted[0]
            elif choice != "keep":
                label = str(self.fields[name].label or name)
                self.zawgyi_found.append((label, "\n".join(str(t) for t in converted)))
        if self.zawgyi_found:
            raise forms.ValidationError(
                _(
                    "Some of what you typed looks like Burmese in the Zawgyi font, which "
                    "other phones show garbled and searches do not find. Check the Unicode "
                    "version below, then choose and save again. Nothing was saved."
                ),
                code="zawgyi",
            )
        return data
