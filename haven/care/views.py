"""Shelter stays and survivors' feedback: pages under the case, one page for anonymous
feedback from someone not followed in Haven, and the aggregate for those who run the
services. Each page calls one domain action (haven.care.actions), which holds the rules."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.accounts.models import User
from haven.accounts.roles import Capability
from haven.assistance.models import Service, ServiceStatus
from haven.care import actions
from haven.care.forms import EndStayForm, FeedbackForm, StayForm
from haven.care.models import QUESTIONS, Rating, Stay
from haven.care.summary import summarise
from haven.cases.access import get_case_for
from haven.cases.models import Case
from haven.cases.pages import case_form_page
from haven.core.decorators import requires, staff_user
from haven.core.feedback import form_page


def _case(request: HttpRequest, reference: str) -> tuple[User, Case]:
    user = staff_user(request)
    return user, get_case_for(user, reference, Capability.ASSISTANCE_EDIT)


@requires(Capability.ASSISTANCE_EDIT)
@require_http_methods(["GET", "POST"])
def stay_add(request: HttpRequest, reference: str) -> HttpResponse:
    user, case = _case(request, reference)
    form = StayForm(request.POST or None, initial={"entered_on": timezone.localdate()})
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.record_stay(user, case, form.data_for_action()),
        done=_("Stay recorded."),
        title=_("Record a shelter stay"),
        anchor="care",
        intro=_(
            "A shelter is not detention: tell the person, in a language they understand, "
            "that they may leave at any time, and record the stay only once they understood."
        ),
    )


@requires(Capability.ASSISTANCE_EDIT)
@require_http_methods(["GET", "POST"])
def stay_end(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    user, case = _case(request, reference)
    stay = get_object_or_404(Stay, case=case, pk=pk)
    form = EndStayForm(
        request.POST or None,
        initial={"left_on": timezone.localdate(), "version": stay.version},
    )
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.end_stay(
            user, stay, form.data_for_action(), expected_version=form.cleaned_data["version"] or 0
        ),
        done=_("End of the stay recorded."),
        title=_("End of a shelter stay"),
        anchor="care",
        intro=_("arrived %(date)s") % {"date": date_format(stay.entered_on, "SHORT_DATE_FORMAT")},
    )


def _read_out(request: HttpRequest) -> tuple[str, list[tuple[str, list[str]]]]:
    """The questions and answers in the language the person chose (`?lang=`), for the case
    worker to read out; the form itself stays in the worker's language."""
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        answers = [str(label) for label in Rating.labels]
        questions = [(str(question), answers) for _key, question in QUESTIONS]
    return language, questions


def _feedback_context(request: HttpRequest) -> dict[str, object]:
    language, questions = _read_out(request)
    return {
        "read_language": language,
        "read_out": questions,
        "languages": settings.LANGUAGES,
    }


@requires(Capability.ASSISTANCE_EDIT)
@require_http_methods(["GET", "POST"])
def feedback_add(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    user, case = _case(request, reference)
    service = get_object_or_404(Service, case=case, pk=pk, status=ServiceStatus.DELIVERED)
    form = FeedbackForm(request.POST or None)
    return case_form_page(
        request,
        case,
        form,
        lambda: actions.record_feedback(user, form.data_for_action(), service=service),
        done=_("Thank you: the feedback was recorded."),
        title=_("Feedback on a service"),
        anchor="care",
        intro=service.get_kind_display(),
        context={
            **_feedback_context(request),
            "anonymous_url": reverse("care:feedback_anonymous"),
        },
        template="care/feedback_form.html",
    )


@requires(Capability.ASSISTANCE_EDIT)
@require_http_methods(["GET", "POST"])
def feedback_anonymous(request: HttpRequest) -> HttpResponse:
    """Feedback from someone Haven does not follow, or who wants no link to their case."""
    user = staff_user(request)
    form = FeedbackForm(request.POST or None, with_kind=True)
    return form_page(
        request,
        form,
        lambda: actions.record_feedback(user, form.data_for_action()),
        done=_("Thank you: the feedback was recorded."),
        back=reverse("core:home"),
        template="care/feedback_form.html",
        context={"title": _("Anonymous feedback on a service"), **_feedback_context(request)},
    )


@requires(Capability.FEEDBACK_VIEW)
@require_http_methods(["GET"])
def feedback_summary(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    summary = summarise(user.organisation_id)
    return render(request, "care/feedback_summary.html", {"summary": summary})
