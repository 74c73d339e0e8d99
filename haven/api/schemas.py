"""What the API takes and gives (pydantic models through django-ninja): codes, dates and
references; identity only in IdentityOut, which one operation gives and audits."""

import datetime as dt
from typing import Annotated, Any, Literal, get_args

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from ninja import Field, Schema
from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema
from pydantic import Field as PydanticField

from haven.screening.models import Outcome
from haven.screening_engine import default_catalogue
from haven.screening_engine.model import EXPLOITATION_FORMS, Answer

# Spelled out so that the document lists every allowed value; checked against the
# vocabularies they copy when Haven starts.
ExploitationForm = Literal[
    "labour",
    "sexual",
    "criminality",
    "begging",
    "domestic_servitude",
    "forced_marriage",
    "organ_removal",
    "other",
]
Language = Literal["en", "id", "th", "km", "vi", "my"]
OutcomeCode = Literal["not_indicated", "indicators_present", "presumed_victim"]
for _literal, _vocabulary in (
    (ExploitationForm, EXPLOITATION_FORMS),
    (Language, [code for code, _name in settings.LANGUAGES]),
    (OutcomeCode, Outcome.values),
):
    if set(get_args(_literal)) != set(_vocabulary):
        raise ImproperlyConfigured(f"haven.api.schemas: {_literal} differs from {_vocabulary}")


class Input(BaseModel):
    """What a call sends: exactly the fields documented, of the documented types (a
    misspelt field is refused rather than ignored)."""

    model_config = ConfigDict(extra="forbid", strict=True)


def _whole(value: Any) -> Any:
    """JSON's 94.0 is the whole number 94; anything else goes on to strict checking."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Limits before the validator: pydantic documents them only in that order.
Version = Annotated[int, PydanticField(ge=1), BeforeValidator(_whole)]
Age = Annotated[int, PydanticField(ge=0, le=120), BeforeValidator(_whole)]


class FieldProblem(Schema):
    field: str
    message: str


class Problem(Schema):
    """Every refusal: what was wrong, in the caller's language (Accept-Language)."""

    detail: str
    errors: list[FieldProblem] = []


class ServiceOut(Schema):
    id: int
    kind: str
    description: str
    sexes: list[str]
    age_min: int | None
    age_max: int | None
    nationalities: list[str]
    exploitation_types: list[str]
    accepts_referrals: bool
    available: int | None
    availability_updated_at: dt.datetime | None


class ProviderOut(Schema):
    id: int
    name: str
    org_type: str
    country: str
    areas: list[str]
    address: str
    # True when the place is confidential: the address is left empty, reach it by phone or
    # e-mail.
    address_withheld: bool
    opening_hours: str
    phone: str
    email: str
    website: str
    languages: list[str]


class DirectoryEntryOut(ServiceOut):
    provider: ProviderOut


class PersonOut(Schema):
    reference: str
    created_at: dt.datetime
    gender: str
    age_band: str
    citizenship: list[str]
    languages: list[str]


class PersonDetailOut(PersonOut):
    cases: list[str]
    screenings: list[str]


class IdentityOut(Schema):
    reference: str
    full_name: str
    given_name: str
    family_name: str
    aliases: list[str]
    date_of_birth: str
    estimated_age: str
    age_basis: str
    documents: list[dict[str, str]]
    phone: str
    address: str


class CaseOut(Schema):
    reference: str
    person: str
    status: str
    opened_on: dt.date
    closed_on: dt.date | None
    jurisdiction: str
    identification_status: str
    trafficking_status: str
    updated_at: dt.datetime
    version: int


class Deadlines(Schema):
    presumed_on: dt.date | None
    first_decision_due: dt.date | None
    first_decision_on: dt.date | None
    final_decision_earliest: dt.date | None
    final_decision_due: dt.date | None
    reflection_starts: dt.date | None
    reflection_ends: dt.date | None


class EventOut(Schema):
    kind: str
    code: str
    at: dt.datetime


class JourneyOut(Schema):
    stage: str
    happened_on: dt.date | None
    date_is_approximate: bool
    country: str


class ServiceRecordOut(Schema):
    stage: str
    kind: str
    status: str
    on: dt.date
    decline_reason: str


class ObjectiveOut(Schema):
    stage: str
    plan_type: str
    planned_end: dt.date | None
    actual_end: dt.date | None


class CaseDetailOut(CaseOut):
    deadlines: Deadlines
    exploitation_types: list[str]
    forced_labour_industry: str
    sex_exploitation_types: list[str]
    methods_of_control: list[str]
    recruitment_methods: list[str]
    recruitment_country: str
    relationship_to_trafficker: str
    age_when_trafficked: int | None
    cooperation: str
    fear_of_return: str
    asylum_referral: str
    events: list[EventOut]
    journey: list[JourneyOut]
    objectives: list[ObjectiveOut]
    services: list[ServiceRecordOut]
    screenings: list[str]


class ProfileIn(Input):
    age_at_events: Age | None = None
    possibly_child: bool = False
    exploitation: list[ExploitationForm] = []
    interview_language: Language = "en"


class ReadinessIn(Input):
    """The interview's first page: the conditions of a safe, trauma-informed screening.
    The screener confirms what they explained and checked; with an interpreter present,
    that the interpreter is neutral."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "if": {
                "properties": {"interpreter": {"const": "present"}},
                "required": ["interpreter"],
            },
            "then": {
                "properties": {"interpreter_neutral": {"const": True}},
                "required": ["interpreter_neutral"],
            },
        },
    )

    private_space: bool = False
    present: str = Field("", max_length=200, description="Who else is present: roles, no names")
    same_sex_offered: bool = False
    interpreter: Literal["none", "present"] = "none"
    interpreter_neutral: bool = False
    rights_explained: Literal[True]
    may_decline_explained: Literal[True]
    consent: Literal["consent", "child_assent_guardian"]
    medical_checked: Literal[True]
    medical_urgent: bool = False


QuestionId = Annotated[
    str,
    WithJsonSchema(
        {"type": "string", "enum": sorted(default_catalogue().by_id)},
        mode="validation",
    ),
]


class ScreeningIn(Input):
    """One screening's readiness checklist, profile and answers, as in the web interview."""

    readiness: ReadinessIn
    profile: ProfileIn
    answers: dict[QuestionId, Answer] = {}
    person: str | None = Field(None, description="A person's reference, to screen them")


class ScreeningOut(Schema):
    reference: str
    status: str
    version: int
    created_at: dt.datetime
    completed_at: dt.datetime | None
    person: str | None
    interview_language: str
    ruleset: str
    outcome: str = Field(description="The engine's suggestion (completed: as frozen then)")
    judgement: str = Field(description="The screener's own judgement, once completed")


class ScreeningDetailOut(ScreeningOut):
    profile: dict[str, Any]
    answers: dict[str, str]
    result: dict[str, Any] = Field(
        description=(
            "The engine's explanation: the route (rule) that fired with the means, purpose "
            "and signs behind it, the indicators in each set, the key reasons and the "
            "ruleset version. Never a probability."
        )
    )


class CompleteIn(Input):
    judgement: OutcomeCode
    reason: str = Field("", max_length=4000)
    version: Version


class ReferralOut(Schema):
    reference: str
    direction: str
    purpose: str
    reason: str
    status: str
    categories: list[str]
    sent_at: dt.datetime
    responded_at: dt.datetime | None
    completed_at: dt.datetime | None
    sender: str
    recipient: str
    version: int


class RespondIn(Input):
    accept: bool
    # When declining: why, from haven.referrals.models.DeclineCode ("" with a reason in
    # words is recorded as "other").
    decline_code: str = Field("", max_length=16)
    reason: str = Field("", max_length=4000)
    version: Version


class CompleteReferralIn(Input):
    helped: bool
    outcome: str = Field("", max_length=4000)
    version: Version


class TableRowOut(Schema):
    label: str
    cells: list[int | None]
    total: int | None


class TableOut(Schema):
    slug: str
    title: str
    row_header: str
    columns: list[str]
    rows: list[TableRowOut]
    column_totals: list[int | None]
    total: int | None


class StatisticsOut(Schema):
    notes: list[str]
    threshold: int = Field(description="Counts from 1 to threshold - 1 are hidden (null)")
    rounding: int = Field(description="Every count is rounded to a multiple of this")
    tables: list[TableOut]
