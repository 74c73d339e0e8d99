"""The intake queue: people handed over from screenings, waiting for a case worker."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts.roles import Capability, can
from haven.cases import actions, intake
from haven.cases.models import CLOSED_STATUSES, Case, Intake
from haven.core.decorators import requires, staff_user
from haven.core.feedback import run_action
from haven.screening.labels import FLAG_LABELS

QUEUE_PAGE = 50
NEW_CASE = ""


class AssignForm(forms.Form):
    case_worker = forms.TypedChoiceField(label=gettext_lazy("Case worker"), coerce=int)
    case = forms.ChoiceField(label=gettext_lazy("Case"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, workers: list[tuple[int, str]], cases: list[Case], **kw: Any):
        super().__init__(*args, **kw)
        worker, case = self.fields["case_worker"], self.fields["case"]
        assert isinstance(worker, forms.ChoiceField)  # noqa: S101
        assert isinstance(case, forms.ChoiceField)  # noqa: S101
        worker.choices = [("", "—"), *workers]
        case.choices = [
            *[(c.reference, c.reference) for c in cases],
            (NEW_CASE, _("Open a new case")),
        ]


def rows(user: Any, waiting: list[Intake]) -> list[dict[str, Any]]:
    """Each waiting person with what the assigner needs: verdict, flags, the person's
    active cases (one query for all), and a form to assign in one step."""
    workers = [(w.pk, w.username) for w in actions.case_workers(user.organisation_id)]
    by_person: dict[int, list[Case]] = {}
    for case in (
        Case.objects.filter(
            person_id__in=[i.person_id for i in waiting], organisation_id=user.organisation_id
        )
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("-opened_on", "-pk")
    ):
        by_person.setdefault(case.person_id, []).append(case)
    return [
        {
            "intake": item,
            "flags": [
                FLAG_LABELS[f] for f in item.screening.result.get("flags", []) if f in FLAG_LABELS
            ],
            "cases": by_person.get(item.person_id, []),
            "form": AssignForm(
                workers=workers,
                cases=by_person.get(item.person_id, []),
                initial={"version": item.version},
                prefix=f"i{item.pk}",
            ),
        }
        for item in waiting
    ]


@requires(Capability.INTAKE_ASSIGN)
@require_http_methods(["GET"])
def intake_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    queue = intake.intake_queue(user)
    waiting = list(queue[: QUEUE_PAGE + 1])
    return render(
        request,
        "cases/intake.html",
        {
            "rows": rows(user, waiting[:QUEUE_PAGE]),
            "more": len(waiting) > QUEUE_PAGE,
            "can_view_person": can(user, Capability.PERSON_VIEW),
        },
    )


@requires(Capability.INTAKE_ASSIGN)
@require_POST
def intake_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    item = get_object_or_404(intake.intake_queue(user), pk=pk)
    cases = list(intake.active_cases(item))
    workers = actions.case_workers(user.organisation_id)
    form = AssignForm(
        request.POST,
        workers=[(w.pk, w.username) for w in workers],
        cases=cases,
        prefix=f"i{item.pk}",
    )
    if not form.is_valid():
        messages.error(request, _("Choose a case worker and a case. Nothing was changed."))
        return redirect("cases:intake")
    worker = next(w for w in workers if w.pk == form.cleaned_data["case_worker"])
    chosen = form.cleaned_data["case"]
    case = next((c for c in cases if c.reference == chosen), None) if chosen else None
    run_action(
        request,
        lambda: intake.assign(
            user,
            item,
            case_worker=worker,
            case=case,
            expected_version=form.cleaned_data["version"],
        ),
        _("The case worker was given the person and told on their home page."),
    )
    return redirect("cases:intake")
