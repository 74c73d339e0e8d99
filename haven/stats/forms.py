from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.stats.summary import Filters, last_day


class MonthField(forms.Field):
    """A month as YYYY-MM (the browser's month picker sends this)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-01", "maxlength": 7})

    def __init__(self, *, required: bool = False, **kwargs: Any) -> None:
        super().__init__(required=required, **kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            year, month = (int(part) for part in text.split("-"))
            if not 1900 <= year <= 2999:
                raise ValueError
            return dt.date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(
                _("Give a month as year and month, e.g. 2026-01.")
            ) from None


class FilterForm(forms.Form):
    start = MonthField(label=_("From (month)"))
    end = MonthField(label=_("To (month)"))
    region = forms.ChoiceField(label=_("Country of exploitation"), required=False)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)  # noqa: S101 - declared just above
        region.choices = [("", _("All")), *regions]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            start=data.get("start"),
            end=last_day(data["end"]) if data.get("end") else None,
            region=data.get("region") or "",
        )
