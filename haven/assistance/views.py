"""Assistance pages. Every one is reachable whatever the identification status and
whatever the person's cooperation with the authorities: help never waits for either."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.accounts.models import User
from haven.accounts.roles import Capability
from haven.assistance import actions, returns
from haven.assistance.forms import (
    AssessmentForm,
    FollowUpForm,
    FollowUpScheduleForm,
    ObjectiveEditForm,
    ObjectiveForm,
    ReturnApprovalForm,
    ReturnPlanForm,
    ServiceEditForm,
    ServiceForm,
)
from haven.assistance.models import FollowUp, ReturnPlan, Service, ServiceStatus, SupportObjective
from haven.cases.access import get_case_for
from haven.cases.models import Case
from haven.cases.pages import case_form_page
from haven.core.decorators import requires, staff_user


def _case(request: HttpRequest, reference: str) -> tuple[User, Case]:
    user = staff_user(request)
    case = get_case_for(user, reference, Capability.ASSISTANCE_EDIT)
    return user, case


def _fields(instance: object, form_class: type[forms.Form]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in form_class.base_fields}


@requires(Capability.ASSISTANCE_EDIT)
@require_http_methods(["GET", "POST"])
def assessment_add(request: HttpRequest, reference: str) -> HttpResponse:
    user, case = _case(request, reference)
    form = AssessmentForm(request.POST or None, initial={"assessed_on": timezone.localdate()})
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.add_assessment(user, case, form.data_for_action()),
        done=_("Assessment saved."),
        title=_("Needs and risk assessment"),
        anchor="assistance",
        intro=_("Repeat it as things change: each assessment is kept."),
    )


@requires(Capability.ASSISTANCE_EDIT)
@require_http_methods(["GET", "POST"])
def objective_add(request: HttpRequest, reference: str) -> HttpResponse:
    user, case = _case(request, reference)
    form = ObjectiveForm(request.POST or None)
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.add_objective(user, case, form.data_for_action()),
        done=_("Objective added to the support plan."),
        title=_("Add to the support plan"),
        anchor="assistance",
    )


@requires(Capability.ASSISTANCE_EDIT)
@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    user, case = _case(request, reference)
    objective = get_object_or_404(SupportObjective, case=case, pk=pk)
    form = ObjectiveEditForm(request.POST or None, initial=_fields(objective, ObjectiveEditForm))
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.update_objective(
            user,
            objective,
            form.data_for_action(),
            expected_version=form.cleaned_data["version"] or 0,
        ),
        done=_("Support plan saved."),
        title=_("Support plan objective"),
        anchor="assistance",
    )


@requires(Capability.ASSISTANCE_EDIT)
@require_http_methods(["GET", "POST"])
def service_add(request: HttpRequest, reference: str) -> HttpResponse:
    user, case = _case(request, reference)
    form = ServiceForm(
        request.POST or None,
        initial={"on": timezone.localdate(), "status": ServiceStatus.DELIVERED},
    )
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.record_service(user, case, form.data_for_action()),
        done=_("Service recorded."),
        title=_("Record a service"),
        anchor="assistance",
        intro=_("The person may decline any service and may take it up later."),
    )


@requires(Capability.ASSISTANCE_EDIT)
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    user, case = _case(request, reference)
    service = get_object_or_404(Service, case=case, pk=pk)
    form = ServiceEditForm(request.POST or None, initial=_fields(service, ServiceEditForm))
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.update_service(
            user,
            service,
            form.data_for_action(),
            expected_version=form.cleaned_data["version"] or 0,
        ),
        done=_("Service saved."),
        title=_("Service"),
        anchor="assistance",
        intro=_("The person may decline any service and may take it up later."),
    )


@requires(Capability.ASSISTANCE_EDIT)
@require_http_methods(["GET", "POST"])
def return_plan(request: HttpRequest, reference: str) -> HttpResponse:
    user, case = _case(request, reference)
    plan = ReturnPlan.objects.filter(case=case).first()
    initial = _fields(plan, ReturnPlanForm) if plan else {}
    form = ReturnPlanForm(request.POST or None, initial=initial)
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.save_return_plan(
            user, case, form.data_for_action(), expected_version=form.cleaned_data["version"]
        ),
        done=_("Voluntary return plan saved."),
        title=_("Voluntary return"),
        anchor="return",
        intro=_(
            "Return is safe and voluntary, never a deportation: record it only when the "
            "person asked for it, after a risk assessment, with a plan on the receiving side."
        ),
    )


@requires(Capability.RETURN_APPROVE)
@require_http_methods(["GET", "POST"])
def return_approve(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for(user, reference, Capability.RETURN_APPROVE)
    plan = get_object_or_404(ReturnPlan, case=case)
    concern = returns.protection_concern(case)
    form = ReturnApprovalForm(
        request.POST or None, initial={"version": plan.version}, concern=bool(concern)
    )
    waits = returns.reflection_bar(case, timezone.localdate(), plan.travel_on)
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.approve_return_plan(
            user,
            case,
            expected_version=form.cleaned_data["version"] or 0,
            found_safe=form.cleaned_data.get("found_safe", False),
            still_asks=form.cleaned_data.get("still_asks", False),
            assessment=form.cleaned_data.get("assessment", ""),
        ),
        done=_("Return plan approved."),
        title=_("Approve the voluntary return"),
        anchor="return",
        submit=_("Approve the return"),
        intro=" ".join(
            filter(
                None,
                [
                    waits,
                    concern,
                    _(
                        "Non-refoulement: nobody is returned to a place where they risk "
                        "persecution or serious harm, whatever they were told before."
                    )
                    if concern
                    else _("Check the plan on the case page before approving it."),
                ],
            )
        ),
    )


@requires(Capability.ASSISTANCE_EDIT)
@require_http_methods(["GET", "POST"])
def follow_ups_schedule(request: HttpRequest, reference: str) -> HttpResponse:
    user, case = _case(request, reference)
    form = FollowUpScheduleForm(request.POST or None, initial={"start": timezone.localdate()})
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.schedule_follow_ups(user, case, form.cleaned_data["start"]),
        done=_("Follow-ups scheduled."),
        title=_("Schedule reintegration follow-ups"),
        anchor="follow-ups",
        submit=_("Schedule"),
        intro=_("Check-ins about 1, 3, 6 and 12 months after the date you give."),
    )


@requires(Capability.ASSISTANCE_EDIT)
@require_http_methods(["GET", "POST"])
def follow_up_record(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    user, case = _case(request, reference)
    follow_up = get_object_or_404(FollowUp, case=case, pk=pk)
    form = FollowUpForm(
        request.POST or None,
        initial={
            "done_on": follow_up.done_on or timezone.localdate(),
            "outcome": follow_up.outcome,
            "note": follow_up.note,
            "version": follow_up.version,
        },
    )
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.record_follow_up(
            user, follow_up, form.data_for_action(), expected_version=form.cleaned_data["version"]
        ),
        done=_("Follow-up recorded."),
        title=_("Record a follow-up"),
        anchor="follow-ups",
    )
