"""The Human Trafficking Case Data Standard (HTCDS v2, IOM, CC BY 4.0) as Haven reads and
writes it: one row per case, with the person's fields beside it.

Each column has its HTCDS system name and the standard's code list; Haven's own columns
(its references, the date a case was opened, exploitation forms HTCDS lacks) start with
`hvn_` and are listed as extensions in every file's notes. Identity columns are written
only when asked for, with a reason, and read back only by someone who may hold identity.

Values: codes as HTCDS system names; several codes in one cell separated by ";" (a comma
or spaces are read too, as KoboToolbox and Excel users write them); dates as YYYY-MM-DD;
countries as ISO 3166 alpha-2; languages as ISO 639.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pycountry
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.cases.choices import (
    App,
    ClosureReason,
    ExploitationType,
    Industry,
    MethodOfControl,
    RecruitmentMethod,
    Relationship,
    SexExploitationType,
)
from haven.cases.models import CaseStatus
from haven.core.reference import Gender, language_lookup
from haven.identification.status import TraffickingStatus

SEPARATOR = ";"
# Haven's forms of exploitation that HTCDS v2 lacks: written as "Other" in the HTCDS
# column and kept exactly in hvn_TypeOfExploitation.
OUTSIDE_HTCDS = frozenset({ExploitationType.FORCED_CRIMINALITY.value})
# Spellings found in the official template (htcds_excel_v2.0.xlsx) read as the standard's.
# and in submissions of the official XLSForm (htcds_xlsform.xml).
ALIASES = {
    "vic_TraffickinStatusDecisionMakingOrg": "vic_TraffickingStatusDecisionMakingOrg",
    "prs_First_Name": "prs_FirstName",
    "prs_Second_Name": "prs_SecondName",
    "vic_Methods_of_Control": "vic_MethodsOfControl",
}


class Invalid(ValueError):
    """A cell's value is not what the column takes; the message says what it takes."""


@dataclass(frozen=True)
class Kind:
    """How a column's cells are read and written."""

    name: str
    parse: Callable[[str], Any]
    write: Callable[[Any], str]
    codes: frozenset[str] = frozenset()  # the code list, for coded columns


def _codes_of(choices: type[TextChoices]) -> frozenset[str]:
    return frozenset(str(v) for v in choices.values)


def _one_of(codes: Iterable[str]) -> Kind:
    allowed = frozenset(codes)
    by_lower = {c.lower(): c for c in allowed}

    def parse(text: str) -> str:
        if not text:
            return ""
        found = by_lower.get(text.lower())
        if found is None:
            raise Invalid(_("not one of the standard's values: %(value)s") % {"value": text})
        return found

    return Kind("code", parse, str, allowed)


def split(text: str) -> list[str]:
    return [part for part in re.split(r"[;,\s]+", text) if part]


def _many_of(codes: Iterable[str]) -> Kind:
    one = _one_of(codes)

    def parse(text: str) -> list[str]:
        return list(dict.fromkeys(one.parse(part) for part in split(text)))

    return Kind("codes", parse, lambda values: SEPARATOR.join(values or []), one.codes)


def _country(text: str) -> str:
    if not text:
        return ""
    code = text.strip().upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise Invalid(_("not an ISO 3166 two-letter country code: %(value)s") % {"value": text})
    return code


def _countries(text: str) -> list[str]:
    return list(dict.fromkeys(_country(part) for part in split(text)))


def _language(text: str) -> str:
    if not text:
        return ""
    if language_lookup(text) is None:
        raise Invalid(_("not an ISO 639 language code: %(value)s") % {"value": text})
    return text.strip().lower()


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise Invalid(_("not a date as YYYY-MM-DD: %(value)s") % {"value": text}) from None


def _age(text: str) -> int | None:
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise Invalid(_("not a number: %(value)s") % {"value": text}) from None
    if number != int(number) or not 0 <= number <= 120:
        raise Invalid(_("not an age in whole years: %(value)s") % {"value": text})
    return int(number)


def _text(text: str) -> str:
    return text.strip()


TEXT = Kind("text", _text, lambda v: v or "")
DATE = Kind("date", _date, lambda v: v.isoformat() if v else "")
AGE = Kind("number", _age, lambda v: "" if v is None else str(v))
COUNTRY = Kind("country", _country, lambda v: v or "")
COUNTRIES = Kind("countries", _countries, lambda v: SEPARATOR.join(v or []))
LANGUAGE = Kind("language", _language, lambda v: v or "")
HTCDS_EXPLOITATION = _codes_of(ExploitationType) - OUTSIDE_HTCDS


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    identity: bool = False  # written and read only with identity allowed

    @property
    def extension(self) -> bool:
        return self.name.startswith("hvn_")


COLUMNS: tuple[Column, ...] = (
    Column("hvn_PersonReference", TEXT),
    Column("hvn_CaseReference", TEXT),
    Column("hvn_OpenedOn", DATE),
    Column("cas_CaseOwner", TEXT),
    Column("cas_Status", _one_of(_codes_of(CaseStatus))),
    Column("cas_ReasonForCaseClosure", _one_of(_codes_of(ClosureReason))),
    Column("prs_FirstName", TEXT, identity=True),
    Column("prs_SecondName", TEXT, identity=True),
    Column("prs_Birthdate", DATE, identity=True),
    Column("prs_IdentityNumber", TEXT, identity=True),
    Column("prs_MobilePhone", TEXT, identity=True),
    Column("prs_MailingStreet", TEXT, identity=True),
    Column("prs_Gender", _one_of(_codes_of(Gender))),
    Column("prs_Citizenship", COUNTRIES),
    Column("prs_PrimaryLanguage", LANGUAGE),
    Column("prs_SecondaryLanguage", LANGUAGE),
    Column("vic_TraffickingStatus", _one_of(_codes_of(TraffickingStatus))),
    Column("vic_RelationshipToTrafficker", _one_of(_codes_of(Relationship))),
    Column("vic_AgeWhenTrafficked", AGE),
    Column("vic_MethodOfRecruitment", _many_of(_codes_of(RecruitmentMethod))),
    Column("vic_RecruitmentWebsitesAndApps", _many_of(_codes_of(App))),
    Column("vic_LocationOfRecruitment", COUNTRY),
    Column("vic_MethodsOfControl", _many_of(_codes_of(MethodOfControl))),
    Column("vic_TypeOfExploitation", _many_of(HTCDS_EXPLOITATION)),
    Column("hvn_TypeOfExploitation", _many_of(_codes_of(ExploitationType))),
    Column("vic_ForcedLabourIndustry", _one_of(_codes_of(Industry))),
    Column("vic_TypeOfSexExploitation", _many_of(_codes_of(SexExploitationType))),
    Column("vic_ExploitationWebsitesAndApps", _many_of(_codes_of(App))),
    Column("vic_LocationOfExploitation", COUNTRY),
)
# Every field name of the HTCDS v2 field list (../shared/reference/htcds-v2-fields.md): a
# column of the standard that Haven does not keep is noted, an unknown one refused.
STANDARD = frozenset(
    [
        "org_Name",
        "org_ShippingCity",
        "org_ShippingCountry",
        "org_ShippingState",
        "org_ShippingStreet",
        "org_ShippingPostalCode",
        "org_ShippingLongitude",
        "org_ShippingLatitude",
        "org_Phone",
        "org_Type",
        "prs_Salutation",
        "prs_FirstName",
        "prs_MiddleName",
        "prs_SecondName",
        "prs_Birthdate",
        "prs_Gender",
        "prs_Deceased",
        "prs_MaritalStatus",
        "prs_NumberOfChildren",
        "prs_PrimaryLanguage",
        "prs_SecondaryLanguage",
        "prs_HighestLevelOfEducation",
        "prs_Citizenship",
        "prs_IdentityNumber",
        "prs_Title",
        "prs_Email",
        "prs_HomePhone",
        "prs_MobilePhone",
        "prs_MailingCity",
        "prs_MailingCountry",
        "prs_MailingState",
        "prs_MailingStreet",
        "prs_MailingPostalCode",
        "prs_MailingLongitude",
        "prs_MailingLatitude",
        "vic_AgreementToManagePersonalData",
        "vic_TraffickingStatus",
        "vic_TraffickingStatusDecisionMakingOrg",
        "vic_RelationshipToTrafficker",
        "vic_AgeWhenTrafficked",
        "vic_RecruitmentWebsitesAndApps",
        "vic_MethodOfRecruitment",
        "vic_LocationOfRecruitment",
        "vic_MethodsOfControl",
        "vic_TypeOfExploitation",
        "vic_ForcedLabourIndustry",
        "vic_TypeOfSexExploitation",
        "vic_LocationOfExploitation",
        "vic_ExploitationWebsitesAndApps",
        "vic_Vulnerabilities",
        "vic_DetailsOfVulnerabilities",
        "per_RoleInProcess",
        "per_RoleDetails",
        "per_Organisation",
        "cas_Status",
        "cas_ReasonForCaseClosure",
        "cas_CaseOwner",
        "cas_ReferringOrganisation",
        "cas_IncomingReferralDate",
        "cas_ReferringPrimaryCaseWorker",
        "cas_ReasonForIncomingReferral",
        "cas_IncomingReferralDetails",
        "cas_ReferredOrganisation",
        "cas_ReferredPrimaryCaseWorker",
        "cas_ReasonForOutgoingReferral",
        "cas_OutgoingReferralDate",
        "cas_OutgoingReferralDetails",
        "cco_CaseComment",
        "hte_Longitude",
        "hte_Latitude",
        "hte_City",
        "hte_Country",
        "hte_State",
        "hte_Street",
        "hte_PostalCode",
        "hte_Date",
        "hte_Type",
        "hte_Description",
        "spl_Objectives",
        "spl_ActionPlan",
        "spl_PlannedEndDate",
        "spl_ActualEndDate",
        "spl_Type",
        "con_Consent",
    ]
)
# What KoboToolbox and ODK Central add to every exported submission: not case data.
SUBMISSION_METADATA = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "instanceID",
        "instanceName",
        "KEY",
        "SubmissionDate",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
    }
)


def column_name(header: str) -> str:
    """A header cell as the column it names: a Kobo or ODK group path ("group/field")
    is left out, and the official files' own spellings are read as the standard's."""
    name = header.strip().rsplit("/", 1)[-1]
    return ALIASES.get(name, name)


def is_metadata(header: str) -> bool:
    """A column that the collection tool adds (its ids, times, versions)."""
    name = header.strip()
    return name.startswith("_") or "meta/" in name or name in SUBMISSION_METADATA


# Read (a file may carry them) but not taken in, each with the reason the report gives.
NOT_TAKEN = {
    "con_Consent": gettext_lazy(
        "not taken in: consent is recorded in Haven with the person, for each purpose and "
        "recipient, never from a yes or no in a file"
    ),
}
BY_NAME = {column.name: column for column in COLUMNS}
IDENTITY = tuple(c.name for c in COLUMNS if c.identity)
EXTENSIONS = tuple(c.name for c in COLUMNS if c.extension)


def columns(*, identity: bool) -> list[Column]:
    return [c for c in COLUMNS if identity or not c.identity]


def htcds_exploitation(codes: Iterable[str]) -> list[str]:
    """Haven's forms of exploitation in HTCDS terms: what HTCDS lacks becomes "Other"."""
    return list(dict.fromkeys("Other" if c in OUTSIDE_HTCDS else c for c in codes))


def formula_safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula is written as text (CSV injection)."""
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def unformula(text: str) -> str:
    """Undo `formula_safe` on reading Haven's own files."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text
