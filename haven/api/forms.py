from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.api import tokens
from haven.api.models import ApiScope


class PersonalTokenForm(forms.Form):
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=80,
        help_text=_("For example: the ministry's case dashboard."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only what your roles allow. Choose as little as the task needs."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=tokens.PERSONAL_MAX_DAYS,
        initial=30,
    )

    def __init__(self, *args: Any, grantable: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scopes = self.fields["scopes"]
        assert isinstance(scopes, forms.MultipleChoiceField)  # noqa: S101 - declared above
        scopes.choices = [(s, ApiScope(s).label) for s in grantable]


class ServiceTokenForm(forms.Form):
    service_name = forms.CharField(
        label=_("What the statistics token is for"),
        max_length=80,
        help_text=_("For example: the national statistics office's dashboard."),
    )
    service_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=tokens.SERVICE_MAX_DAYS,
        initial=90,
    )
