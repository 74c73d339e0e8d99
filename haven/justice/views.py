"""The Justice pages of a case: the records, their forms, and the non-punishment letter.
Reached by the case team only (Capability.JUSTICE_EDIT); another organisation's case, or
a case the user does not hold, answers 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.accounts.models import User
from haven.accounts.roles import Capability
from haven.cases.access import get_case_for
from haven.cases.models import Case
from haven.core.decorators import requires, staff_user
from haven.core.errors import RefusedError
from haven.core.feedback import form_page
from haven.justice import actions
from haven.justice.forms import FORMS, LetterForm
from haven.justice.letter import letter_pdf
from haven.justice.models import (
    CompensationClaim,
    Penalisation,
    Proceeding,
    SafetyReview,
)
from haven.justice.nonpunishment import signs

TITLES = {
    "penalisation": gettext_lazy("Arrest, detention or charge"),
    "proceeding": gettext_lazy("Criminal proceedings"),
    "hearing": gettext_lazy("Hearing"),
    "protection": gettext_lazy("Protection measure"),
    "safety-review": gettext_lazy("Post-trial safety review"),
    "compensation": gettext_lazy("Compensation claim"),
}


def _case(request: HttpRequest, reference: str) -> tuple[User, Case]:
    user = staff_user(request)
    return user, get_case_for(user, reference, Capability.JUSTICE_EDIT)


def _page(case: Case) -> str:
    return reverse("justice:case", kwargs={"reference": case.reference})


@requires(Capability.JUSTICE_EDIT)
@require_http_methods(["GET"])
def case_page(request: HttpRequest, reference: str) -> HttpResponse:
    _user, case = _case(request, reference)
    proceedings = list(
        Proceeding.objects.filter(case=case).prefetch_related("hearings", "protection_measures")
    )
    context = {
        "case": case,
        "signs": signs(case),
        "penalisations": list(Penalisation.objects.filter(case=case)),
        "proceedings": proceedings,
        "safety_reviews": list(SafetyReview.objects.filter(case=case).select_related("proceeding")),
        "claims": list(CompensationClaim.objects.filter(case=case)),
        "today": timezone.localdate(),
    }
    return render(request, "justice/case.html", context)


@requires(Capability.JUSTICE_EDIT)
@require_http_methods(["GET", "POST"])
def record_add(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    if kind not in FORMS:
        raise Http404
    user, case = _case(request, reference)
    form = FORMS[kind](request.POST or None, case=case)
    return form_page(
        request,
        form,
        lambda: actions.add_record(user, case, kind, form.data_for_action()),
        done=_("Saved."),
        back=_page(case),
        template="cases/form_page.html",
        context={"case": case, "title": TITLES[kind], "intro": _intro(kind)},
    )


@requires(Capability.JUSTICE_EDIT)
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, reference: str, kind: str, pk: int) -> HttpResponse:
    if kind not in FORMS:
        raise Http404
    user, case = _case(request, reference)
    model = actions.KINDS[kind].model
    record = get_object_or_404(model, case=case, pk=pk)
    form_class = FORMS[kind]
    initial: dict[str, Any] = {name: getattr(record, name) for name in form_class.base_fields}
    form = form_class(request.POST or None, case=case, initial=initial)
    return form_page(
        request,
        form,
        lambda: actions.update_record(
            user, record, form.data_for_action(), expected_version=form.cleaned_data["version"] or 0
        ),
        done=_("Saved."),
        back=_page(case),
        template="cases/form_page.html",
        context={"case": case, "title": TITLES[kind], "intro": _intro(kind)},
    )


def _intro(kind: str) -> str:
    if kind == "penalisation":
        return _(
            "A victim is not to be punished for what they were made to do. Record what the "
            "authorities did, then ask for non-punishment."
        )
    if kind in ("proceeding", "hearing"):
        return _("Taking part is the person's own choice and may change. Help never depends on it.")
    return ""


@requires(Capability.JUSTICE_EDIT)
@require_http_methods(["GET", "POST"])
def letter(request: HttpRequest, reference: str) -> HttpResponse:
    """Make the non-punishment request letter as PDF; refused (and why) when it cannot be."""
    user, case = _case(request, reference)
    events = [
        (p.pk, f"{p.get_kind_display()} · {p.on:%Y-%m-%d}")
        for p in Penalisation.objects.filter(case=case)
    ]
    form = LetterForm(
        request.POST or None, events=events, initial={"language": get_language() or "en"}
    )
    refused = ""
    if request.method == "POST" and form.is_valid():
        penalisation = Penalisation.objects.get(case=case, pk=form.cleaned_data["penalisation"])
        try:
            facts = actions.letter_facts(
                user,
                case,
                penalisation,
                addressee=form.cleaned_data["addressee"],
                language=form.cleaned_data["language"],
            )
        except RefusedError as error:
            refused = error.message
        else:
            response = HttpResponse(letter_pdf(facts), content_type="application/pdf")
            name = f"{case.reference}-non-punishment-{facts.language}.pdf"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    context = {
        "case": case,
        "form": form,
        "refused": refused,
        "back": _page(case),
        "title": _("Non-punishment request letter"),
        "submit": _("Make the letter (PDF)"),
        "intro": _(
            "The letter carries only the identification status, the forms of exploitation "
            "in the case record and the event you choose; it names the person only if they "
            "consented to share their identity. Making it is recorded in the audit trail."
        ),
        "empty": not events,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "justice/letter_form.html", context, status=status)
