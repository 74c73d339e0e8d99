from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import OrganisationType
from haven.assistance.models import ServiceKind
from haven.core.forms import checkbox
from haven.referrals.actions import OVERRIDE_CATEGORIES
from haven.referrals.exchange import MAX_FILE_BYTES
from haven.referrals.models import (
    Channel,
    ConsentMethod,
    DataCategory,
    DeclineCode,
    Deployment,
    OverrideGround,
    Purpose,
    ReferralReason,
)

CONSENT_DAYS = 180


def _categories(label: Any, choices: Any = DataCategory.choices) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, widget=forms.CheckboxSelectMultiple, required=False
    )


class ConsentForm(forms.Form):
    recipient_provider = forms.ChoiceField(label=_("To this provider"), required=False)
    recipient_org_type = forms.ChoiceField(
        label=_("Or to every organisation of this type"),
        required=False,
        choices=[("", "—"), *OrganisationType.choices],
    )
    across = forms.ChoiceField(
        label=_("Across a border: through this Haven deployment"),
        required=False,
        help_text=_(
            "Only for sharing with another country's Haven deployment: the file goes there, "
            "and this consent covers nothing else."
        ),
    )
    categories = _categories(_("What may be shared"))
    purpose = forms.ChoiceField(label=_("For what"), choices=Purpose.choices)
    expires_on = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(label=_("How consent was given"), choices=ConsentMethod.choices)
    interpreter_used = checkbox(_("An interpreter was used"))
    # For a child: the guardian's consent and the child's own assent, each recorded.
    guardian_consented = checkbox(_("For a child: the guardian consents"))
    guardian_name = forms.CharField(
        label=_("For a child: the guardian who consents (name and role)"),
        required=False,
        max_length=200,
        help_text=_("Left empty, the guardian recorded on the case."),
    )
    child_assented = checkbox(_("For a child: the child assents"))
    purpose_explained = checkbox(_("I explained why the information is shared"), required=True)
    uses_explained = checkbox(_("I explained how the recipient will use it"), required=True)
    right_to_see_explained = checkbox(
        _("I explained that the person may see their data"), required=True
    )
    storage_explained = checkbox(_("I explained how long it is kept"), required=True)
    withdrawal_explained = checkbox(
        _("I explained how to withdraw consent, at any time"), required=True
    )
    anonymous_research = checkbox(
        _("The person also agrees to anonymous use for research and statistics")
    )

    def __init__(
        self,
        *args: Any,
        providers: list[tuple[int, str]],
        deployments: list[Deployment] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["recipient_provider"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows for mypy
        field.choices = [("", "—"), *((str(pk), name) for pk, name in providers)]
        # A deployment, or one organisation it publishes: "ident" or "ident|org id".
        self.places: dict[str, tuple[int, str]] = {}
        choices: list[tuple[str, str]] = [("", "—")]
        for deployment in deployments or []:
            self.places[deployment.ident] = (deployment.pk, "")
            choices.append((deployment.ident, f"{deployment.name} ({deployment.country})"))
            for organisation in deployment.organisations:
                key = f"{deployment.ident}|{organisation.get('id', '')}"
                self.places[key] = (deployment.pk, str(organisation.get("id", "")))
                choices.append((key, f"{deployment.name} · {organisation.get('name', '')}"))
        across = self.fields["across"]
        assert isinstance(across, forms.ChoiceField)  # noqa: S101
        across.choices = choices
        self.fields["expires_on"].initial = timezone.localdate() + dt.timedelta(days=CONSENT_DAYS)
        self.provider_ids = {str(pk): pk for pk, _name in providers}

    def consent_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        provider = data.pop("recipient_provider")
        data["recipient_provider_id"] = self.provider_ids.get(provider)
        deployment_id, organisation = self.places.get(data.pop("across"), (None, ""))
        data["recipient_deployment_id"] = deployment_id
        data["recipient_deployment_organisation"] = organisation
        data["guardian_name"] = data["guardian_name"].strip()
        return data


class ReferralForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"))
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    reason = forms.ChoiceField(label=_("Reason for the referral"), choices=ReferralReason.choices)
    details = forms.CharField(
        label=_("What is asked"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The help needed. Identity details go only in the consented sections."),
    )
    categories = _categories(_("Share"))
    channel = forms.ChoiceField(
        label=_("How"),
        choices=Channel.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "A letter or a file cannot be recalled once it has left: share it only with the "
            "recipient, and tell the person so before they consent."
        ),
    )
    other_deployment = forms.ChoiceField(
        label=_("Receiving Haven deployment"),
        required=False,
        help_text=_("Only for a referral to another Haven deployment."),
    )
    contact = forms.ChoiceField(
        label=_("Contact person"),
        required=False,  # blank: the sender
        help_text=_(
            "Whom the recipient calls back. Their name and work e-mail go with the referral."
        ),
    )

    def __init__(
        self,
        *args: Any,
        services: list[tuple[int, str]],
        deployments: list[tuple[str, str]],
        contacts: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        service = self.fields["service"]
        assert isinstance(service, forms.ChoiceField)  # noqa: S101
        service.choices = [("", "—"), *((str(pk), label) for pk, label in services)]
        other = self.fields["other_deployment"]
        assert isinstance(other, forms.ChoiceField)  # noqa: S101
        other.choices = [("", "—"), *deployments]
        contact = self.fields["contact"]
        assert isinstance(contact, forms.ChoiceField)  # noqa: S101
        contact.choices = [(str(pk), name) for pk, name in contacts]
        self.service_ids = {str(pk): pk for pk, _label in services}
        self.contact_ids = {str(pk): pk for pk, _name in contacts}

    def service_id(self) -> int | None:
        return self.service_ids.get(self.cleaned_data.get("service", ""))

    def contact_id(self) -> int | None:
        return self.contact_ids.get(self.cleaned_data.get("contact", ""))


class RespondForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=[("accept", _("We can help: accept")), ("decline", _("We cannot help: decline"))],
        widget=forms.RadioSelect,
    )
    # Asked only when declining; the action refuses a decline without it.
    decline_code = forms.ChoiceField(
        label=_("If you decline: why"),
        choices=[("", "—"), *DeclineCode.choices],
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason (needed when declining)"), required=False, max_length=1000
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CompleteForm(forms.Form):
    helped = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("yes", _("Help was given")), ("no", _("Closed without the help"))],
        widget=forms.RadioSelect,
    )
    outcome = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class OverrideRequestForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground"), choices=OverrideGround.choices)
    reason = forms.CharField(
        label=_("What is happening, and why consent cannot be asked"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("It is stored encrypted and shown to whoever decides."),
    )
    hours = forms.IntegerField(label=_("For how many hours"), min_value=1, initial=24)
    categories = _categories(
        _("Share without consent"),
        [(c.value, c.label) for c in OVERRIDE_CATEGORIES],
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class OverrideDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.HiddenInput
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Why you refuse; or, approving in a supervisor's place, which supervisors you "
            "tried to reach."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class WithdrawConsentForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example, what the person said. It is stored encrypted."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Exchange file from another Haven deployment"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # Refused by its announced size, before a byte of it is read into memory.
        if upload.size is None or upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is too large to be a Haven exchange file."), code="too_large"
            )
        return upload


SERVICE_LABELS = dict(ServiceKind.choices)


class RouteForm(forms.Form):
    """Pass an incoming referral to a colleague who answers referrals."""

    colleague = forms.TypedChoiceField(label=_("Pass to"), coerce=int)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, colleagues: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["colleague"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [("", "—"), *colleagues]
