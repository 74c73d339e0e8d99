from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts.roles import Capability, can
from haven.cases.access import cases_for
from haven.core.decorators import requires, staff_user
from haven.core.errors import ConcurrentEditError, stale_edit_message
from haven.core.htmx import is_htmx
from haven.core.reference import COMMON_LANGUAGES
from haven.people import actions
from haven.people.access import get_person_for, people_for
from haven.people.forms import DuplicateConfirmForm, PersonForm, SearchForm, document_formset
from haven.people.models import Person
from haven.screening.access import screenings_for

PAGE_SIZE = 25


@requires(Capability.PERSON_VIEW)
@require_http_methods(["GET"])
def person_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    people = people_for(user, Capability.PERSON_VIEW).order_by("-created_at")
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
    user = staff_user(request)
    form = PersonForm(request.POST or None)
    documents = document_formset(request.POST or None)
    confirm = DuplicateConfirmForm(request.POST or None)
    duplicates: list[Person] = []
    if request.method == "POST" and form.is_valid() and documents.is_valid():
        confirmed = confirm.is_valid() and confirm.cleaned_data["confirmed_not_duplicate"]
        try:
            person = actions.create_person(
                user,
                form.person_data(documents.documents()),
                confirmed_not_duplicate=confirmed,
            )
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
        },
        status=400 if request.method == "POST" and not duplicates else 200,
    )


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
