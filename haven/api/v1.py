"""Haven's REST API, version 1, under /api/v1/ (django-ninja; the OpenAPI document is at
/api/v1/openapi.json, its pages at /api/v1/docs and /api/v1/redoc).

Every call but the public directory needs a token (haven.api.tokens) sent as
`Authorization: Bearer hvn_…`. A call acts as the token's holder: the same GRANTS and
scoped lookups as the pages, so another organisation's record answers 404 exactly as an
unknown one does, and the token's scopes only narrow what the holder's roles grant. The
domain actions make every change, so the rules and the audit trail are the pages' own.
Identity is read in one operation only, and each read is audited.
"""

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any

import pycountry
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, NinjaAPI, Query, Router, Schema, Status, Swagger
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer
from ninja.throttling import AnonRateThrottle, AuthRateThrottle
from pydantic import WithJsonSchema

from haven.accounts.models import User
from haven.accounts.roles import Capability
from haven.api import schemas, tokens
from haven.api.models import ApiScope, ApiToken
from haven.audit import chain
from haven.audit.models import Action
from haven.cases.access import cases_for
from haven.cases.models import Case
from haven.core.access import get_or_404
from haven.core.errors import ConcurrentEditError, RefusedError, stale_edit_message
from haven.directory import search
from haven.directory.models import DirectoryService
from haven.people.access import people_for
from haven.people.actions import record_identity_view
from haven.people.models import Person
from haven.referrals import actions as referral_actions
from haven.referrals.access import incoming_for, outgoing_for
from haven.referrals.models import Referral
from haven.screening import actions as screening_actions
from haven.screening import engine
from haven.screening.access import screenings_for
from haven.screening.forms import ReadinessForm
from haven.screening.models import Screening
from haven.screening_engine import default_catalogue
from haven.stats import facts, tables
from haven.stats.forms import MonthField
from haven.stats.summary import Filters, last_day
from haven.stats.views import notes as statistics_notes


class TokenAuth(HttpBearer):
    """A valid token (else 401) carrying `scope`, which its holder's roles still grant
    (else 403), checked before the call's input is read."""

    openapi_description = "A Haven API token: hvn_<prefix>_<secret>, made on the API tokens page."

    def __init__(self, scope: ApiScope | None = None) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = tokens.authenticate(token)
        if found is not None and (self.scope is None or not tokens.scope_works(found, self.scope)):
            raise PermissionDenied
        return found


class _PerMinute:
    """A rate read from settings at each call (tests and deployments change it)."""

    setting = ""

    def allow_request(self, request: HttpRequest) -> bool:
        rate = f"{getattr(settings, self.setting)}/min"
        self.num_requests, self.duration = self.parse_rate(rate)  # type: ignore[attr-defined]
        return bool(super().allow_request(request))  # type: ignore[misc]


class TokenRate(_PerMinute, AuthRateThrottle):
    setting = "HAVEN_API_RATE"


class PublicRate(_PerMinute, AnonRateThrottle):
    setting = "HAVEN_API_PUBLIC_RATE"


api = NinjaAPI(
    title="Haven API",
    version="1",
    description=(
        "Screening, identification, referral and statistics for anti-trafficking "
        "responders. Deny by default: a call reaches only what the token holder's roles "
        "reach in their own organisation, narrowed by the token's scopes; anything else "
        "answers 404. Identity is read only through /people/{reference}/identity, and "
        "every read is audited. Messages follow the Accept-Language header."
    ),
    urls_namespace="api-v1",
    # An operation names the scope it needs; one that forgot would refuse everyone.
    auth=TokenAuth(),
    throttle=[PublicRate(rate="60/min"), TokenRate(rate="120/min")],
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)

# What a refused call can answer; every operation declares them, so the document is
# complete and a client knows each answer's shape.
AUTH_ERRORS: dict[int, type[Schema]] = {401: schemas.Problem, 403: schemas.Problem}
READ_ERRORS: dict[int, type[Schema]] = {
    **AUTH_ERRORS,
    400: schemas.Problem,
    404: schemas.Problem,
    422: schemas.Problem,
    429: schemas.Problem,
}
WRITE_ERRORS: dict[int, type[Schema]] = {**READ_ERRORS, 409: schemas.Problem}


def _problem(
    request: HttpRequest, status: int, detail: str, errors: list[dict[str, str]] | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _problem(request, 401, _("A valid, unexpired API token is needed."))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _problem(request, 403, _("Your token or your roles do not allow this."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _problem(request, 404, _("Not found."))


# pydantic's problems (English only) as the matching form messages, in the caller's
# language; the context's limit, if any, fills %(limit)s.
PYDANTIC_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": (gettext_noop("This field is required."), ""),
    "literal_error": (
        gettext_noop("Select a valid choice. That choice is not one of the available choices."),
        "",
    ),
    "int_parsing": (gettext_noop("Enter a whole number."), ""),
    "int_from_float": (gettext_noop("Enter a whole number."), ""),
    "greater_than_equal": (
        gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
        "ge",
    ),
    "less_than_equal": (
        gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
        "le",
    ),
    "string_too_long": (gettext_noop("Write at most %(limit_value)s characters."), "max_length"),
    "extra_forbidden": (gettext_noop("This call has no such field."), ""),
}


def _message(error: dict[str, Any]) -> str:
    """A field's problem in the caller's language (Haven's own are translated already)."""
    kind = error.get("type")
    if kind is None:
        return str(error.get("msg", ""))
    message, limit = PYDANTIC_MESSAGES.get(kind, (gettext_noop("Enter a valid value."), ""))
    if limit:
        return _(message) % {"limit_value": (error.get("ctx") or {}).get(limit)}
    return _(message)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query")),
            "message": _message(error),
        }
        for error in exc.errors
    ]
    return _problem(request, 422, _("Some values are not valid."), errors)


@api.exception_handler(RefusedError)
def _refused(request: HttpRequest, exc: RefusedError) -> HttpResponse:
    return _problem(request, 409, exc.message)


@api.exception_handler(ConcurrentEditError)
def _stale(request: HttpRequest, exc: ConcurrentEditError) -> HttpResponse:
    return _problem(request, 409, stale_edit_message())


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return _problem(request, 429, _("Too many calls: wait a minute and try again."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _problem(request, exc.status_code, str(exc))


def acting(request: HttpRequest) -> User:
    """The user a call acts as (its token passed TokenAuth for the operation's scope)."""
    token = request.auth  # type: ignore[attr-defined]
    if not isinstance(token, ApiToken):
        raise PermissionDenied
    return tokens.acting_user(token)


def _stable(rows: QuerySet[Any]) -> QuerySet[Any]:
    return rows.order_by("-created_at", "-id")


class Shaped:
    """A queryset that the paginator counts and slices in the database, each page's rows
    put in the API's shape by `shape`."""

    def __init__(self, rows: QuerySet[Any], shape: Callable[[Any], dict[str, Any]]) -> None:
        self.rows = rows
        self.shape = shape

    def count(self) -> int:
        return self.rows.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [self.shape(row) for row in self.rows[window]]


class Page(PageNumberPagination):
    """50 a page (at most 100); the page number is bounded so no offset overflows."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=100)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=50, max_page_size=100, **kwargs)


# Directory -------------------------------------------------------------------------------

directory = Router(tags=["directory"], auth=None)


# Free-text query values: no NUL character (PostgreSQL text cannot hold one, so a search
# for it would fail instead of answering 422), and no longer than a search box allows.
SearchText = Annotated[str, Field(pattern=r"^[^\x00]*$", max_length=200)]


class DirectoryQuery(Schema):
    kind: SearchText = ""
    country: SearchText = ""
    area: SearchText = ""
    language: SearchText = ""
    age: int | None = None
    referrals_only: bool = False


def _entry(service: DirectoryService, language: str, withheld: set[int]) -> dict[str, Any]:
    """One public entry. `withheld`: providers whose address is confidential
    (search.withheld_addresses): their public view has none."""
    provider = search.public_view(service.provider, service.provider_id in withheld)
    return {
        **{f: getattr(service, f) for f in schemas.ServiceOut.model_fields if f != "description"},
        "description": service.description_in(language),
        "provider": {f: getattr(provider, f) for f in schemas.ProviderOut.model_fields},
    }


@directory.get(
    "/services",
    response={200: list[schemas.DirectoryEntryOut], 422: schemas.Problem, 429: schemas.Problem},
    summary="The public directory of services",
)
@paginate(Page)
def directory_services(request: HttpRequest, filters: Query[DirectoryQuery]) -> list[Any]:
    criteria = search.Criteria(
        kind=filters.kind,
        country=filters.country.upper(),
        area=filters.area,
        language=filters.language,
        age=filters.age,
        referrals_only=filters.referrals_only,
    )
    language = request.LANGUAGE_CODE
    services = search.search_services(criteria)
    withheld = search.withheld_addresses({s.provider_id for s in services})
    return [_entry(s, language, withheld) for s in services]


@directory.get(
    "/services/{service_id}",
    response={
        200: schemas.DirectoryEntryOut,
        404: schemas.Problem,
        422: schemas.Problem,
        429: schemas.Problem,
    },
    summary="One service of the public directory",
)
def directory_service(request: HttpRequest, service_id: int) -> dict[str, Any]:
    service = get_or_404(
        DirectoryService.objects.select_related("provider").filter(provider__public=True),
        pk=service_id,
    )
    return _entry(service, request.LANGUAGE_CODE, search.withheld_addresses([service.provider_id]))


# People ----------------------------------------------------------------------------------

people = Router(tags=["people"])


@people.get(
    "/",
    auth=TokenAuth(ApiScope.PEOPLE_READ),
    response={200: list[schemas.PersonOut], **READ_ERRORS},
    summary="People, by reference",
)
@paginate(Page)
def people_list(request: HttpRequest) -> QuerySet[Person]:
    user = acting(request)
    return _stable(people_for(user, Capability.PERSON_VIEW))


@people.get(
    "/{reference}",
    auth=TokenAuth(ApiScope.PEOPLE_READ),
    response={200: schemas.PersonDetailOut, **READ_ERRORS},
    summary="One person, by reference (no identity)",
)
def person_detail(request: HttpRequest, reference: str) -> dict[str, Any]:
    user = acting(request)
    person = get_or_404(people_for(user, Capability.PERSON_VIEW), reference=reference)
    return {
        **{f: getattr(person, f) for f in schemas.PersonOut.model_fields},
        "cases": list(
            _stable(cases_for(user, Capability.CASE_VIEW).filter(person=person)).values_list(
                "reference", flat=True
            )
        ),
        "screenings": list(
            _stable(
                screenings_for(user, Capability.SCREENING_VIEW).filter(person=person)
            ).values_list("reference", flat=True)
        ),
    }


@people.get(
    "/{reference}/identity",
    auth=TokenAuth(ApiScope.PEOPLE_IDENTITY),
    response={200: schemas.IdentityOut, **READ_ERRORS},
    summary="A person's identity (audited)",
    description="Names, date of birth, documents and contact. Every read is audited.",
)
def person_identity(request: HttpRequest, reference: str) -> dict[str, Any]:
    user = acting(request)
    person = get_or_404(people_for(user, Capability.PERSON_VIEW), reference=reference)
    record_identity_view(user, person)
    return {f: getattr(person, f) for f in schemas.IdentityOut.model_fields}


# Cases -----------------------------------------------------------------------------------

cases = Router(tags=["cases"])


def _case_row(case: Case) -> dict[str, Any]:
    row = {f: getattr(case, f) for f in schemas.CaseOut.model_fields if f != "person"}
    return {**row, "person": case.person.reference}


@cases.get(
    "/",
    auth=TokenAuth(ApiScope.CASES_READ),
    response={200: list[schemas.CaseOut], **READ_ERRORS},
    summary="Cases",
)
@paginate(Page)
def case_list(request: HttpRequest) -> Shaped:
    user = acting(request)
    rows = _stable(cases_for(user, Capability.CASE_VIEW).select_related("person"))
    return Shaped(rows, _case_row)


@cases.get(
    "/{reference}",
    auth=TokenAuth(ApiScope.CASES_READ),
    response={200: schemas.CaseDetailOut, **READ_ERRORS},
    summary="One case and its records",
    description=(
        "Its status, identification phase and deadlines, coded facts, events, journey, "
        "support objectives, services and screenings. Free-text notes stay on the pages."
    ),
)
def case_detail(request: HttpRequest, reference: str) -> dict[str, Any]:
    user = acting(request)
    case = get_or_404(
        cases_for(user, Capability.CASE_VIEW).select_related("person"), reference=reference
    )
    coded = {
        f: getattr(case, f)
        for f in schemas.CaseDetailOut.model_fields
        if f not in schemas.CaseOut.model_fields and hasattr(Case, f)
    }
    return {
        **_case_row(case),
        **coded,
        "deadlines": {f: getattr(case, f) for f in schemas.Deadlines.model_fields},
        "events": [
            {"kind": e.kind, "code": e.code, "at": e.created_at}
            for e in case.events.order_by("created_at", "id")
        ],
        "journey": list(
            case.journey.order_by("happened_on", "id").values(*schemas.JourneyOut.model_fields)
        ),
        "objectives": list(
            case.objectives.order_by("id").values(*schemas.ObjectiveOut.model_fields)
        ),
        "services": list(
            case.services.order_by("on", "id").values(*schemas.ServiceRecordOut.model_fields)
        ),
        "screenings": list(
            _stable(screenings_for(user, Capability.SCREENING_VIEW).filter(case=case)).values_list(
                "reference", flat=True
            )
        ),
    }


# Screenings ------------------------------------------------------------------------------

screenings = Router(tags=["screenings"])


def _screening_row(screening: Screening) -> dict[str, Any]:
    completed = screening.completed_at is not None
    suggestion = screening.outcome
    ruleset = screening.ruleset_version
    if not completed:
        result = engine.evaluate(
            screening.profile, screening.answers, screening.interview_language, screening.explore
        )
        suggestion, ruleset = result.outcome, result.ruleset
    return {
        "reference": screening.reference,
        "status": screening.status,
        "version": screening.version,
        "created_at": screening.created_at,
        "completed_at": screening.completed_at,
        "person": screening.person.reference if screening.person else None,
        "interview_language": screening.interview_language,
        "ruleset": ruleset,
        "outcome": suggestion,
        "judgement": screening.judgement,
    }


def _screening_detail(user: User, screening: Screening, language: str) -> dict[str, Any]:
    if screening.completed_at is not None:
        result = engine.worded(screening.result, language)
    else:
        result = engine.snapshot(
            engine.evaluate(screening.profile, screening.answers, language, screening.explore)
        )
    screening_actions.record_view(user, screening)
    return {
        **_screening_row(screening),
        "profile": dict(screening.profile),
        "answers": dict(screening.answers),
        "result": result,
    }


@screenings.get(
    "/",
    auth=TokenAuth(ApiScope.SCREENINGS_READ),
    response={200: list[schemas.ScreeningOut], **READ_ERRORS},
    summary="Screenings",
)
@paginate(Page)
def screening_list(request: HttpRequest) -> Shaped:
    user = acting(request)
    rows = _stable(screenings_for(user, Capability.SCREENING_VIEW).select_related("person")).defer(
        "previous_answers", "previous_profile", "notes", "readiness"
    )
    return Shaped(rows, _screening_row)


@screenings.get(
    "/{reference}",
    auth=TokenAuth(ApiScope.SCREENINGS_READ),
    response={200: schemas.ScreeningDetailOut, **READ_ERRORS},
    summary="One screening with its answers and the engine's explanation (audited)",
)
def screening_detail(request: HttpRequest, reference: str) -> dict[str, Any]:
    user = acting(request)
    screening = get_or_404(
        screenings_for(user, Capability.SCREENING_VIEW).select_related("person"),
        reference=reference,
    )
    return _screening_detail(user, screening, request.LANGUAGE_CODE)


@screenings.post(
    "/",
    auth=TokenAuth(ApiScope.SCREENINGS_WRITE),
    response={201: schemas.ScreeningDetailOut, **WRITE_ERRORS},
    summary="Submit a screening's answers and get the engine's suggestion",
    description=(
        "Makes a screening through the same steps as the web interview (readiness "
        "checklist, profile, answers) and returns the engine's suggestion with its "
        "explanation. The screening stays in progress: the screener completes it with "
        "their own judgement (POST …/complete), as in the interview."
    ),
)
def screening_submit(request: HttpRequest, body: schemas.ScreeningIn) -> Status[Any]:
    user = acting(request)
    readiness = ReadinessForm(body.readiness.model_dump())
    if not readiness.is_valid():
        raise ValidationError(
            [
                {"loc": ("readiness", name), "msg": " ".join(str(m) for m in messages)}
                for name, messages in readiness.errors.items()
            ]
        )
    known = default_catalogue().by_id
    unknown = [ident for ident in body.answers if ident not in known]
    if unknown:
        raise ValidationError(
            [{"loc": ("answers", i), "msg": _("not a question Haven asks")} for i in unknown]
        )
    person = None
    if body.person:
        person = people_for(user, Capability.PERSON_VIEW).filter(reference=body.person).first()
        if person is None:
            raise Http404  # as for any record out of reach
    screening = screening_actions.start_answered(
        user,
        readiness=readiness.cleaned_data,
        profile=body.profile.model_dump(),
        answers=dict(body.answers),
        person=person,
    )
    language = request.LANGUAGE_CODE
    return Status(201, _screening_detail(user, screening, language))


@screenings.post(
    "/{reference}/complete",
    auth=TokenAuth(ApiScope.SCREENINGS_WRITE),
    response={200: schemas.ScreeningDetailOut, **WRITE_ERRORS},
    summary="Complete a screening with the screener's judgement",
    description=(
        "Freezes the engine's result and ruleset with the screener's own judgement; a "
        "judgement that differs from the suggestion needs a reason."
    ),
)
def screening_complete(
    request: HttpRequest, reference: str, body: schemas.CompleteIn
) -> dict[str, Any]:
    user = acting(request)
    screening = get_or_404(
        screenings_for(user, Capability.SCREENING_CREATE).select_related("person"),
        reference=reference,
    )
    screening_actions.complete(
        user,
        screening,
        judgement=body.judgement,
        reason=body.reason,
        expected_version=body.version,
    )
    return _screening_detail(user, screening, request.LANGUAGE_CODE)


# Referrals -------------------------------------------------------------------------------

referrals = Router(tags=["referrals"])


def _referral_row(referral: Referral) -> dict[str, Any]:
    sender = referral.sender_organisation
    recipient = referral.recipient_organisation
    return {
        **{
            f: getattr(referral, f)
            for f in schemas.ReferralOut.model_fields
            if f not in ("sender", "recipient")
        },
        "sender": sender.name if sender else referral.sender_name,
        "recipient": recipient.name if recipient else referral.recipient_name,
    }


@referrals.get(
    "/incoming",
    auth=TokenAuth(ApiScope.REFERRALS_READ),
    response={200: list[schemas.ReferralOut], **READ_ERRORS},
    summary="Referrals addressed to your organisation",
)
@paginate(Page)
def referral_incoming(request: HttpRequest) -> Shaped:
    user = acting(request)
    rows = incoming_for(user).select_related("recipient_organisation")
    return Shaped(rows.order_by("-sent_at", "-id"), _referral_row)


@referrals.get(
    "/outgoing",
    auth=TokenAuth(ApiScope.REFERRALS_READ),
    response={200: list[schemas.ReferralOut], **READ_ERRORS},
    summary="Referrals sent from the cases you may refer",
)
@paginate(Page)
def referral_outgoing(request: HttpRequest) -> Shaped:
    user = acting(request)
    rows = outgoing_for(user).select_related("sender_organisation")
    return Shaped(rows.order_by("-sent_at", "-id"), _referral_row)


def _incoming(request: HttpRequest, reference: str) -> tuple[User, Referral]:
    user = acting(request)
    referral = get_or_404(
        incoming_for(user).select_related("recipient_organisation"), reference=reference
    )
    return user, referral


@referrals.post(
    "/incoming/{reference}/respond",
    auth=TokenAuth(ApiScope.REFERRALS_RESPOND),
    response={200: schemas.ReferralOut, **WRITE_ERRORS},
    summary="Accept a referral, or decline it with a reason",
)
def referral_respond(
    request: HttpRequest, reference: str, body: schemas.RespondIn
) -> dict[str, Any]:
    user, referral = _incoming(request, reference)
    referral_actions.respond(
        user,
        referral,
        accept=body.accept,
        reason=body.reason,
        decline_code=body.decline_code,
        expected_version=body.version,
    )
    return _referral_row(referral)


@referrals.post(
    "/incoming/{reference}/complete",
    auth=TokenAuth(ApiScope.REFERRALS_RESPOND),
    response={200: schemas.ReferralOut, **WRITE_ERRORS},
    summary="Say whether the help was given",
)
def referral_complete(
    request: HttpRequest, reference: str, body: schemas.CompleteReferralIn
) -> dict[str, Any]:
    user, referral = _incoming(request, reference)
    referral_actions.complete(
        user, referral, helped=body.helped, outcome=body.outcome, expected_version=body.version
    )
    return _referral_row(referral)


# Statistics ------------------------------------------------------------------------------

statistics = Router(tags=["statistics"])


MONTH = r"^((19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2]))?$"


COUNTRIES = sorted(country.alpha_2 for country in pycountry.countries)


class StatisticsQuery(Schema):
    start: str = Field("", pattern=MONTH, description="First month, YYYY-MM")
    end: str = Field("", pattern=MONTH, description="Last month, YYYY-MM")
    region: Annotated[str, WithJsonSchema({"type": "string", "enum": ["", *COUNTRIES]})] = Field(
        "", description="Country of exploitation (ISO 3166 alpha-2); none for all"
    )


def _month(value: str, name: str) -> dt.date | None:
    """A month as the statistics page reads it (its own field and message)."""
    try:
        return MonthField().to_python(value)
    except DjangoValidationError as invalid:
        raise ValidationError([{"loc": (name,), "msg": " ".join(invalid.messages)}]) from None


@statistics.get(
    "/",
    auth=TokenAuth(ApiScope.STATISTICS_READ),
    response={200: schemas.StatisticsOut, **READ_ERRORS},
    summary="Every published table, under disclosure control",
    description=(
        "The statistics page's tables: counts from 1 to threshold - 1 are null, with the "
        "cells that would reveal them, and every count is rounded. Months as YYYY-MM."
    ),
)
def statistics_tables(request: HttpRequest, filters: Query[StatisticsQuery]) -> dict[str, Any]:
    user = acting(request)
    start, end = _month(filters.start, "start"), _month(filters.end, "end")
    if start and end and end < start:
        raise ValidationError([{"loc": ("end",), "msg": _("The period ends before it starts.")}])
    # A country without figures answers with empty tables, as the figures would say.
    region = filters.region
    if region and region not in COUNTRIES:
        raise ValidationError([{"loc": ("region",), "msg": _("Not a country code.")}])
    chosen = Filters(start=start, end=last_day(end) if end else None, region=region)
    token = request.auth  # type: ignore[attr-defined]
    chain.record(
        actor=user if user.pk else None,
        organisation=token.organisation,
        action=Action.STATISTICS_EXPORT,
        object_type="statistics",
        object_ref=f"api:{token.prefix}",
    )
    rules = tables.rules()
    return {
        "notes": statistics_notes(user, chosen, facts.latest()),
        "threshold": rules.threshold,
        "rounding": rules.base,
        "tables": [
            {
                "slug": table.slug,
                "title": table.title,
                "row_header": table.row_header,
                "columns": list(table.protected.columns),
                "rows": [
                    {"label": label, "cells": cells, "total": total}
                    for label, cells, total in table.rows
                ],
                "column_totals": list(table.protected.column_totals),
                "total": table.protected.total,
            }
            for table in tables.all_tables(user, chosen).values()
        ],
    }


@login_not_required
def not_in_the_api(request: HttpRequest) -> JsonResponse:
    """Any other address under /api/v1/: the API's own 404, not the HTML page."""
    return JsonResponse({"detail": _("Not found."), "errors": []}, status=404)


def _only_declared_query(operation: Any) -> None:
    """Refuse query parameters the operation does not declare (a mistyped filter must not
    quietly answer with everything), after the token is checked."""
    known = {
        name
        for model in operation.models
        if model.__ninja_param_source__ == "query"
        for name in model.__ninja_flatten_map__
    }
    view = operation.view_func

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        unknown = sorted(set(request.GET) - known)
        if unknown:
            raise ValidationError(
                [{"loc": (name,), "msg": _("not a parameter of this call")} for name in unknown]
            )
        return view(request, *args, **kwargs)

    operation.view_func = checked


for _router in (directory, people, cases, screenings, referrals, statistics):
    for _path in _router.path_operations.values():
        for _operation in _path.operations:
            _only_declared_query(_operation)

api.add_router("/directory", directory)
api.add_router("/people", people)
api.add_router("/cases", cases)
api.add_router("/screenings", screenings)
api.add_router("/referrals", referrals)
api.add_router("/statistics", statistics)
