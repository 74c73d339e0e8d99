"""Training pages. Each view parses input, finds the record through the scoped lookups of
`haven.training.access`, calls one action, and renders. The interview screens reuse the
screening app's forms, actions and engine bridge (`haven.screening`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.accounts.roles import Capability, can
from haven.core.decorators import staff_user
from haven.core.errors import ConcurrentEditError, RefusedError, stale_edit_message
from haven.core.forms import VersionForm
from haven.screening import engine
from haven.screening.forms import (
    EXPLORE,
    ProfileForm,
    ReadinessForm,
    TopicForm,
    profile_initial,
)
from haven.screening.labels import TOPIC_LABELS
from haven.screening.models import ScreeningStatus
from haven.screening.views import first_unanswered
from haven.screening_engine import default_catalogue
from haven.screening_engine.model import Indicator
from haven.training import actions, library, results
from haven.training.access import (
    attempts_for,
    get_attempt_for,
    get_custom_scenario_for,
    quiz_results_for,
    scenarios_for,
    training_required,
)
from haven.training.forms import QuizForm, ScenarioForm, VerdictForm
from haven.training.loader import SCENARIO_DIR, Scenario, parse_scenario, quiz_statements
from haven.training.models import Attempt

PAGE_SIZE = 25
RUN = Capability.TRAINING_RUN
MANAGE = Capability.TRAINING_MANAGE


def next_step(attempt: Attempt) -> str:
    """Where an attempt goes next: the interview's own steps, then the story's stage."""
    if attempt.is_completed:
        return reverse("training:complete", args=[attempt.pk])
    screening = attempt.screening
    if screening.status == ScreeningStatus.SUSPENDED:
        return reverse("training:suspended", args=[attempt.pk])
    if not screening.profile:
        return reverse("training:profile", args=[attempt.pk])
    if first_unanswered(engine.gateways(), screening.answers) is not None:
        return reverse("training:quick", args=[attempt.pk])
    if engine.follow_ups(screening.profile, screening.answers, screening.explore):
        return reverse("training:follow_up", args=[attempt.pk])
    return reverse("training:stage", args=[attempt.pk])


def _scenario(attempt: Attempt) -> Scenario:
    return parse_scenario(attempt.source)


def _own_open(request: HttpRequest, pk: int) -> Attempt:
    """An attempt the user may change: their own, not completed. Others' answer 404."""
    user = staff_user(request)
    attempt = get_attempt_for(user, pk, RUN)
    if attempt.trainee_id != user.pk or attempt.is_completed:
        raise Http404
    return attempt


@training_required(RUN, MANAGE)
@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    mine = attempts_for(user, RUN).filter(trainee=user)
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = library.available(user)
    titles = {e.scenario.id: str(e.scenario.title) for e in entries}
    return render(
        request,
        "training/index.html",
        {
            "entries": entries if can(user, RUN) else [],
            "page": page,
            "rows": [(a, titles.get(a.scenario_id, "")) for a in page],
            "can_run": can(user, RUN),
            "can_manage": can(user, MANAGE),
            "quizzes": quiz_results_for(user, RUN).filter(trainee=user)[:5],
        },
    )


@training_required(RUN)
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, scenario_id: str) -> HttpResponse:
    user = staff_user(request)
    entry = library.find(user, scenario_id)
    if entry is None:
        raise Http404
    form = ReadinessForm(request.POST or None)
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            attempt = actions.start_attempt(user, entry.scenario, readiness=form.cleaned_data)
        except RefusedError as error:
            refused = error.message
        else:
            return redirect(next_step(attempt))
    return render(
        request,
        "training/start.html",
        {"form": form, "scenario": entry.scenario, "refused": refused},
        status=400 if request.method == "POST" else 200,
    )


@training_required(RUN)
@require_http_methods(["GET"])
def attempt_resume(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_attempt_for(staff_user(request), pk, RUN)
    if attempt.trainee_id != request.user.pk and not attempt.is_completed:
        # A trainer reads a trainee's open attempt through its latest debrief; the
        # interview itself is the trainee's alone.
        if not attempt.answered:
            raise Http404
        return redirect("training:debrief", pk=pk, stage=attempt.answered)
    return redirect(next_step(attempt))


def _story(scenario: Scenario, upto: int) -> list[Any]:
    return list(scenario.stages[:upto])


@training_required(RUN)
@require_http_methods(["GET", "POST"])
def stage(request: HttpRequest, pk: int) -> HttpResponse:
    """The story so far, the interview's state, and the trainee's verdict on this stage."""
    user = staff_user(request)
    attempt = _own_open(request, pk)
    scenario = _scenario(attempt)
    number = attempt.answered + 1
    form = VerdictForm(request.POST or None, initial={"stage": number, "version": attempt.version})
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            actions.submit_stage(
                user,
                attempt,
                stage=form.cleaned_data["stage"],
                verdict=form.cleaned_data["verdict"],
                expected_version=form.cleaned_data["version"],
            )
        except ConcurrentEditError:
            messages.error(request, stale_edit_message())
            return redirect("training:stage", pk=pk)
        except RefusedError as error:
            refused = error.message
        else:
            return redirect("training:debrief", pk=pk, stage=number)
    screening = attempt.screening
    return render(
        request,
        "training/stage.html",
        {
            "attempt": attempt,
            "scenario": scenario,
            "number": number,
            "total": len(scenario.stages),
            "story": _story(scenario, number),
            "form": form,
            "refused": refused,
            "answered": sum(1 for a in screening.answers.values() if a),
            "interview_ready": bool(screening.profile)
            and screening.status != ScreeningStatus.SUSPENDED,
            "pending": next_step(attempt) != reverse("training:stage", args=[pk]),
            "topics": [(t, TOPIC_LABELS[t]) for t in engine.TOPIC_ORDER],
        },
        status=400 if request.method == "POST" else 200,
    )


@training_required(RUN)
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    attempt = _own_open(request, pk)
    screening = attempt.screening
    initial = profile_initial(screening.profile, screening.version)
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            actions.set_interview_profile(
                user, attempt, data, expected_version=form.cleaned_data["version"]
            )
        except ConcurrentEditError:
            messages.error(request, stale_edit_message())
            return redirect("training:profile", pk=pk)
        except RefusedError as error:
            messages.error(request, error.message)
        attempt.refresh_from_db()
        return redirect(next_step(attempt))
    return render(
        request,
        "training/profile.html",
        {"form": form, "attempt": attempt, "scenario": _scenario(attempt)},
        status=400 if request.method == "POST" else 200,
    )


def _questions(
    request: HttpRequest,
    attempt: Attempt,
    indicators: list[Indicator],
    *,
    heading: str,
    explorable: bool,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """One screen of the real interview's questions, saved through the screening action."""
    user = staff_user(request)
    screening = attempt.screening
    initial: dict[str, Any] = {"version": screening.version}
    for indicator in indicators:
        answer = screening.answers.get(indicator.id, "")
        if explorable and answer == "unknown" and indicator.id in screening.explore:
            answer = EXPLORE
        initial[f"a_{indicator.id}"] = answer
        initial[f"n_{indicator.id}"] = screening.notes.get(indicator.id, "")
    form = TopicForm(
        request.POST or None, initial=initial, indicators=indicators, explorable=explorable
    )
    if request.method == "POST" and form.is_valid():
        try:
            suspended = actions.record_interview_answers(
                user,
                attempt,
                form.answers(),
                form.notes(),
                expected_version=form.cleaned_data["version"],
                explore=form.explore(),
            )
        except ConcurrentEditError:
            messages.error(request, stale_edit_message())
            return redirect(request.path)
        except RefusedError as error:
            messages.error(request, error.message)
            return redirect("training:attempt", pk=attempt.pk)
        if suspended:
            return redirect("training:suspended", pk=attempt.pk)
        attempt.refresh_from_db()
        return redirect(next_step(attempt))
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
        }
        for indicator, answer, note in form.rows()
    ]
    scenario = _scenario(attempt)
    return render(
        request,
        "training/questions.html",
        {
            "form": form,
            "attempt": attempt,
            "scenario": scenario,
            "story": _story(scenario, attempt.answered + 1),
            "screening": screening,
            "rows": rows,
            "heading": heading,
            "interview_language": language,
            **(extra or {}),
        },
        status=400 if request.method == "POST" else 200,
    )


def _interviewing(request: HttpRequest, pk: int) -> Attempt | HttpResponse:
    attempt = _own_open(request, pk)
    screening = attempt.screening
    if screening.status == ScreeningStatus.SUSPENDED or not screening.profile:
        return redirect(next_step(attempt))
    return attempt


@training_required(RUN)
@require_http_methods(["GET", "POST"])
def quick(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = _interviewing(request, pk)
    if isinstance(attempt, HttpResponse):
        return attempt
    return _questions(
        request,
        attempt,
        engine.gateways(),
        heading=_("Quick screening"),
        explorable=True,
        extra={"quick": True},
    )


@training_required(RUN)
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = _interviewing(request, pk)
    if isinstance(attempt, HttpResponse):
        return attempt
    screening = attempt.screening
    catalogue = default_catalogue()
    pending = engine.follow_ups(screening.profile, screening.answers, screening.explore)
    if not pending and request.method == "GET":
        return redirect(next_step(attempt))
    posted = [i for i in catalogue.indicators if f"a_{i.id}" in request.POST]
    shown = posted or [catalogue.by_id[i] for i in pending[: engine.FOLLOW_UP_BATCH]]
    return _questions(
        request,
        attempt,
        shown,
        heading=_("Follow-up questions"),
        explorable=False,
        extra={"follow_up": True, "remaining": max(len(pending) - len(shown), 0)},
    )


@training_required(RUN)
@require_http_methods(["GET", "POST"])
def topic(request: HttpRequest, pk: int, topic: str) -> HttpResponse:
    """Any topic of the interview in full: the trainee can always ask more than the
    adaptive interview proposes, as a screener can."""
    if topic not in engine.TOPIC_ORDER:
        raise Http404
    attempt = _interviewing(request, pk)
    if isinstance(attempt, HttpResponse):
        return attempt
    return _questions(
        request,
        attempt,
        engine.indicators_for(topic),
        heading=str(TOPIC_LABELS[topic]),
        explorable=False,
    )


@training_required(RUN)
@require_http_methods(["GET", "POST"])
def suspended(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    attempt = _own_open(request, pk)
    if attempt.screening.status != ScreeningStatus.SUSPENDED:
        return redirect(next_step(attempt))
    if request.method == "POST":
        form = VersionForm(request.POST)
        try:
            version = form.cleaned_data["version"] if form.is_valid() else 0
            actions.resume_interview(user, attempt, expected_version=version)
        except ConcurrentEditError:
            messages.error(request, stale_edit_message())
            return redirect("training:suspended", pk=pk)
        except RefusedError as error:
            messages.error(request, error.message)
        attempt.refresh_from_db()
        return redirect(next_step(attempt))
    return render(request, "training/suspended.html", {"attempt": attempt})


@training_required(RUN)
@require_http_methods(["GET"])
def debrief(request: HttpRequest, pk: int, stage: int) -> HttpResponse:
    attempt = get_attempt_for(staff_user(request), pk, RUN)
    try:
        shown = actions.debrief_for(attempt, stage)
    except RefusedError as error:
        messages.error(request, error.message)
        return redirect(next_step(attempt))
    scenario = _scenario(attempt)
    return render(
        request,
        "training/debrief.html",
        {
            "attempt": attempt,
            "scenario": scenario,
            "debrief": shown,
            "total": len(scenario.stages),
            "last": stage == len(scenario.stages),
            "own": attempt.trainee_id == request.user.pk,
        },
    )


@training_required(RUN)
@require_http_methods(["GET"])
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_attempt_for(staff_user(request), pk, RUN)
    if not attempt.is_completed:
        return redirect(next_step(attempt))
    scenario = _scenario(attempt)
    debriefs = [actions.debrief_for(attempt, n) for n in range(1, attempt.answered + 1)]
    return render(
        request,
        "training/complete.html",
        {
            "attempt": attempt,
            "scenario": scenario,
            "debriefs": debriefs,
            "agreed": sum(d.verdict_agrees for d in debriefs),
        },
    )


@training_required(RUN)
@require_http_methods(["GET", "POST"])
def quiz(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    statements = quiz_statements()
    form = QuizForm(request.POST if request.method == "POST" else None, statements=statements)
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            result = actions.submit_quiz(user, form.answers())
        except RefusedError as error:
            refused = error.message
        else:
            return redirect("training:quiz_result", pk=result.pk)
    return render(
        request,
        "training/quiz.html",
        {"form": form, "refused": refused},
        status=400 if request.method == "POST" else 200,
    )


@training_required(RUN)
@require_http_methods(["GET"])
def quiz_result(request: HttpRequest, pk: int) -> HttpResponse:
    found = quiz_results_for(staff_user(request), RUN).filter(pk=pk).first()
    if found is None:
        raise Http404
    rows = [
        {
            "statement": s,
            "given": found.answers.get(s.id),
            "correct": found.answers.get(s.id) == s.answer,
        }
        for s in quiz_statements()
    ]
    return render(request, "training/quiz_result.html", {"result": found, "rows": rows})


@training_required(MANAGE)
@require_http_methods(["GET"])
def group_results(request: HttpRequest) -> HttpResponse:
    """Every scenario with its attempts in the trainer's training organisation."""
    user = staff_user(request)
    attempts = list(attempts_for(user, MANAGE).only("scenario_id", "source", "status", "stages"))
    summaries = [
        results.summarise(e.scenario, [a for a in attempts if a.scenario_id == e.scenario.id])
        for e in library.available(user)
    ]
    quizzes = (
        quiz_results_for(user, MANAGE)
        .values("trainee__username")
        .annotate(best=Max("score"), total=Max("total"))
        .order_by("trainee__username")
    )
    return render(
        request,
        "training/results.html",
        {"summaries": summaries, "quizzes": quizzes, "custom": scenarios_for(user)},
    )


@training_required(MANAGE)
@require_http_methods(["GET"])
def scenario_results(request: HttpRequest, scenario_id: str) -> HttpResponse:
    user = staff_user(request)
    entry = library.find(user, scenario_id)
    if entry is None:
        raise Http404
    attempts = attempts_for(user, MANAGE).filter(scenario_id=scenario_id).select_related("trainee")
    summary = results.summarise(entry.scenario, attempts)
    return render(
        request,
        "training/scenario_results.html",
        {"summary": summary, "attempts": attempts[:PAGE_SIZE]},
    )


def _scenario_form(request: HttpRequest, custom: Any = None) -> HttpResponse:
    user = staff_user(request)
    initial = {"source": custom.source, "version": custom.version} if custom else {}
    form = ScenarioForm(request.POST or None, initial=initial)
    problems: list[str] = []
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_scenario(
                user,
                form.cleaned_data["source"],
                scenario=custom,
                expected_version=form.cleaned_data.get("version"),
            )
        except ConcurrentEditError:
            messages.error(request, stale_edit_message())
            return redirect(request.path)
        except actions.ScenarioRefusedError as error:
            refused, problems = error.message, error.problems
        except RefusedError as error:
            refused = error.message
        else:
            messages.success(request, _("Scenario saved."))
            return redirect("training:results")
    example = (SCENARIO_DIR / "06_poor_conditions_not_trafficking.toml").read_text(encoding="utf-8")
    return render(
        request,
        "training/scenario_form.html",
        {
            "form": form,
            "custom": custom,
            "problems": problems,
            "refused": refused,
            "example": example,
        },
        status=400 if request.method == "POST" else 200,
    )


@training_required(MANAGE)
@require_http_methods(["GET", "POST"])
def scenario_new(request: HttpRequest) -> HttpResponse:
    return _scenario_form(request)


@training_required(MANAGE)
@require_http_methods(["GET", "POST"])
def scenario_edit(request: HttpRequest, pk: int) -> HttpResponse:
    custom = get_custom_scenario_for(staff_user(request), pk)
    return _scenario_form(request, custom)
