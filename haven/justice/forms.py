"""Forms parse input only; what may be saved is decided in `haven.justice.actions`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from haven.cases.forms import date_field
from haven.cases.models import Case
from haven.core.reference import country_choices
from haven.justice.letter import Addressee
from haven.justice.models import (
    Attendance,
    Authority,
    ClaimStatus,
    CompensationRoute,
    HearingKind,
    Interpreter,
    MeasureDecision,
    MeasureKind,
    Participation,
    PenalisationKind,
    PenalisationOutcome,
    PersonRole,
    Proceeding,
    ProceedingStage,
    ProceedingStatus,
    Representation,
    RequestDecision,
    SafetyOutcome,
)


def _text(label: Any, *, rows: int = 2, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=5000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _country() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Country"), required=False, choices=lambda: [("", "—"), *country_choices()]
    )


def _amount(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, min_value=Decimal(0), max_digits=14, decimal_places=2
    )


class ProceedingField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """One of the case's proceedings, named by its stage and start date."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_stage_display()} · {obj.started_on:%Y-%m-%d}"


class JusticeForm(forms.Form):
    """A record's form: cleaned data less the version is what the action saves. `case`
    narrows the proceedings offered to the case's own."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("proceeding")
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = Proceeding.objects.filter(case=case)

    def data_for_action(self) -> dict[str, Any]:
        return {
            k: (v.strip() if isinstance(v, str) else v)
            for k, v in self.cleaned_data.items()
            if k != "version"
        }


class PenalisationForm(JusticeForm):
    kind = forms.ChoiceField(label=_("What happened"), choices=PenalisationKind.choices)
    on = date_field(_("Date"), required=True)
    authority_type = forms.ChoiceField(label=_("By"), choices=Authority.choices)
    authority = forms.CharField(
        label=_("Authority or unit (optional)"), required=False, max_length=200
    )
    country = _country()
    area = forms.CharField(
        label=_("Province or district"),
        required=False,
        max_length=200,
        help_text=_("No address and no name of a detention centre."),
    )
    offence = _text(_("What the person is accused of"))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=PenalisationOutcome.choices)
    outcome_on = date_field(_("Date of the outcome"))
    non_punishment_requested_on = date_field(_("Non-punishment asked for on"))
    non_punishment_decision = forms.ChoiceField(
        label=_("Answer to that request"),
        required=False,
        choices=[("", "—"), *RequestDecision.choices],
    )
    note = _text(_("Note"))


class ProceedingForm(JusticeForm):
    stage = forms.ChoiceField(label=_("Stage"), choices=ProceedingStage.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ProceedingStatus.choices)
    authority = forms.CharField(
        label=_("Court or authority (optional)"), required=False, max_length=200
    )
    country = _country()
    person_role = forms.ChoiceField(label=_("The person's role"), choices=PersonRole.choices)
    participation = forms.ChoiceField(
        label=_("Does the person take part?"),
        choices=Participation.choices,
        help_text=_("Their own choice. It changes nothing in the help they get."),
    )
    interpreter = forms.ChoiceField(label=_("Interpreter"), choices=Interpreter.choices)
    legal_representation = forms.ChoiceField(
        label=_("Lawyer for the person"), choices=Representation.choices
    )
    started_on = date_field(_("Started on"), required=True)
    ended_on = date_field(_("Ended on"))
    note = _text(_("Note"))


class HearingForm(JusticeForm):
    proceeding = ProceedingField(
        label=_("Proceeding"), queryset=Proceeding.objects.none(), empty_label=None
    )
    on = date_field(_("Date"), required=True)
    kind = forms.ChoiceField(label=_("Hearing"), choices=HearingKind.choices)
    attendance = forms.ChoiceField(label=_("The person"), choices=Attendance.choices)
    support = _text(_("Support given (escort, preparation, interpreter...)"))


class ProtectionForm(JusticeForm):
    proceeding = ProceedingField(
        label=_("Proceeding"), queryset=Proceeding.objects.none(), empty_label=None
    )
    measure = forms.ChoiceField(label=_("Protection measure"), choices=MeasureKind.choices)
    requested_on = date_field(_("Asked for on"), required=True)
    decision = forms.ChoiceField(label=_("Decision"), choices=MeasureDecision.choices)
    decided_on = date_field(_("Decided on"))
    note = _text(_("Note"))


class SafetyReviewForm(JusticeForm):
    proceeding = ProceedingField(
        label=_("After which proceeding (optional)"),
        queryset=Proceeding.objects.none(),
        required=False,
    )
    reviewed_on = date_field(_("Reviewed on"), required=True)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=SafetyOutcome.choices)
    follow_up = _text(_("What follows"))
    follow_up_on = date_field(_("Next check on"))


class CompensationForm(JusticeForm):
    route = forms.ChoiceField(label=_("Route"), choices=CompensationRoute.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ClaimStatus.choices)
    filed_on = date_field(_("Filed on"))
    currency = forms.CharField(
        label=_("Currency (ISO 4217, e.g. THB)"), required=False, max_length=3, min_length=3
    )
    amount_claimed = _amount(_("Amount claimed"))
    amount_awarded = _amount(_("Amount awarded"))
    amount_received = _amount(_("Amount received"))
    note = _text(_("Note"))

    def clean_currency(self) -> str:
        return str(self.cleaned_data.get("currency", "")).strip().upper()


FORMS: dict[str, type[JusticeForm]] = {
    "penalisation": PenalisationForm,
    "proceeding": ProceedingForm,
    "hearing": HearingForm,
    "protection": ProtectionForm,
    "safety-review": SafetyReviewForm,
    "compensation": CompensationForm,
}


class LetterForm(forms.Form):
    penalisation = forms.TypedChoiceField(label=_("About"), coerce=int, choices=())
    addressee = forms.ChoiceField(label=_("To"), choices=Addressee.choices)
    language = forms.ChoiceField(label=_("Language of the letter"), choices=())

    def __init__(self, *args: Any, events: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        penalisation = self.fields["penalisation"]
        assert isinstance(penalisation, forms.TypedChoiceField)  # noqa: S101 - declared above
        penalisation.choices = events
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)  # noqa: S101 - declared above
        language.choices = list(settings.LANGUAGES)
