"""Directory pages: the public directory (no sign-in, nothing about cases or people) and
the staff pages that keep it current."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from haven.accounts.roles import Capability, can
from haven.core.decorators import requires, staff_user
from haven.core.feedback import form_page
from haven.directory import actions
from haven.directory.access import (
    get_provider_for,
    get_public_provider,
    get_service_for,
    keeps_whole_directory,
    providers_for,
    public_providers,
)
from haven.directory.forms import AvailabilityForm, ProviderForm, SearchForm, ServiceForm
from haven.directory.models import DirectoryService, Provider
from haven.directory.pdf import public_directory_pdf
from haven.directory.search import Criteria, by_place, by_provider, public_entry, search_services

PAGE_SIZE = 20
FORM_PAGE = "directory/form_page.html"
T = TypeVar("T")


# --- Public -------------------------------------------------------------------------


def _search_form(request: HttpRequest) -> SearchForm:
    """The filters, offering the countries and areas the public directory covers."""
    rows = list(public_providers().values_list("country", "areas"))
    countries = sorted({country for country, _areas in rows})
    areas = sorted({a for _country, areas in rows if isinstance(areas, list) for a in areas})
    return SearchForm(request.GET or None, countries=countries, areas=areas)


def _filters_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    for name in ("page", "lang"):
        query.pop(name, None)
    return query.urlencode()


def _public_list(request: HttpRequest, form: SearchForm, *, problem: str = "") -> HttpResponse:
    valid = not problem and (not form.is_bound or form.is_valid())
    criteria = form.criteria() if form.is_bound and valid else Criteria()
    entries = by_provider(search_services(criteria), get_language()) if valid else []
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "problem": problem,
        "page": page,
        "places": by_place(list(page)),
        "query": _filters_query(request),
    }
    return render(request, "directory/public_list.html", context, status=200 if valid else 400)


@login_not_required
@require_http_methods(["GET", "HEAD"])
def public(request: HttpRequest) -> HttpResponse:
    return _public_list(request, _search_form(request))


@login_not_required
@require_http_methods(["GET", "HEAD"])
def public_provider(request: HttpRequest, pk: int) -> HttpResponse:
    entry = public_entry(get_public_provider(pk), get_language())
    return render(request, "directory/public_provider.html", {"entry": entry})


@login_not_required
@require_http_methods(["GET", "HEAD"])
def public_pdf(request: HttpRequest) -> HttpResponse:
    """The filtered public list as a PDF, in `?lang=` or the page's language."""
    form = _search_form(request)
    language = request.GET.get("lang") or get_language()
    if language not in dict(settings.LANGUAGES):
        return _public_list(request, form, problem=_("That language is not available."))
    if form.is_bound and not form.is_valid():
        return _public_list(request, form)
    criteria = form.criteria() if form.is_bound else Criteria()
    response = HttpResponse(
        public_directory_pdf(criteria, language), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="directory-{language}.pdf"'
    return response


# --- Staff --------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[], T],
    *,
    title: str,
    done: str,
    back: str,
    then: Callable[[T], str] | None = None,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """`core.feedback.form_page` with the directory's page template."""
    return form_page(
        request,
        form,
        save,
        done=done,
        back=back,
        template=FORM_PAGE,
        context={"title": title, **(context or {})},
        then=then,
    )


@require_http_methods(["GET"])
def manage(request: HttpRequest) -> HttpResponse:
    """The providers this user keeps, or whose free places they update."""
    user = staff_user(request)
    may_edit = can(user, Capability.DIRECTORY_EDIT)
    may_update = can(user, Capability.DIRECTORY_AVAILABILITY)
    if not (may_edit or may_update):
        raise PermissionDenied
    editable = providers_for(user, Capability.DIRECTORY_EDIT)
    updatable = providers_for(user, Capability.DIRECTORY_AVAILABILITY)
    providers = (
        Provider.objects.filter(Q(pk__in=editable) | Q(pk__in=updatable))
        .select_related("organisation")
        .prefetch_related(Prefetch("services", DirectoryService.objects.order_by("kind", "pk")))
    )
    page = Paginator(providers, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [p.pk for p in page]
    context = {
        "page": page,
        "may_add": may_edit,
        "editable": set(editable.filter(pk__in=ids).values_list("pk", flat=True)),
        "updatable": set(updatable.filter(pk__in=ids).values_list("pk", flat=True)),
    }
    return render(request, "directory/manage.html", context)


def _manage_url() -> str:
    return reverse("directory:manage")


def _provider_url(provider: Provider) -> str:
    return reverse("directory:provider_edit", kwargs={"pk": provider.pk})


@requires(Capability.DIRECTORY_EDIT)
@require_http_methods(["GET", "POST"])
def provider_add(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    keeper = keeps_whole_directory(user)
    organisation = user.organisation
    form = ProviderForm(
        request.POST or None,
        may_link=keeper,
        initial={
            "org_type": organisation.org_type,
            "country": organisation.country,
            "public": True,
        },
    )

    def save() -> Provider:
        data = form.data_for_action()
        if not keeper:
            data["organisation"] = organisation  # an admin lists their own organisation
        return actions.create_provider(user, data)

    return _form_page(
        request,
        form,
        save,
        title=_("Add a provider"),
        done=_("Provider added. Now add the services it offers."),
        back=_manage_url(),
        then=_provider_url,
    )


@requires(Capability.DIRECTORY_EDIT)
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    provider = get_provider_for(user, pk, Capability.DIRECTORY_EDIT)
    form = ProviderForm(
        request.POST or None,
        may_link=keeps_whole_directory(user),
        initial=ProviderForm.initial_for(provider),
    )
    return _form_page(
        request,
        form,
        lambda: actions.update_provider(
            user,
            provider,
            form.data_for_action(),
            expected_version=form.cleaned_data["version"] or 0,
        ),
        title=provider.name,
        done=_("Provider saved."),
        back=_manage_url(),
        then=lambda _changed: _provider_url(provider),
        context={
            "provider": provider,
            "provider_page": True,
            "services": provider.services.order_by("kind", "pk"),
        },
    )


@requires(Capability.DIRECTORY_EDIT)
@require_http_methods(["GET", "POST"])
def service_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    provider = get_provider_for(user, pk, Capability.DIRECTORY_EDIT)
    form = ServiceForm(request.POST or None, initial={"accepts_referrals": True})
    del form.fields["version"]
    return _form_page(
        request,
        form,
        lambda: actions.add_service(user, provider, form.data_for_action()),
        title=_("Add a service"),
        done=_("Service added."),
        back=_provider_url(provider),
        context={"provider": provider, "back_label": provider.name},
    )


@requires(Capability.DIRECTORY_EDIT)
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    service = get_service_for(user, pk, Capability.DIRECTORY_EDIT)
    form = ServiceForm(request.POST or None, initial=ServiceForm.initial_for(service))
    return _form_page(
        request,
        form,
        lambda: actions.update_service(
            user,
            service,
            form.data_for_action(),
            expected_version=form.cleaned_data["version"] or 0,
        ),
        title=service.get_kind_display(),
        done=_("Service saved."),
        back=_provider_url(service.provider),
        context={"provider": service.provider, "back_label": service.provider.name},
    )


@requires(Capability.DIRECTORY_AVAILABILITY)
@require_http_methods(["GET", "POST"])
def availability(request: HttpRequest, pk: int) -> HttpResponse:
    """Free places now (e.g. shelter beds), by staff of the provider's own organisation."""
    user = staff_user(request)
    service = get_service_for(user, pk, Capability.DIRECTORY_AVAILABILITY)
    form = AvailabilityForm(request.POST or None, initial={"available": service.available})
    return _form_page(
        request,
        form,
        lambda: actions.update_availability(user, service, form.cleaned_data["available"]),
        title=_("Free places now"),
        done=_("Free places updated."),
        back=_manage_url(),
        context={"provider": service.provider, "service": service},
    )
