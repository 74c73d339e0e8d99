from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts.models import User
from haven.accounts.roles import Capability, can
from haven.assistance import returns
from haven.assistance.models import ReturnPlan, Stage
from haven.cases import actions
from haven.cases.access import cases_for, due_cases_for, get_case_for
from haven.cases.children import is_child, missing_safeguards
from haven.cases.due import due_items, due_summary, overdue_by_worker, parse_cursor
from haven.cases.forms import (
    AgeAssessmentForm,
    CaseForm,
    CaseRecordForm,
    ClosureRequestForm,
    JourneyForm,
)
from haven.cases.listing import CaseListForm, case_page
from haven.cases.models import Case, CaseStatus
from haven.cases.pages import case_action, case_form_page
from haven.core.decorators import requires, staff_user
from haven.core.errors import ConcurrentEditError, RefusedError, stale_edit_message
from haven.core.forms import VersionForm
from haven.core.htmx import is_htmx
from haven.identification import jurisdictions
from haven.identification.actions import legal_targets
from haven.people.access import get_person_for
from haven.screening.access import screenings_for

PAGE_SIZE = 25
APPROVE = "approve"


@requires(Capability.CASE_VIEW)
@require_http_methods(["GET"])
def case_list(request: HttpRequest) -> HttpResponse:
    """Filter, sort, page. htmx asks for the results alone when a filter changes."""
    user = staff_user(request)
    form = CaseListForm(request.GET, workers=actions.case_workers(user.organisation_id))
    page, ignored = case_page(cases_for(user, Capability.CASE_VIEW), form, timezone.localdate())
    context = {
        "form": form,
        "page": page,
        "ignored": ignored,
        "next_url": _query_with(request, after=page.next_after) if page.next_after else "",
        "first_url": _query_with(request, after="") if form.value("after") else "",
        # On a phone the filters fold away unless one is in use.
        "filtered": any(value for key, value in request.GET.items() if key != "after"),
    }
    template = "cases/_list_results.html" if is_htmx(request) else "cases/list.html"
    return render(request, template, context)


def _query_with(request: HttpRequest, **changes: str) -> str:
    params = request.GET.copy()
    for name, value in changes.items():
        if value:
            params[name] = value
        else:
            params.pop(name, None)
    return f"?{params.urlencode()}"


@requires(Capability.CASE_VIEW)
@require_http_methods(["GET"])
def due_list(request: HttpRequest) -> HttpResponse:
    """Everything due on the user's cases (as on their home page), most overdue first, a
    page at a time."""
    user = staff_user(request)
    cases = due_cases_for(user)
    today = timezone.localdate()
    overdue_only = request.GET.get("overdue") == "1"
    after_text = request.GET.get("after", "")
    after = parse_cursor(after_text) if after_text else None
    if after_text and after is None:
        messages.warning(request, _("That page of the list does not exist: showing the first."))
    items = due_items(cases, today, overdue_only=overdue_only, after=after, limit=PAGE_SIZE + 1)
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    return render(
        request,
        "cases/due_list.html",
        {
            "summary": due_summary(cases, today, overdue_only=overdue_only, shown=0),
            "items": items,
            "overdue_only": overdue_only,
            "next_url": _query_with(request, after=items[-1].cursor) if more else "",
            "first_url": _query_with(request, after="") if after else "",
        },
    )


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
    refused = ""
    active: list[Case] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.open_case(
                user,
                person,
                assigned_to=form.assignee() if can_assign else actions.default_assignee(user),
                opened_on=form.cleaned_data["opened_on"],
                summary=form.cleaned_data["summary"],
                confirmed_second_case=form.cleaned_data["confirmed_second_case"],
            )
        except RefusedError as error:
            refused = error.message
        except actions.ActiveCaseExistsError as warning:
            # Nothing saved; the user looks at the active case or confirms a second one.
            active = warning.cases
        else:
            messages.success(request, _("Case opened."))
            return redirect("cases:detail", reference=case.reference)
    return render(
        request,
        "cases/form.html",
        {"form": form, "person": person, "case": None, "refused": refused, "active": active},
        status=400 if request.method == "POST" and active is None else 200,
    )


@requires(Capability.CASE_VIEW)
@require_http_methods(["GET"])
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for(user, reference, Capability.CASE_VIEW)
    return render(request, "cases/detail.html", case_page_context(user, case))


def _child_context(case: Case) -> dict[str, Any]:
    """The age assessments (one query, also deciding whether the case is a child's) and,
    for a child, what is still to be recorded before the gates."""
    assessments = list(case.age_assessments.select_related("recorded_by"))
    child = is_child(case, assessments)
    return {
        "age_assessments": assessments,
        "is_child": child,
        "missing_safeguards": missing_safeguards(case) if child else [],
    }


def case_page_context(user: User, case: Case) -> dict[str, Any]:
    """Everything the case page shows. Identity stays on the person page (audited)."""
    today = timezone.localdate()
    may = {
        capability: cases_for(user, capability).filter(pk=case.pk).exists()
        for capability in (
            Capability.CASE_EDIT,
            Capability.ASSISTANCE_EDIT,
            Capability.IDENTIFICATION_CHANGE,
            Capability.CASE_CLOSE_APPROVE,
            Capability.CONSENT_RECORD,
            Capability.REFERRAL_SEND,
        )
    }
    jurisdiction = jurisdictions.get(case.jurisdiction)
    objectives = list(case.objectives.all())
    services = list(case.services.all())
    stages = [
        {
            "stage": stage,
            "objectives": [o for o in objectives if o.stage == stage],
            "services": [s for s in services if s.stage == stage],
        }
        for stage in Stage
    ]
    return {
        "case": case,
        "today": today,
        "jurisdiction": jurisdiction,
        "can_edit": may[Capability.CASE_EDIT] and not case.is_closed,
        "can_reopen": may[Capability.CASE_EDIT] and case.is_closed,
        "can_assist": may[Capability.ASSISTANCE_EDIT] and not case.is_closed,
        "can_decide_closure": may[Capability.CASE_CLOSE_APPROVE]
        and case.closure_pending
        and case.closure_requested_by_id != user.pk,
        "identification_targets": legal_targets(user, case)
        if may[Capability.IDENTIFICATION_CHANGE] and not case.is_closed
        else [],
        "can_view_person": can(user, Capability.PERSON_VIEW),
        "can_screen": can(user, Capability.SCREENING_CREATE) and not case.is_closed,
        "screenings": screenings_for(user, Capability.SCREENING_VIEW)
        .filter(case=case)
        .order_by("created_at"),
        "identification": case.identification.select_related(
            "decided_by", "decided_by_organisation"
        ).prefetch_related("screenings"),
        "journey": case.journey.all(),
        **_child_context(case),
        "assessments": case.assessments.all(),
        "stages": stages,
        "return_plan": ReturnPlan.objects.filter(case=case).select_related("approved_by").first(),
        # Organisation-wide for supervisors: the case page is their own organisation's.
        "can_approve_return": can(user, Capability.RETURN_APPROVE) and not case.is_closed,
        "return_waits": returns.reflection_bar(case, today) or returns.protection_concern(case),
        "follow_ups": case.follow_ups.all(),
        "events": case.events.select_related("actor")[:20],
        "consents": case.consents.select_related(
            "recipient_provider", "recipient_deployment", "recorded_by"
        ),
        "referrals": case.referrals.all(),
        # Referrals this organisation received and took on in this case (the packets).
        "incoming_referrals": case.incoming_referrals.filter(
            recipient_organisation_id=case.organisation_id
        ).select_related("sender_organisation"),
        "can_read_referrals": can(user, Capability.REFERRAL_RECEIVE),
        "can_consent": may[Capability.CONSENT_RECORD] and not case.is_closed,
        # The person may withdraw consent whatever the case's status (withdraw_consent).
        "can_withdraw_consent": may[Capability.CONSENT_RECORD],
        "can_refer": may[Capability.REFERRAL_SEND] and not case.is_closed,
        "can_hold": can(user, Capability.LEGAL_HOLD),
        "version_form": VersionForm(initial={"version": case.version}),
    }


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
    refused = ""
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
        except RefusedError as error:
            refused = error.message
        else:
            messages.success(request, _("Changes saved."))
            return redirect("cases:detail", reference=case.reference)
    return render(
        request,
        "cases/form.html",
        {"form": form, "person": case.person, "case": case, "refused": refused},
        status=400 if request.method == "POST" else 200,
    )


@requires(Capability.CASE_EDIT)
@require_http_methods(["GET", "POST"])
def case_record(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for(user, reference, Capability.CASE_EDIT)
    initial = {name: getattr(case, name) for name in actions.RECORD_FIELDS}
    form = CaseRecordForm(request.POST or None, initial={**initial, "version": case.version})
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.update_case_record(
            user, case, form.record_data(), expected_version=form.cleaned_data["version"]
        ),
        done=_("Case record saved."),
        title=_("Case record"),
        anchor="record",
        template="cases/record.html",
    )


@requires(Capability.CASE_EDIT)
@require_http_methods(["GET", "POST"])
def journey_add(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for(user, reference, Capability.CASE_EDIT)
    form = JourneyForm(request.POST or None)
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.add_journey_event(user, case, form.cleaned_data),
        done=_("Journey step added."),
        title=_("Add a step of the journey"),
        anchor="journey",
    )


@requires(Capability.CASE_EDIT)
@require_http_methods(["GET", "POST"])
def age_assessment_add(request: HttpRequest, reference: str) -> HttpResponse:
    """Record an age assessment; the page lists the case's earlier ones, latest first."""
    user = staff_user(request)
    case = get_case_for(user, reference, Capability.CASE_EDIT)
    form = AgeAssessmentForm(request.POST or None)
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.record_age_assessment(user, case, **form.cleaned_data),
        done=_("Age assessment recorded."),
        title=_("Record an age assessment"),
        anchor="record",
        template="cases/age_assessment.html",
        context={"age_assessments": case.age_assessments.select_related("recorded_by")},
    )


@requires(Capability.CASE_EDIT)
@require_POST
def case_status(request: HttpRequest, reference: str, status: str) -> HttpResponse:
    """Active <-> follow-up, and reopening a closed case."""
    user = staff_user(request)
    case = get_case_for(user, reference, Capability.CASE_EDIT)
    form = VersionForm(request.POST)
    done = _("Case reopened.") if case.is_closed else _("Case status changed.")
    return case_action(
        request,
        case,
        form,
        lambda: actions.change_case_status(
            user, case, status, expected_version=form.cleaned_data["version"]
        ),
        done=done,
        anchor="status",
    )


@requires(Capability.CASE_EDIT)
@require_http_methods(["GET", "POST"])
def close_request(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for(user, reference, Capability.CASE_EDIT)
    form = ClosureRequestForm(request.POST or None, initial={"version": case.version})
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.request_closure(
            user,
            case,
            to=form.cleaned_data["to"],
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"].strip(),
            expected_version=form.cleaned_data["version"],
        ),
        done=_("Closure requested. A supervisor will approve or refuse it."),
        title=_("Request closing the case"),
        anchor="status",
        submit=_("Request closure"),
        intro=_(
            "Closing needs a supervisor's approval. A person declining services is not by "
            "itself a reason to close: they may come back."
        ),
    )


@requires(Capability.CASE_CLOSE_APPROVE)
@require_POST
def close_decide(request: HttpRequest, reference: str, decision: str) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for(user, reference, Capability.CASE_CLOSE_APPROVE)
    form = VersionForm(request.POST)
    # The URL admits only the two words (`closure_decision` in urls.py): any other is 404.
    approve = decision == APPROVE
    return case_action(
        request,
        case,
        form,
        lambda: actions.decide_closure(
            user, case, approve=approve, expected_version=form.cleaned_data["version"]
        ),
        done=_("Closure approved.") if approve else _("Closure refused: the case stays open."),
        anchor="status",
    )


def _load_row(worker: User | None) -> dict[str, Any]:
    return {"worker": worker, "open": 0, "follow_up": 0, "overdue": 0}


@requires(Capability.TEAM_VIEW)
@require_http_methods(["GET"])
def team(request: HttpRequest) -> HttpResponse:
    """A supervisor's view of the team's caseload and what is overdue."""
    user = staff_user(request)
    cases = cases_for(user, Capability.TEAM_VIEW)
    today = timezone.localdate()
    rows = {w.pk: _load_row(w) for w in actions.case_workers(user.organisation_id)}
    others = _load_row(None)  # not assigned, or assigned to someone no longer a case worker

    def row(worker_pk: int | None) -> dict[str, Any]:
        return rows.get(worker_pk, others) if worker_pk is not None else others

    for counted in cases.order_by().values("assigned_to", "status").annotate(n=Count("pk")):
        if counted["status"] == CaseStatus.ACTIVE:
            row(counted["assigned_to"])["open"] += counted["n"]
        elif counted["status"] == CaseStatus.FOLLOW_UP:
            row(counted["assigned_to"])["follow_up"] += counted["n"]
    for worker_pk, n in overdue_by_worker(cases, today).items():
        row(worker_pk)["overdue"] += n
    shown = [*rows.values(), *([others] if others["open"] or others["follow_up"] else [])]
    return render(
        request,
        "cases/team.html",
        {"rows": shown, "due": due_summary(cases, today, overdue_only=True)},
    )


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    actions.mark_notifications_read(staff_user(request))
    return redirect("core:home")
