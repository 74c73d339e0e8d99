from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts.models import User
from haven.accounts.roles import Capability, can
from haven.cases.access import cases_for
from haven.cases.models import Case
from haven.core.decorators import requires, staff_user
from haven.core.errors import ConcurrentEditError, RefusedError, stale_edit_message
from haven.core.htmx import is_htmx
from haven.core.reference import COMMON_LANGUAGES
from haven.people import actions
from haven.people.access import get_person_for, people_for
from haven.people.forms import DuplicateConfirmForm, PersonForm, SearchForm, document_formset
from haven.people.models import Person
from haven.referrals import actions as referral_actions
from haven.referrals import receiving
from haven.referrals.access import get_incoming_for
from haven.referrals.models import DataCategory, Direction, Referral
from haven.screening.access import screenings_for

PAGE_SIZE = 25


@requires(Capability.PERSON_VIEW)
@require_http_methods(["GET"])
def person_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    people = people_for(user, Capability.PERSON_VIEW).order_by("-created_at", "-id")
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/list.html",
        {
            "page": page,
            "search_form": SearchForm(),
            "can_create": can(user, Capability.PERSON_CREATE),
        },
    )


@requires(Capability.PERSON_VIEW)
@require_POST
def person_search(request: HttpRequest) -> HttpResponse:
    """POST, never GET: a name or document number must not travel in a URL."""
    user = staff_user(request)
    form = SearchForm(request.POST)
    results: list[actions.SearchHit] | None = None
    if form.is_valid():
        results = actions.search_people(
            user,
            people_for(user, Capability.PERSON_VIEW),
            name=form.cleaned_data["name"],
            document=form.cleaned_data["document"],
        )
    context = {"search_form": form, "results": results}
    if is_htmx(request):
        return render(request, "people/_search_results.html", context)
    return render(request, "people/search.html", context)


def _initial(person: Person) -> dict[str, object]:
    return {
        "full_name": person.full_name,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "aliases": "\n".join(person.aliases),
        "date_of_birth": person.date_of_birth or None,
        "estimated_age": person.estimated_age or None,
        "age_basis": person.age_basis,
        "phone": person.phone,
        "address": person.address,
        "gender": person.gender,
        "citizenship": person.citizenship,
        "languages": [code for code in person.languages if code in COMMON_LANGUAGES],
        "other_languages": ", ".join(c for c in person.languages if c not in COMMON_LANGUAGES),
        "version": person.version,
    }


def _document_initial(person: Person) -> list[dict[str, str]]:
    return [
        {
            "doc_type": d.get("type", ""),
            "number": d.get("number", ""),
            "country": d.get("country", ""),
        }
        for d in person.documents
    ]


@requires(Capability.PERSON_CREATE)
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    """Record a person; from an accepted incoming referral (`?referral=`), pre-filled with
    what its packet holds under live consent, and the referral's case opened with them."""
    user = staff_user(request)
    referral = _referral_taken_on(request, user)
    if isinstance(referral, HttpResponse):
        return referral
    initial, documents_initial = _referral_initial(user, referral, request.method == "GET")
    form = PersonForm(request.POST or None, initial=initial)
    documents = document_formset(request.POST or None, initial=documents_initial)
    confirm = DuplicateConfirmForm(request.POST or None)
    duplicates: list[Person] = []
    if request.method == "POST" and referral is not None and request.POST.get("use_person"):
        existing = (
            people_for(user, Capability.PERSON_VIEW)
            .filter(reference=request.POST["use_person"])
            .first()
        )
        if existing is None:
            messages.error(request, _("No person you can see has that reference."))
            return redirect(f"{reverse('people:create')}?referral={referral.reference}")
        return _take_on(request, referral, lambda: receiving.open_case(user, referral, existing))
    if request.method == "POST" and form.is_valid() and documents.is_valid():
        confirmed = confirm.is_valid() and confirm.cleaned_data["confirmed_not_duplicate"]
        data = form.person_data(documents.documents())
        try:
            if referral is not None:
                return _take_on(
                    request,
                    referral,
                    lambda: receiving.take_on(
                        user, referral, data, confirmed_not_duplicate=confirmed
                    ),
                )
            person = actions.create_person(user, data, confirmed_not_duplicate=confirmed)
        except actions.PossibleDuplicateError as warning:
            # Nothing saved; the candidates' identity is shown, so each showing is audited.
            duplicates = warning.candidates
            actions.record_identity_views(user, duplicates)
        else:
            messages.success(request, _("Person record created."))
            return redirect("people:detail", reference=person.reference)
    return render(
        request,
        "people/form.html",
        {
            "form": form,
            "documents": documents,
            "person": None,
            "duplicates": duplicates,
            "confirm": DuplicateConfirmForm() if duplicates else None,
            "referral": referral,
        },
        status=400 if request.method == "POST" and not duplicates else 200,
    )


def _referral_taken_on(request: HttpRequest, user: User) -> Referral | HttpResponse | None:
    """The incoming referral a new person is recorded for, if any (404 unless it is one
    the user may answer); a page back to it when no case can be opened for it now."""
    reference = (request.GET.get("referral") or request.POST.get("referral") or "").strip()
    if not reference:
        return None
    referral = get_incoming_for(user, reference.upper())
    if not receiving.may_open_case(user, referral):
        messages.error(
            request, _("A case can be opened only for an accepted referral without one.")
        )
        return redirect("referrals:packet", reference=referral.reference)
    return referral


def _referral_initial(
    user: User, referral: Referral | None, showing: bool
) -> tuple[dict[str, object], list[dict[str, str]]]:
    """The packet's values under live consent, read (and audited) when the form is shown."""
    if referral is None or not showing:
        return {}, []
    packet = referral_actions.packet_for(user, referral)  # the audited look at the packet
    categories = [section["category"] for section in packet.get("sections", [])]
    initial = receiving.prefill(referral, categories)
    documents: list[dict[str, str]] = []
    if (
        referral.direction == Direction.OUTGOING
        and referral.case is not None
        and DataCategory.IDENTITY in categories
    ):
        documents = [
            {k: str(d.get(k, "")) for k in ("type", "number", "country")}
            for d in referral.case.person.documents
        ]
    return initial, documents


def _take_on(
    request: HttpRequest, referral: Referral, save: Callable[[], tuple[Case, bool]]
) -> HttpResponse:
    """Open (or join) the referral's case; a refusal goes back to the referral."""
    try:
        case, opened = save()
    except RefusedError as error:
        messages.error(request, error.message)
        return redirect("referrals:packet", reference=referral.reference)
    messages.success(
        request,
        _("Case opened for the referral.")
        if opened
        else _("The referral joined the person's active case."),
    )
    return redirect("cases:detail", reference=case.reference)


@requires(Capability.PERSON_VIEW)
@require_http_methods(["GET"])
def person_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    person = get_person_for(user, reference, Capability.PERSON_VIEW)
    actions.record_identity_view(user, person)
    cases = (
        cases_for(user, Capability.CASE_VIEW).filter(person=person).select_related("assigned_to")
    )
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "cases": cases if can(user, Capability.CASE_VIEW) else None,
            "can_edit": people_for(user, Capability.PERSON_EDIT).filter(pk=person.pk).exists(),
            "can_open_case": can(user, Capability.CASE_CREATE),
            "can_screen": can(user, Capability.SCREENING_CREATE),
            "can_export_subject": can(user, Capability.SUBJECT_EXPORT),
            "screenings": screenings_for(user, Capability.SCREENING_VIEW)
            .filter(person=person)
            .order_by("created_at")
            if can(user, Capability.SCREENING_VIEW)
            else None,
        },
    )


@requires(Capability.PERSON_EDIT)
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    person = get_person_for(user, reference, Capability.PERSON_EDIT)
    status = 200
    if request.method == "POST":
        form = PersonForm(request.POST)
        documents = document_formset(request.POST)
        if form.is_valid() and documents.is_valid():
            try:
                actions.update_person(
                    user,
                    person,
                    form.person_data(documents.documents()),
                    expected_version=form.cleaned_data["version"] or 0,
                )
            except ConcurrentEditError:
                messages.error(request, stale_edit_message())
                return redirect("people:edit", reference=person.reference)
            messages.success(request, _("Changes saved."))
            return redirect("people:detail", reference=person.reference)
        status = 400
    else:
        actions.record_identity_view(user, person)
        form = PersonForm(initial=_initial(person))
        documents = document_formset(initial=_document_initial(person))
    return render(
        request,
        "people/form.html",
        {"form": form, "documents": documents, "person": person},
        status=status,
    )
