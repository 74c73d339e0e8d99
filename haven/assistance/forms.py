from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.assistance.models import (
    DeclineReason,
    FollowUpOutcome,
    PlanType,
    RiskLevel,
    ServiceKind,
    ServiceStatus,
    Stage,
)
from haven.cases.forms import date_field, not_future
from haven.core.forms import checkbox
from haven.core.reference import country_choices


def _text(label: Any, *, rows: int = 3, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class DataForm(forms.Form):
    """A form whose cleaned data, less the version, is what the action saves."""

    def data_for_action(self) -> dict[str, Any]:
        return {
            k: (v.strip() if isinstance(v, str) else v)
            for k, v in self.cleaned_data.items()
            if k != "version"
        }


def _seen_version() -> forms.IntegerField:
    """The version an edit started from; missing means stale (refused, nothing saved)."""
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class AssessmentForm(DataForm):
    assessed_on = date_field(_("Assessed on"), required=True)
    individual_needs = _text(_("The person's own needs"))
    family_needs = _text(_("Family and household"))
    community_needs = _text(_("Community"))
    retaliation_risk = forms.ChoiceField(
        label=_("Risk of retaliation against the family"), choices=RiskLevel.choices
    )
    retrafficking_risk = forms.ChoiceField(
        label=_("Risk of being trafficked again"), choices=RiskLevel.choices
    )

    def clean_assessed_on(self) -> dt.date | None:
        return not_future(self.cleaned_data.get("assessed_on"))


class ObjectiveForm(DataForm):
    stage = forms.ChoiceField(label=_("Stage of protection"), choices=Stage.choices)
    plan_type = forms.ChoiceField(label=_("Type"), choices=PlanType.choices)
    objectives = _text(_("Objectives"), required=True)
    action_plan = _text(_("Action plan"))
    planned_end = date_field(_("Planned end date"))
    actual_end = date_field(_("Actual end date"))

    def clean_actual_end(self) -> dt.date | None:
        return not_future(self.cleaned_data.get("actual_end"))


class ServiceForm(DataForm):
    stage = forms.ChoiceField(label=_("Stage of protection"), choices=Stage.choices)
    kind = forms.ChoiceField(label=_("Service"), choices=ServiceKind.choices)
    status = forms.ChoiceField(
        label=_("Status"), choices=ServiceStatus.choices, widget=forms.RadioSelect
    )
    on = date_field(_("Date"), required=True)
    # Asked only when the person declined; the action refuses a decline without it.
    decline_reason = forms.ChoiceField(
        label=_("If the person declined: why (they need not say)"),
        choices=[("", "—"), *DeclineReason.choices],
        required=False,
    )
    provider = forms.CharField(label=_("Provider"), required=False, max_length=200)
    cost = forms.DecimalField(
        label=_("Cost (optional)"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
    )
    currency = forms.CharField(
        label=_("Currency (ISO 4217, e.g. THB)"), required=False, max_length=3, min_length=3
    )
    note = _text(_("Note"), rows=2)

    def clean_currency(self) -> str:
        value = str(self.cleaned_data.get("currency", "")).strip().upper()
        if value and not value.isalpha():
            raise ValidationError(_("Use the three-letter currency code."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        on = data.get("on")
        if data.get("status") != ServiceStatus.OFFERED and on and on > timezone.localdate():
            self.add_error("on", _("A service delivered or declined has a date up to today."))
        if data.get("cost") is not None and not data.get("currency"):
            self.add_error("currency", _("Give the currency of the cost."))
        return data


class ObjectiveEditForm(ObjectiveForm):
    version = _seen_version()


class ServiceEditForm(ServiceForm):
    version = _seen_version()


class ReturnPlanForm(DataForm):
    # Not required by the form: the action refuses a return without it, and says why.
    informed_consent = checkbox(
        _(
            "The person asked to return, was told the risks and alternatives "
            "(including staying and seeking asylum) and consents"
        )
    )
    requested_on = date_field(_("The person asked to return on"), required=True)
    destination_country = forms.ChoiceField(
        label=_("Country of return"), choices=lambda: [("", "—"), *country_choices()]
    )
    risk_assessed_on = date_field(_("Risks of return assessed on"), required=True)
    risk_level = forms.ChoiceField(
        label=_("Risk on return"), choices=[c for c in RiskLevel.choices if c[0] != "unknown"]
    )
    risk_summary = _text(_("Risk assessment"), required=True)
    receiving_organisation = forms.CharField(label=_("Receiving organisation"), max_length=200)
    receiving_plan = _text(_("Plan on the receiving side"), required=True)
    travel_on = date_field(_("Travel date"))
    version = _seen_version()

    def clean_requested_on(self) -> dt.date | None:
        return not_future(self.cleaned_data.get("requested_on"))

    def clean_risk_assessed_on(self) -> dt.date | None:
        return not_future(self.cleaned_data.get("risk_assessed_on"))


class ReturnApprovalForm(forms.Form):
    """A supervisor's approval; where return may expose the person to harm, with the
    protection assessment the action requires (the action says what is missing)."""

    found_safe = checkbox(_("My protection assessment finds that return is safe"))
    still_asks = checkbox(
        _(
            "The person was told of the risk and of the right to seek asylum, and still "
            "asks to return"
        )
    )
    assessment = _text(_("Protection assessment"), rows=4)
    version = _seen_version()

    def __init__(self, *args: Any, concern: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not concern:
            for name in ("found_safe", "still_asks", "assessment"):
                del self.fields[name]


class FollowUpScheduleForm(forms.Form):
    start = date_field(
        _("Check-ins counted from"),
        required=True,
        help_text=_("For example the day of return, or the day the person left the shelter."),
    )


class FollowUpForm(DataForm):
    done_on = date_field(_("Done on"), required=True)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUpOutcome.choices)
    note = _text(_("Note"), rows=2)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean_done_on(self) -> dt.date | None:
        return not_future(self.cleaned_data.get("done_on"))
