from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts.models import User
from haven.accounts.roles import Capability, can
from haven.cases import intake
from haven.cases.access import cases_for, get_case_for
from haven.cases.children import child_by
from haven.cases.models import CLOSED_STATUSES, Intake
from haven.core.decorators import requires, staff_user
from haven.core.errors import ConcurrentEditError, RefusedError, stale_edit_message
from haven.core.feedback import run_action
from haven.core.forms import VersionForm
from haven.people.access import get_person_for, people_for
from haven.screening import actions, engine, presentation
from haven.screening.access import get_screening_for, screenings_for
from haven.screening.forms import (
    DUTY_BOUND_ORGANISATIONS,
    EXPLORE,
    AttachForm,
    JudgementForm,
    ProfileForm,
    ReadinessForm,
    TopicForm,
    profile_initial,
)
from haven.screening.labels import TOPIC_LABELS
from haven.screening.models import Screening, ScreeningStatus
from haven.screening_engine import default_catalogue
from haven.screening_engine.model import Indicator
from haven.translations import live
from haven.translations.models import ReviewState

PAGE_SIZE = 25


def _editable(user: User, reference: str) -> Screening:
    screening = get_screening_for(user, reference, Capability.SCREENING_CREATE)
    if screening.is_completed:
        raise Http404
    return screening


def question_anchor(indicator_id: str) -> str:
    """The id of a question's fieldset on its topic page, for links straight to it."""
    return f"q-{indicator_id}"


def first_unanswered(indicators: list[Indicator], answers: dict[str, str]) -> Indicator | None:
    """The first of these questions with no answer at all.

    "Don't know" and "prefers not to say" are answers: the person was asked.
    """
    return next((i for i in indicators if i.id not in answers), None)


def _at(url: str, indicators: list[Indicator], question: Indicator) -> str:
    # A screen opens on its first question, below the reminders and warnings the screener
    # must see; only a question further down needs the page scrolled to it.
    if indicators[0].id == question.id:
        return url
    return f"{url}#{question_anchor(question.id)}"


def next_step(screening: Screening) -> str:
    """Where the interview goes next, and where a paused one resumes: the quick screening's
    first unanswered question, then the follow-ups the answers opened, then the result."""
    reference = screening.reference
    if screening.is_completed:
        return reverse("screening:result", args=[reference])
    if screening.status == ScreeningStatus.SUSPENDED:
        return reverse("screening:suspended", args=[reference])
    if not screening.profile:
        return reverse("screening:profile", args=[reference])
    quick = engine.gateways()
    question = first_unanswered(quick, screening.answers)
    if question is not None:
        return _at(reverse("screening:quick", args=[reference]), quick, question)
    if engine.follow_ups(screening.profile, screening.answers, screening.explore):
        return reverse("screening:follow_up", args=[reference])
    return reverse("screening:result", args=[reference])


def _refused(request: HttpRequest, error: RefusedError, screening: Screening) -> HttpResponse:
    """Say why nothing was saved (e.g. someone completed it meanwhile) and go where it is."""
    messages.error(request, error.message)
    screening.refresh_from_db()
    return _go(screening)


def _go(screening: Screening) -> HttpResponse:
    return redirect(next_step(screening))


def unreviewed(screening: Screening, indicator_id: str) -> bool:
    """Whether the question as read in the interview language has not been reviewed by a
    fluent speaker (a machine draft, or marked as needing change)."""
    state = live.question_state(
        screening.interview_language, indicator_id, child=screening.child_wording
    )
    return state != ReviewState.REVIEWED


def interview_draft_language(screening: Screening, indicator_ids: Iterable[str]) -> str | None:
    """The interview language's name when any of these questions is unreviewed, else None."""
    if not any(unreviewed(screening, i) for i in indicator_ids):
        return None
    language = screening.interview_language
    return str(dict(settings.LANGUAGES).get(language, language))


@requires(Capability.SCREENING_VIEW)
@require_http_methods(["GET"])
def screening_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    screenings = screenings_for(user, Capability.SCREENING_VIEW).select_related("person", "case")
    page = Paginator(screenings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "screening/list.html",
        {"page": page, "can_start": can(user, Capability.SCREENING_CREATE)},
    )


def _start(request: HttpRequest, person: Any = None, case: Any = None) -> HttpResponse:
    user = staff_user(request)
    form = ReadinessForm(request.POST or None)
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            screening = actions.start_screening(
                user, readiness=form.cleaned_data, person=person, case=case
            )
        except RefusedError as error:
            refused = error.message
        else:
            return _go(screening)
    organisation = user.organisation
    duty_bound = organisation.org_type in DUTY_BOUND_ORGANISATIONS
    return render(
        request,
        "screening/start.html",
        {
            "form": form,
            "person": person,
            "case": case,
            "duty_bound_type": organisation.get_org_type_display() if duty_bound else "",
            "refused": refused,
        },
        status=400 if request.method == "POST" else 200,
    )


@requires(Capability.SCREENING_CREATE)
@require_http_methods(["GET", "POST"])
def screening_start(request: HttpRequest) -> HttpResponse:
    return _start(request)


@requires(Capability.SCREENING_CREATE)
@require_http_methods(["GET", "POST"])
def screening_start_for_person(request: HttpRequest, reference: str) -> HttpResponse:
    person = get_person_for(staff_user(request), reference, Capability.PERSON_VIEW)
    return _start(request, person=person)


@requires(Capability.SCREENING_CREATE)
@require_http_methods(["GET", "POST"])
def screening_start_for_case(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(staff_user(request), reference, Capability.CASE_EDIT)
    return _start(request, person=case.person, case=case)


@requires(Capability.SCREENING_VIEW)
@require_http_methods(["GET"])
def screening_resume(request: HttpRequest, reference: str) -> HttpResponse:
    screening = get_screening_for(staff_user(request), reference, Capability.SCREENING_VIEW)
    return _go(screening)


@requires(Capability.SCREENING_CREATE)
@require_http_methods(["GET", "POST"])
def screening_profile(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    screening = _editable(user, reference)
    # A re-screening offers the previous profile until this one is saved (= confirmed).
    from_previous = not screening.profile and bool(screening.previous_profile)
    profile = screening.previous_profile if from_previous else screening.profile
    form = ProfileForm(request.POST or None, initial=profile_initial(profile, screening.version))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            actions.set_profile(
                user, screening, data, expected_version=form.cleaned_data["version"]
            )
        except ConcurrentEditError:
            messages.error(request, stale_edit_message())
            return redirect("screening:profile", reference=reference)
        except RefusedError as error:
            return _refused(request, error, screening)
        return _go(screening)
    return render(
        request,
        "screening/profile.html",
        {"form": form, "screening": screening, "from_previous": from_previous},
        status=400 if request.method == "POST" else 200,
    )


def _after_save(
    request: HttpRequest,
    screening: Screening,
    *,
    suspended: bool,
    back: str | None,
    forward: str | None,
) -> HttpResponse:
    """Where saving leads; None means wherever the interview goes next (worked out only
    then: it assesses the answers)."""
    if suspended:
        return redirect("screening:suspended", reference=screening.reference)
    if "pause" in request.POST:
        messages.success(request, _("Progress saved. You can resume this screening at any time."))
        return redirect("screening:list")
    target = back if "back" in request.POST else forward
    return redirect(target or next_step(screening))


def _questions(
    request: HttpRequest,
    screening: Screening,
    indicators: list[Indicator],
    *,
    topic: str | None,
    heading: str,
    back: str | None,
    forward: str | None,
    explorable: bool = False,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """One screen of questions: the quick screening, follow-ups or a topic.

    Saving goes through `actions.record_answers`; `back`/`forward` are where the buttons
    lead afterwards (None: wherever the interview goes next).
    """
    user = staff_user(request)
    initial: dict[str, Any] = {"version": screening.version}
    # A re-screening pre-selects what the person said last time, for the screener to
    # confirm with them; saving the page is the confirmation that makes it an answer.
    from_previous = {
        i.id
        for i in indicators
        if i.id not in screening.answers and i.id in screening.previous_answers
    }
    for indicator in indicators:
        answer = screening.answers.get(
            indicator.id, screening.previous_answers.get(indicator.id, "")
        )
        if explorable and answer == "unknown" and indicator.id in screening.explore:
            answer = EXPLORE
        initial[f"a_{indicator.id}"] = answer
        initial[f"n_{indicator.id}"] = screening.notes.get(indicator.id, "")
    form = TopicForm(
        request.POST or None, initial=initial, indicators=indicators, explorable=explorable
    )
    here = request.path
    if request.method == "POST" and form.is_valid():
        try:
            suspended = actions.record_answers(
                user,
                screening,
                topic,
                form.answers(),
                form.notes(),
                expected_version=form.cleaned_data["version"],
                explore=form.explore(),
            )
        except ConcurrentEditError:
            messages.error(request, stale_edit_message())
            return redirect(here)
        except RefusedError as error:
            return _refused(request, error, screening)
        return _after_save(
            request,
            screening,
            suspended=suspended,
            back=back,
            forward=forward,
        )
    language = screening.interview_language
    rows = [
        {
            "indicator": indicator,
            "question": indicator.question(language, child=screening.child_wording),
            "question_ui": indicator.question(
                get_language() or "en", child=screening.child_wording
            ),
            "answer": answer,
            "note": note,
            "anchor": question_anchor(indicator.id),
            "from_previous": indicator.id in from_previous,
            "unreviewed": unreviewed(screening, indicator.id),
        }
        for indicator, answer, note in form.rows()
    ]
    return render(
        request,
        "screening/topic.html",
        {
            "form": form,
            "screening": screening,
            "rows": rows,
            "topic": topic,
            "heading": heading,
            "topics": [(t, TOPIC_LABELS[t]) for t in engine.TOPIC_ORDER],
            "has_back": back is not None,
            "interview_language": language,
            "interview_draft": interview_draft_language(
                screening, [indicator.id for indicator, _answer, _note in form.rows()]
            ),
            "from_previous": bool(from_previous),
            **(extra or {}),
        },
        status=400 if request.method == "POST" else 200,
    )


def _interviewing(request: HttpRequest, reference: str) -> Screening | HttpResponse:
    screening = _editable(staff_user(request), reference)
    if not screening.profile:
        return redirect("screening:profile", reference=reference)
    return screening


@requires(Capability.SCREENING_CREATE)
@require_http_methods(["GET", "POST"])
def screening_quick(request: HttpRequest, reference: str) -> HttpResponse:
    """The quick screening: at most 15 questions that touch every element, the protection
    needs and smuggling. A yes, or a "don't know" worth exploring, opens follow-ups."""
    screening = _interviewing(request, reference)
    if isinstance(screening, HttpResponse):
        return screening
    return _questions(
        request,
        screening,
        engine.gateways(),
        topic=None,
        heading=_("Quick screening"),
        back=reverse("screening:profile", args=[reference]),
        forward=None,
        explorable=True,
        extra={"quick": True},
    )


@requires(Capability.SCREENING_CREATE)
@require_http_methods(["GET", "POST"])
def screening_follow_up(request: HttpRequest, reference: str) -> HttpResponse:
    """The follow-ups the answers opened, most decisive first, a few at a time."""
    screening = _interviewing(request, reference)
    if isinstance(screening, HttpResponse):
        return screening
    catalogue = default_catalogue()
    pending = engine.follow_ups(screening.profile, screening.answers, screening.explore)
    if not pending and request.method == "GET":
        return _go(screening)
    # A POST saves the questions that were shown (their ids come back with the form), so a
    # list that moved meanwhile never drops an answer.
    posted = [i for i in catalogue.indicators if f"a_{i.id}" in request.POST]
    shown = posted or [catalogue.by_id[i] for i in pending[: engine.FOLLOW_UP_BATCH]]
    return _questions(
        request,
        screening,
        shown,
        topic=None,
        heading=_("Follow-up questions"),
        back=reverse("screening:quick", args=[reference]),
        forward=None,
        extra={"follow_up": True, "remaining": max(len(pending) - len(shown), 0)},
    )


@requires(Capability.SCREENING_CREATE)
@require_http_methods(["GET", "POST"])
def screening_topic(request: HttpRequest, reference: str, topic: str) -> HttpResponse:
    """Any topic, in full: the screener can always ask more than the engine proposes."""
    if topic not in engine.TOPIC_ORDER:
        raise Http404
    screening = _interviewing(request, reference)
    if isinstance(screening, HttpResponse):
        return screening
    position = engine.TOPIC_ORDER.index(topic)
    previous = engine.TOPIC_ORDER[position - 1] if position else None
    following = engine.TOPIC_ORDER[position + 1] if position + 1 < len(engine.TOPIC_ORDER) else None
    return _questions(
        request,
        screening,
        engine.indicators_for(topic),
        topic=topic,
        heading=str(TOPIC_LABELS[topic]),
        back=reverse("screening:topic", args=[reference, previous]) if previous else None,
        forward=(
            reverse("screening:topic", args=[reference, following])
            if following
            else reverse("screening:result", args=[reference])
        ),
        extra={"step": position + 1, "steps": len(engine.TOPIC_ORDER)},
    )


@requires(Capability.SCREENING_CREATE)
@require_http_methods(["GET", "POST"])
def screening_suspended(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    screening = _editable(user, reference)
    if screening.status != ScreeningStatus.SUSPENDED:
        return _go(screening)
    if request.method == "POST":
        form = VersionForm(request.POST)
        try:
            version = form.cleaned_data["version"] if form.is_valid() else 0
            actions.resume(user, screening, expected_version=version)
        except ConcurrentEditError:
            messages.error(request, stale_edit_message())
            return redirect("screening:suspended", reference=reference)
        except RefusedError as error:
            return _refused(request, error, screening)
        return _go(screening)
    return render(request, "screening/suspended.html", {"screening": screening})


def _result_context(user: User, screening: Screening, snapshot: dict[str, Any]) -> dict[str, Any]:
    handed_over = Intake.objects.filter(screening=screening).select_related("assigned_to").first()
    return {
        **presentation.context(user, screening, snapshot, get_language() or "en"),
        "interview_draft": interview_draft_language(screening, screening.answers or {}),
        "intake": handed_over,
        "can_hand_over": handed_over is None and not intake.why_not_hand_over(screening),
    }


@requires(Capability.SCREENING_VIEW)
@require_http_methods(["GET", "POST"])
def screening_result(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    screening = get_screening_for(user, reference, Capability.SCREENING_VIEW)
    if screening.is_completed:
        actions.record_view(user, screening)
        context = _result_context(user, screening, screening.result)
        return render(request, "screening/result.html", context)
    if not screenings_for(user, Capability.SCREENING_CREATE).filter(pk=screening.pk).exists():
        raise Http404
    if screening.status == ScreeningStatus.SUSPENDED or not screening.profile:
        return _go(screening)
    live = engine.evaluate(
        screening.profile, screening.answers, get_language() or "en", screening.explore
    )
    form = JudgementForm(
        request.POST or None,
        suggested=live.outcome,
        child_safeguards=screening.case_id is None and child_by(screening),
        initial={"judgement": live.outcome, "version": screening.version},
    )
    refused = False
    if request.method == "POST" and form.is_valid():
        try:
            actions.complete(
                user,
                screening,
                judgement=form.cleaned_data["judgement"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
                safeguards=form.safeguards(),
            )
        except ConcurrentEditError:
            messages.error(request, stale_edit_message())
            return redirect("screening:result", reference=reference)
        except actions.ScreeningClosedError as error:
            return _refused(request, error, screening)
        except RefusedError as error:
            # A rule of completion (a child's safeguards): the form stays as typed.
            form.add_error(None, error.message)
            refused = True
        if not refused:
            messages.success(request, _("Screening completed and saved."))
            return redirect("screening:result", reference=reference)
    actions.record_view(user, screening)
    context = _result_context(user, screening, engine.snapshot(live))
    context["form"] = form
    return render(
        request, "screening/result.html", context, status=400 if request.method == "POST" else 200
    )


@requires(Capability.SCREENING_VIEW)
@require_POST
def screening_hand_over(request: HttpRequest, reference: str) -> HttpResponse:
    """Put the screened person in the organisation's intake queue."""
    user = staff_user(request)
    screening = get_screening_for(user, reference, Capability.SCREENING_VIEW)
    run_action(
        request,
        lambda: intake.hand_over(user, screening),
        _("Handed over: the person waits in the intake queue for a case worker."),
    )
    return redirect(f"{reverse('screening:result', args=[reference])}#casework")


@requires(Capability.SCREENING_CREATE)
@require_POST
def screening_attach(request: HttpRequest, reference: str) -> HttpResponse:
    """Link a screening to the person it was about; with several open cases, ask which."""
    user = staff_user(request)
    screening = get_screening_for(user, reference, Capability.SCREENING_CREATE)
    form = AttachForm(request.POST)
    person = None
    if form.is_valid():
        person = (
            people_for(user, Capability.PERSON_VIEW)
            .filter(reference=form.cleaned_data["person"].strip().upper())
            .first()
        )
    if person is None:
        messages.error(request, _("No person you can see has that reference."))
        return redirect("screening:result", reference=reference)
    open_cases = list(
        cases_for(user, Capability.CASE_EDIT)
        .filter(person=person)
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("-opened_on", "reference")
    )
    chosen = form.cleaned_data.get("case", "").strip().upper()
    if chosen:
        case = next((c for c in open_cases if c.reference == chosen), None)
        if case is None:
            messages.error(request, _("Choose one of the person's open cases."))
            return redirect("screening:result", reference=reference)
    elif len(open_cases) > 1:
        return render(
            request,
            "screening/attach.html",
            {"screening": screening, "person": person, "cases": open_cases},
        )
    else:
        case = open_cases[0] if open_cases else None
    try:
        actions.attach_to_person(user, screening, person, case)
    except RefusedError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Screening attached to the person's record."))
    return redirect("screening:result", reference=reference)
