from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.accounts.models import User
from haven.accounts.roles import Capability, Role, can
from haven.cases import actions
from haven.cases.access import cases_for, get_case_for
from haven.cases.forms import CaseForm
from haven.core.decorators import requires, staff_user
from haven.core.errors import ConcurrentEditError, stale_edit_message
from haven.people.access import get_person_for
from haven.screening.access import screenings_for

PAGE_SIZE = 25


@requires(Capability.CASE_VIEW)
@require_http_methods(["GET"])
def case_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    cases = cases_for(user, Capability.CASE_VIEW).select_related("person", "assigned_to")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/list.html", {"page": page})


def _default_assignee(user: User) -> User | None:
    return user if Role.CASE_WORKER in user.role_list else None


@requires(Capability.CASE_CREATE)
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    person = get_person_for(user, reference, Capability.PERSON_VIEW)
    can_assign = can(user, Capability.CASE_ASSIGN)
    form = CaseForm(
        request.POST or None,
        initial={"opened_on": timezone.localdate()},
        organisation_id=user.organisation_id,
        can_assign=can_assign,
    )
    if request.method == "POST" and form.is_valid():
        case = actions.open_case(
            user,
            person,
            assigned_to=form.assignee() if can_assign else _default_assignee(user),
            opened_on=form.cleaned_data["opened_on"],
            summary=form.cleaned_data["summary"],
        )
        messages.success(request, _("Case opened."))
        return redirect("cases:detail", reference=case.reference)
    return render(
        request,
        "cases/form.html",
        {"form": form, "person": person, "case": None},
        status=400 if request.method == "POST" else 200,
    )


@requires(Capability.CASE_VIEW)
@require_http_methods(["GET"])
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for(user, reference, Capability.CASE_VIEW)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "can_edit": cases_for(user, Capability.CASE_EDIT).filter(pk=case.pk).exists(),
            "can_view_person": can(user, Capability.PERSON_VIEW),
            "can_screen": can(user, Capability.SCREENING_CREATE),
            "screenings": screenings_for(user, Capability.SCREENING_VIEW)
            .filter(case=case)
            .order_by("created_at"),
        },
    )


@requires(Capability.CASE_EDIT)
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for(user, reference, Capability.CASE_EDIT)
    can_assign = can(user, Capability.CASE_ASSIGN)
    initial = {
        "opened_on": case.opened_on,
        "summary": case.summary,
        "assigned_to": case.assigned_to_id,
        "version": case.version,
    }
    form = CaseForm(
        request.POST or None,
        initial=initial,
        organisation_id=user.organisation_id,
        can_assign=can_assign,
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_case(
                user,
                case,
                expected_version=form.cleaned_data["version"] or 0,
                summary=form.cleaned_data["summary"],
                opened_on=form.cleaned_data["opened_on"],
                assigned_to=form.assignee() if can_assign else actions.KeepAssignment,
            )
        except ConcurrentEditError:
            messages.error(request, stale_edit_message())
            return redirect("cases:edit", reference=case.reference)
        messages.success(request, _("Changes saved."))
        return redirect("cases:detail", reference=case.reference)
    return render(
        request,
        "cases/form.html",
        {"form": form, "person": case.person, "case": case},
        status=400 if request.method == "POST" else 200,
    )
