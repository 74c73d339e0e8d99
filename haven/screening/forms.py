from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import OrganisationType
from haven.cases.children import SAFEGUARD_FIELDS
from haven.cases.forms import CaseRecordForm
from haven.core.forms import checkbox
from haven.screening.models import Outcome
from haven.screening_engine.model import EXPLOITATION_FORMS, Indicator

ANSWER_CHOICES = [
    ("yes", _("Yes")),
    ("no", _("No")),
    ("unknown", _("Don't know")),
    ("declined", _("Prefers not to say")),
]
EXPLOITATION_LABELS = {
    "labour": _("Forced labour or services"),
    "sexual": _("Sexual exploitation"),
    "criminality": _("Forced criminality (scams, drugs, theft)"),
    "begging": _("Forced begging"),
    "domestic_servitude": _("Domestic servitude"),
    "forced_marriage": _("Forced marriage"),
    "organ_removal": _("Organ removal"),
    "other": _("Other exploitation"),
}


# Bodies whose officers have legal duties of their own (such as reporting crimes) that
# can override what the person would wish: the screener must say so before starting.
DUTY_BOUND_ORGANISATIONS = frozenset(
    {
        OrganisationType.LAW_ENFORCEMENT,
        OrganisationType.IMMIGRATION,
        OrganisationType.LABOUR_INSPECTION,
    }
)


class ReadinessForm(forms.Form):
    """Before the interview: the conditions of a safe, trauma-informed screening."""

    private_space = checkbox(_("We are in a private space where others cannot overhear"))
    present = forms.CharField(
        label=_("Who else is present (roles only, no names)"),
        required=False,
        max_length=200,
        help_text=_("For example: interpreter, lawyer, guardian, support worker."),
    )
    same_sex_offered = checkbox(_("An interviewer of the same sex was offered"))
    interpreter = forms.ChoiceField(
        label=_("Interpreter"),
        choices=[("none", _("Not needed")), ("present", _("An interpreter is present"))],
        widget=forms.RadioSelect,
        initial="none",
    )
    interpreter_neutral = checkbox(
        _("The interpreter is neutral: no link to the person or to anyone suspected")
    )
    rights_explained = checkbox(
        _(
            "I explained the process, that this is not an interrogation, the person's rights, "
            "and what stays confidential and its limits, as written above"
        ),
        required=True,
    )
    may_decline_explained = checkbox(
        _("I explained that the person may decline any question and stop at any time"),
        required=True,
    )
    consent = forms.ChoiceField(
        label=_("Consent"),
        choices=[
            ("", _("Choose")),
            ("consent", _("The person consents to the interview")),
            ("child_assent_guardian", _("Child: the child assents and a guardian consents")),
        ],
    )
    medical_checked = checkbox(
        _("I asked whether the person is in pain or needs medical care"), required=True
    )
    medical_urgent = checkbox(_("The person needs urgent medical care now"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("interpreter") == "present" and not data.get("interpreter_neutral"):
            self.add_error(
                "interpreter_neutral",
                _(
                    "Confirm that the interpreter has no link to the person or to anyone "
                    "suspected, or continue without that interpreter."
                ),
            )
        return data


def profile_initial(profile: dict[str, Any], version: int) -> dict[str, Any]:
    """The profile form's starting values: the saved profile, the screening's version, and
    the interview in the page's language until one is chosen."""
    return {
        **profile,
        "version": version,
        "interview_language": profile.get("interview_language", get_language()),
    }


class ProfileForm(forms.Form):
    age_at_events = forms.IntegerField(
        label=_("Age at the time of the events, if known"),
        required=False,
        min_value=0,
        max_value=120,
    )
    possibly_child = checkbox(_("The person may have been under 18 at the time (age uncertain)"))
    exploitation = forms.MultipleChoiceField(
        label=_("Forms of exploitation suspected (if any)"),
        required=False,
        choices=[(form, EXPLOITATION_LABELS[form]) for form in EXPLOITATION_FORMS],
        widget=forms.CheckboxSelectMultiple,
    )
    interview_language = forms.ChoiceField(
        label=_("Language of the interview"), choices=settings.LANGUAGES
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# A hesitant "don't know" on a quick-screening question that the screener judges worth
# exploring: stored as "unknown" plus a mark, it opens that question's follow-ups.
EXPLORE = "explore"
EXPLORE_CHOICE = (EXPLORE, _("Don't know, but worth exploring"))


class TopicForm(forms.Form):
    """One screen's questions, each answered yes / no / don't know / prefers not to say.

    With `explorable`, a fifth choice marks a "don't know" as worth exploring.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self, *args: Any, indicators: list[Indicator], explorable: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        choices = [*ANSWER_CHOICES[:3], EXPLORE_CHOICE, ANSWER_CHOICES[3]] if explorable else None
        for indicator in indicators:
            self.fields[f"a_{indicator.id}"] = forms.ChoiceField(
                choices=choices or ANSWER_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                label=indicator.id,
            )
            self.fields[f"n_{indicator.id}"] = forms.CharField(
                required=False,
                max_length=1000,
                label=_("Note (optional)"),
                widget=forms.Textarea(attrs={"rows": 2, "aria-label": _("Note (optional)")}),
            )

    def rows(self) -> list[tuple[Indicator, forms.BoundField, forms.BoundField]]:
        return [(i, self[f"a_{i.id}"], self[f"n_{i.id}"]) for i in self.indicators]

    def answers(self) -> dict[str, str]:
        answers = {i.id: self.cleaned_data[f"a_{i.id}"] for i in self.indicators}
        return {k: "unknown" if v == EXPLORE else v for k, v in answers.items()}

    def explore(self) -> list[str]:
        return [i.id for i in self.indicators if self.cleaned_data[f"a_{i.id}"] == EXPLORE]

    def notes(self) -> dict[str, str]:
        return {i.id: self.cleaned_data[f"n_{i.id}"].strip() for i in self.indicators}


class JudgementForm(forms.Form):
    judgement = forms.ChoiceField(
        label=_("Your own judgement"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason (required when you disagree with the suggested result)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self, *args: Any, suggested: str, child_safeguards: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.suggested = suggested
        if child_safeguards:
            # A child's screening with no case: its safeguards are recorded here
            # (haven.cases.children); the action refuses completion without them.
            # The same fields as the case record's, labels and limits included.
            for name in SAFEGUARD_FIELDS:
                self.fields[name] = copy.deepcopy(CaseRecordForm.base_fields[name])

    def safeguards(self) -> dict[str, Any]:
        return {n: self.cleaned_data[n] for n in SAFEGUARD_FIELDS if n in self.cleaned_data}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        disagrees = data.get("judgement") and data["judgement"] != self.suggested
        if disagrees and not data.get("reason", "").strip():
            raise ValidationError(
                _(
                    "You disagree with the suggested result: say why. Your reason is kept "
                    "with the screening."
                )
            )
        return data


class AttachForm(forms.Form):
    person = forms.CharField(label=_("Person reference"), max_length=16)
    case = forms.CharField(required=False, max_length=16)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
