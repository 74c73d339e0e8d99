"""Translation review pages: a translator reads each text beside its English source and
context, marks it reviewed or needing change, or proposes a better wording; an admin
accepts or rejects proposals. The rules are in haven.translations.actions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts.models import User
from haven.accounts.roles import Capability, can
from haven.core.decorators import requires, staff_user
from haven.core.errors import RefusedError
from haven.translations import actions, live, sources
from haven.translations.forms import DecideForm, ImportForm, ProposeForm, ReviewForm
from haven.translations.models import Part, Proposal, ProposalStatus, Review, ReviewState

PAGE_SIZE = 40
READERS = (Capability.TRANSLATION_REVIEW, Capability.TRANSLATION_ACCEPT)


def _language(actor: User, language: str) -> str:
    if not actions.may_read(actor, language):
        raise Http404
    return language


def _part(part: str) -> str:
    if part not in Part.values:
        raise Http404
    return part


def _entry(language: str, part: str, key: str) -> sources.Entry:
    entry = sources.find(language, _part(part), key)
    if entry is None:
        raise Http404
    return entry


@requires(*READERS)
@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    actor = staff_user(request)
    rows = []
    for code, name in actions.readable_languages(actor):
        counts = []
        for part, label in Part.choices:
            states = Counter(live.state(code, e) for e in sources.entries(code, part))
            counts.append((part, label, states, sum(states.values())))
        rows.append((code, name, counts))
    waiting = Counter(
        Proposal.objects.filter(status=ProposalStatus.OPEN).values_list("language", flat=True)
    )
    return render(
        request,
        "translations/index.html",
        {
            "rows": rows,
            "waiting": waiting,
            "may_accept": can(actor, Capability.TRANSLATION_ACCEPT),
            "translates": bool(actor.translation_languages),
        },
    )


@requires(*READERS)
@require_http_methods(["GET"])
def text_list(request: HttpRequest, language: str, part: str) -> HttpResponse:
    actor = staff_user(request)
    _language(actor, language)
    wanted = request.GET.get("state", "")
    shown = [
        (entry, live.wording(language, entry), live.state(language, entry))
        for entry in sources.entries(language, _part(part))
    ]
    if wanted in ReviewState.values:
        shown = [row for row in shown if row[2] == wanted]
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "translations/list.html",
        {
            "language": language,
            "language_name": dict(sources.languages())[language],
            "part": part,
            "part_label": Part(part).label,
            "page": page,
            "wanted": wanted,
            "states": ReviewState.choices,
        },
    )


def _detail(
    request: HttpRequest,
    language: str,
    entry: sources.Entry,
    *,
    review_form: ReviewForm | None = None,
    propose_form: ProposeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = staff_user(request)
    text = live.wording(language, entry)
    seen = sources.digest(text)
    may_translate = can(actor, Capability.TRANSLATION_REVIEW) and (
        language in actor.translation_languages
    )
    review = (
        Review.objects.filter(language=language, part=entry.part, key=entry.key)
        .select_related("by")
        .first()
    )
    history = (
        Proposal.objects.filter(language=language, part=entry.part, key=entry.key)
        .select_related("proposed_by", "decided_by")
        .order_by("-proposed_at")[:10]
    )
    return render(
        request,
        "translations/detail.html",
        {
            "language": language,
            "language_name": dict(sources.languages())[language],
            "entry": entry,
            "where": sources.describe(entry),
            "text": text,
            "state": live.state(language, entry),
            "review": review,
            "history": history,
            "may_translate": may_translate,
            "review_form": review_form or ReviewForm(initial={"seen": seen}),
            "propose_form": propose_form or ProposeForm(initial={"seen": seen, "text": text}),
        },
        status=status,
    )


@requires(*READERS)
@require_http_methods(["GET"])
def text_detail(request: HttpRequest, language: str, part: str, key: str) -> HttpResponse:
    _language(staff_user(request), language)
    return _detail(request, language, _entry(language, part, key))


def _back(language: str, entry: sources.Entry) -> HttpResponse:
    return redirect("translations:detail", language, entry.part, entry.key)


def _submit(
    request: HttpRequest,
    language: str,
    part: str,
    key: str,
    *,
    form: ReviewForm | ProposeForm,
    act: Callable[..., object],
    done: str,
) -> HttpResponse:
    """A translator's review or proposal through its action; refused ones come back
    (400) with the reason on the form they sent."""
    actor = staff_user(request)
    _language(actor, language)
    entry = _entry(language, part, key)
    if form.is_valid():
        try:
            act(actor, language, entry.part, entry.key, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except RefusedError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, done)
            return _back(language, entry)
    if isinstance(form, ReviewForm):
        return _detail(request, language, entry, review_form=form, status=400)
    return _detail(request, language, entry, propose_form=form, status=400)


@requires(Capability.TRANSLATION_REVIEW)
@require_POST
def review(request: HttpRequest, language: str, part: str, key: str) -> HttpResponse:
    form = ReviewForm(request.POST)
    done = _("Your review is saved.")
    return _submit(request, language, part, key, form=form, act=actions.review, done=done)


@requires(Capability.TRANSLATION_REVIEW)
@require_POST
def propose(request: HttpRequest, language: str, part: str, key: str) -> HttpResponse:
    form = ProposeForm(request.POST)
    done = _("Your proposal is saved. An admin decides on it.")
    return _submit(request, language, part, key, form=form, act=actions.propose, done=done)


@requires(Capability.TRANSLATION_ACCEPT)
@require_http_methods(["GET"])
def proposals(request: HttpRequest) -> HttpResponse:
    waiting = Proposal.objects.filter(status=ProposalStatus.OPEN).select_related("proposed_by")
    language = request.GET.get("language", "")
    if language in dict(sources.languages()):
        waiting = waiting.filter(language=language)
    page = Paginator(waiting.order_by("proposed_at", "pk"), 20).get_page(request.GET.get("page"))
    rows = []
    for proposal in page:
        entry = sources.find(proposal.language, proposal.part, proposal.key)
        current = live.wording(proposal.language, entry) if entry else ""
        rows.append(
            {
                "proposal": proposal,
                "language_name": dict(sources.languages()).get(proposal.language, ""),
                "entry": entry,
                "where": sources.describe(entry) if entry else "",
                "current": current,
                "stale": entry is None or sources.digest(current) != proposal.base_digest,
            }
        )
    return render(
        request,
        "translations/proposals.html",
        {"page": page, "rows": rows, "languages": sources.languages(), "language": language},
    )


@requires(Capability.TRANSLATION_ACCEPT)
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = staff_user(request)
    proposal = get_object_or_404(Proposal, pk=pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept or reject."))
    else:
        try:
            actions.decide(
                actor,
                proposal,
                accept=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["note"],
            )
        except RefusedError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Decision saved."))
    return redirect(reverse("translations:proposals") + f"?language={proposal.language}")


@requires(*READERS)
@require_http_methods(["GET"])
def export(request: HttpRequest, language: str, kind: str) -> HttpResponse:
    _language(staff_user(request), language)
    if kind == "po":
        data, name, mime = (
            actions.export_interface(language),
            f"haven-{language}.po",
            "text/x-gettext-translation",
        )
    elif kind == "toml":
        data, name, mime = (
            actions.export_questions(language),
            f"{language}.toml",
            "application/toml",
        )
    else:
        raise Http404
    response = HttpResponse(data, content_type=f"{mime}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@requires(Capability.TRANSLATION_REVIEW)
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest, language: str) -> HttpResponse:
    actor = staff_user(request)
    if language not in actor.translation_languages:
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > actions.MAX_FILE_BYTES:
                raise RefusedError(_("The file is too large."))
            done = actions.import_file(actor, language, form.cleaned_data["kind"], upload.read())
        except PermissionDenied:
            raise Http404 from None
        except RefusedError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(proposed)d changed wordings are now proposals; %(unchanged)d were unchanged.")
                % {"proposed": done.proposed, "unchanged": done.unchanged},
            )
            return redirect("translations:index")
    return render(
        request,
        "translations/import.html",
        {"form": form, "language": language, "language_name": dict(sources.languages())[language]},
        status=400 if request.method == "POST" else 200,
    )
