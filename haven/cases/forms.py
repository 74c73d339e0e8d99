from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import User
from haven.cases.actions import case_workers
from haven.cases.choices import (
    App,
    AsylumReferral,
    ClosureReason,
    Cooperation,
    ExploitationType,
    FearOfReturn,
    Industry,
    JourneyStage,
    MethodOfControl,
    RecruitmentMethod,
    Relationship,
    SexExploitationType,
)
from haven.cases.models import AgeMethod, AgeOutcome, CaseStatus
from haven.core.forms import ZawgyiCheckForm, checkbox
from haven.core.reference import country_choices


class CaseForm(ZawgyiCheckForm):
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
    # The answer to "this person already has an active case": shown only with that warning.
    confirmed_second_case = checkbox(_("Open a second case anyway"))
    CONFIRMATION = "confirmed_second_case"

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

    def entry_fields(self) -> list[forms.BoundField]:
        """The fields of the case itself, without the answer to the second-case warning."""
        return [field for field in self if field.name not in (self.CONFIRMATION, "zawgyi")]

    def clean_opened_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["opened_on"]
        if value > timezone.localdate() or value.year < 2000:
            raise ValidationError(_("Enter a date between 2000 and today."))
        return value

    def assignee(self) -> User | None:
        """The chosen case worker. The form offers only the organisation's case workers;
        `open_case` and `update_case` refuse anyone else on their own."""
        pk = self.cleaned_data.get("assigned_to")
        return self.workers.get(pk) if pk is not None else None


def date_field(label: Any, *, required: bool = False, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}),
        **kwargs,
    )


def not_future(value: dt.date | None) -> dt.date | None:
    if value is not None and (value > timezone.localdate() or value.year < 1950):
        raise ValidationError(_("Enter a date between 1950 and today."))
    return value


def _many(label: Any, choices: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, required=False, choices=choices, widget=forms.CheckboxSelectMultiple
    )


def _one(label: Any, choices: Any, *, blank: bool = True) -> forms.ChoiceField:
    options = [("", "—"), *choices] if blank else list(choices)
    return forms.ChoiceField(label=label, required=False, choices=options)


class CaseRecordForm(forms.Form):
    """The case record, aligned with HTCDS v2."""

    exploitation_types = _many(_("Types of exploitation"), ExploitationType.choices)
    forced_labour_industry = _one(_("Forced-labour industry (ISIC)"), Industry.choices)
    sex_exploitation_types = _many(_("Types of sexual exploitation"), SexExploitationType.choices)
    methods_of_control = _many(_("Methods of control"), MethodOfControl.choices)
    recruitment_methods = _many(_("How the person was recruited"), RecruitmentMethod.choices)
    recruitment_country = forms.ChoiceField(
        label=_("Country of recruitment"),
        required=False,
        choices=lambda: [("", "—"), *country_choices()],
    )
    relationship_to_trafficker = _one(_("Relationship to the trafficker"), Relationship.choices)
    age_when_trafficked = forms.IntegerField(
        label=_("Age when trafficked"), required=False, min_value=0, max_value=120
    )
    recruitment_apps = _many(_("Websites and apps used in recruitment"), App.choices)
    exploitation_apps = _many(_("Websites and apps used in exploitation"), App.choices)
    cooperation = forms.ChoiceField(
        label=_("Cooperation with the authorities"),
        choices=Cooperation.choices,
        help_text=_("Recorded only. Help never depends on it."),
    )
    guardian = forms.CharField(label=_("Guardian (name and role)"), required=False, max_length=200)
    guardian_appointed_on = date_field(_("Guardian appointed on"))
    guardian_none_reason = forms.CharField(
        label=_("No guardian yet: why none could be appointed"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when no guardian is recorded above."),
    )
    best_interests_assessed_on = date_field(_("Best-interests assessment done on"))
    best_interests_summary = forms.CharField(
        label=_("Best-interests assessment: summary"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    child_protection_notified_on = date_field(_("Child protection notified on"))
    child_assent = checkbox(_("The child gives their assent"))
    child_assent_on = date_field(_("The child assented on"))
    child_assent_note = forms.CharField(
        label=_("The child's assent: how it was asked, in the child's words where possible"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    fear_of_return = forms.ChoiceField(
        label=_("Fear of harm or persecution on return"), choices=FearOfReturn.choices
    )
    asylum_referral = forms.ChoiceField(
        label=_("Asylum or international protection"),
        choices=AsylumReferral.choices,
        help_text=_("Kept apart from any cooperation with the police or prosecutors."),
    )
    asylum_referral_on = date_field(_("Referred or informed on"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    SECTIONS = (
        (
            _("Exploitation"),
            (
                "exploitation_types",
                "forced_labour_industry",
                "sex_exploitation_types",
                "methods_of_control",
            ),
        ),
        (
            _("Recruitment"),
            (
                "recruitment_methods",
                "recruitment_country",
                "relationship_to_trafficker",
                "age_when_trafficked",
                "recruitment_apps",
                "exploitation_apps",
            ),
        ),
        (_("Cooperation with the authorities"), ("cooperation",)),
        (
            _("Child"),
            (
                "guardian",
                "guardian_appointed_on",
                "guardian_none_reason",
                "best_interests_assessed_on",
                "best_interests_summary",
                "child_protection_notified_on",
                "child_assent",
                "child_assent_on",
                "child_assent_note",
            ),
        ),
        (
            _("International protection"),
            ("fear_of_return", "asylum_referral", "asylum_referral_on"),
        ),
    )

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in (
            "guardian_appointed_on",
            "best_interests_assessed_on",
            "child_protection_notified_on",
            "child_assent_on",
            "asylum_referral_on",
        ):
            try:
                not_future(data.get(name))
            except ValidationError as error:
                self.add_error(name, error)
        if data.get("asylum_referral") in ("referred", "declined") and not data.get(
            "asylum_referral_on"
        ):
            self.add_error("asylum_referral_on", _("Give the date."))
        if data.get("child_assent") and not data.get("child_assent_on"):
            self.add_error("child_assent_on", _("Give the date."))
        return data

    def record_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        for key in (
            "guardian",
            "guardian_none_reason",
            "best_interests_summary",
            "child_assent_note",
        ):
            data[key] = data[key].strip()
        return data


class JourneyForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=JourneyStage.choices)
    happened_on = date_field(_("Date"))
    date_is_approximate = checkbox(_("The date is approximate"))
    country = forms.ChoiceField(
        label=_("Country"), required=False, choices=lambda: [("", "—"), *country_choices()]
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    description = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_happened_on(self) -> dt.date | None:
        return not_future(self.cleaned_data.get("happened_on"))


class AgeAssessmentForm(forms.Form):
    method = forms.ChoiceField(label=_("How the age was assessed"), choices=AgeMethod.choices)
    assessed_on = date_field(_("Assessed on"), required=True)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=AgeOutcome.choices, widget=forms.RadioSelect
    )
    estimated_age = forms.IntegerField(
        label=_("Estimated age"), required=False, min_value=0, max_value=120
    )
    benefit_of_doubt_applied = checkbox(_("The benefit of the doubt was applied"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where the age stays uncertain, the person is treated as a child."),
    )

    def clean_assessed_on(self) -> dt.date | None:
        return not_future(self.cleaned_data.get("assessed_on"))


class ClosureRequestForm(forms.Form):
    to = forms.ChoiceField(
        label=_("Close as"),
        choices=[
            (CaseStatus.CLOSED, CaseStatus.CLOSED.label),
            (CaseStatus.CLOSED_REFERRED, CaseStatus.CLOSED_REFERRED.label),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *ClosureReason.choices])
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == ClosureReason.OTHER and not data.get("details", "").strip():
            self.add_error("details", _("Say why the case is closed."))
        return data
