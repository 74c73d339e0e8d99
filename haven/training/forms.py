from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.screening.models import Outcome
from haven.training.loader import Statement

TRUE_FALSE = [("true", _("True")), ("false", _("False"))]


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Your verdict on the story so far"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
    )
    stage = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ScenarioForm(forms.Form):
    source = forms.CharField(
        label=_("Scenario (TOML)"),
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        help_text=_("The same schema as the shipped scenarios: see the example below."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class QuizForm(forms.Form):
    """One true/false question per statement, every one required."""

    def __init__(self, *args: Any, statements: tuple[Statement, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.statements = statements
        for statement in statements:
            self.fields[f"s_{statement.id}"] = forms.ChoiceField(
                label=str(statement.text),
                choices=TRUE_FALSE,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer true or false.")},
            )

    def answers(self) -> dict[str, str]:
        return {s.id: self.cleaned_data[f"s_{s.id}"] for s in self.statements}
