"""The pages of a person's right to their data and of retention. Thin: each parses the
form, finds the record through its scoped lookup and calls one action."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.accounts.roles import Capability
from haven.cases.access import get_case_for
from haven.cases.pages import case_form_page
from haven.core.decorators import requires, staff_user
from haven.core.errors import RefusedError
from haven.core.feedback import form_page
from haven.people.access import get_person_for
from haven.rights import actions
from haven.rights.forms import LegalHoldForm, RetentionPolicyForm, SubjectExportForm
from haven.rights.models import LegalHold, RetentionPolicy

CONTENT_TYPES = {"json": "application/json", "pdf": "application/pdf"}


@requires(Capability.SUBJECT_EXPORT)
@require_http_methods(["GET", "POST"])
def subject_export(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    person = get_person_for(user, reference, Capability.SUBJECT_EXPORT)
    form = SubjectExportForm(request.POST or None, initial={"format": "pdf"})
    refused = ""
    if request.method == "POST" and form.is_valid():
        fmt = form.cleaned_data["format"]
        try:
            export = actions.export_subject(
                user, person, form.cleaned_data["language"], pdf=fmt == "pdf"
            )
        except RefusedError as error:
            refused = error.message
        else:
            body = export.pdf if fmt == "pdf" else export.json
            response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
            response["Content-Disposition"] = f'attachment; filename="{export.filename(fmt)}"'
            response["Cache-Control"] = "no-store"
            return response
    status = 400 if request.method == "POST" else 200
    page = {"person": person, "form": form, "refused": refused}
    return render(request, "rights/subject_export.html", page, status=status)


@requires(Capability.RETENTION_MANAGE)
@require_http_methods(["GET", "POST"])
def retention_policy(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    policy = RetentionPolicy.objects.filter(organisation_id=user.organisation_id).first()
    initial = {}
    if policy is not None:
        initial = {"years": policy.years, "outcome": policy.outcome, "version": policy.version}
    form = RetentionPolicyForm(request.POST or None, initial=initial)

    def save() -> object:
        data = form.cleaned_data
        return actions.set_retention_policy(
            user, years=data["years"], outcome=data["outcome"], expected_version=data["version"]
        )

    back = reverse("rights:retention")
    return form_page(
        request,
        form,
        save,
        done=_("Retention policy saved."),
        back=back,
        template="rights/retention.html",
        context={"policy": policy},
    )


@requires(Capability.LEGAL_HOLD)
@require_http_methods(["GET", "POST"])
def legal_hold(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for(user, reference, Capability.LEGAL_HOLD)
    holds = list(LegalHold.objects.filter(case=case))
    active = next((h for h in holds if h.is_active), None)
    form = LegalHoldForm(request.POST or None, initial={"change": "lift" if active else "place"})

    def save() -> object:
        reason = form.cleaned_data["reason"]
        if form.cleaned_data["change"] == "lift":
            return actions.lift_legal_hold(user, case, reason)
        return actions.place_legal_hold(user, case, reason)

    return case_form_page(
        request,
        case,
        form,
        save,
        done=_("Legal hold lifted.") if active else _("Legal hold placed."),
        title=_("Legal hold"),
        anchor="status",
        submit=_("Lift the hold") if active else _("Place a hold"),
        intro=_(
            "A case under a legal hold is never anonymised or deleted by the retention "
            "policy, and neither is its person, until the hold is lifted."
        ),
        template="rights/legal_hold.html",
        context={"holds": holds, "active": active},
    )
