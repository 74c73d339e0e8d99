from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import User
from haven.accounts.roles import Role


def case_workers(organisation_id: int) -> list[User]:
    users = User.objects.filter(organisation_id=organisation_id, is_active=True)
    return [u for u in users if Role.CASE_WORKER in u.role_list]


class CaseForm(forms.Form):
    opened_on = forms.DateField(
        label=_("Opened on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    assigned_to = forms.TypedChoiceField(
        label=_("Case worker"), required=False, coerce=int, empty_value=None
    )
    summary = forms.CharField(
        label=_("Summary notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only what the case team needs. Do not repeat identity details here."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, organisation_id: int, can_assign: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workers = {u.pk: u for u in case_workers(organisation_id)}
        if can_assign:
            field = self.fields["assigned_to"]
            assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - narrows for mypy
            field.choices = [
                ("", _("Not assigned yet")),
                *((pk, u.username) for pk, u in self.workers.items()),
            ]
        else:
            del self.fields["assigned_to"]

    def clean_opened_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["opened_on"]
        if value > timezone.localdate() or value.year < 2000:
            raise ValidationError(_("Enter a date between 2000 and today."))
        return value

    def assignee(self) -> User | None:
        pk = self.cleaned_data.get("assigned_to")
        return self.workers.get(pk) if pk is not None else None
