"""Reference code lists: countries (ISO 3166-1), languages (ISO 639), HTCDS values.

Country and language names come from the iso-codes data shipped with pycountry, in the
active language where a translation exists.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext

import pycountry
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    """HTCDS prs_Gender system names."""

    FEMININE = "Feminine", _("Woman or girl")
    MASCULINE = "Masculine", _("Man or boy")
    TRANSGENDER_FEMININE = "TransgenderFeminine", _("Transgender woman or girl")
    TRANSGENDER_MASCULINE = "TransgenderMasculine", _("Transgender man or boy")
    NON_CONFORMING = "NonConforming", _("Gender non-conforming")
    UNKNOWN = "NonSpecifiedUnknown", _("Not specified or unknown")


class AgeBand(models.TextChoices):
    UNDER_12 = "0-11", _("Under 12")
    TEEN = "12-17", _("12 to 17")
    YOUNG_ADULT = "18-24", _("18 to 24")
    ADULT_25 = "25-34", _("25 to 34")
    ADULT_35 = "35-44", _("35 to 44")
    ADULT_45 = "45-59", _("45 to 59")
    OLDER = "60+", _("60 or over")
    UNKNOWN = "unknown", _("Unknown")


DOCUMENT_TYPES = [
    ("passport", _("Passport")),
    ("national_id", _("National identity card")),
    ("birth_certificate", _("Birth certificate")),
    ("work_permit", _("Work permit")),
    ("seafarer", _("Seafarer's book")),
    ("refugee", _("Refugee or asylum document")),
    ("other", _("Other document")),
]

_BANDS = [
    (12, AgeBand.UNDER_12),
    (18, AgeBand.TEEN),
    (25, AgeBand.YOUNG_ADULT),
    (35, AgeBand.ADULT_25),
    (45, AgeBand.ADULT_35),
    (60, AgeBand.ADULT_45),
]


def age_band_for(age: int | None) -> AgeBand:
    if age is None or age < 0:
        return AgeBand.UNKNOWN
    for upper, band in _BANDS:
        if age < upper:
            return band
    return AgeBand.OLDER


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# Languages most often met by Haven's users, offered as a list; any other ISO 639 code
# can be typed in. Codes are ISO 639-1 where one exists, else ISO 639-3.
COMMON_LANGUAGES = [
    "en",
    "id",
    "th",
    "km",
    "vi",
    "my",
    "lo",
    "ms",
    "tl",
    "tet",
    "zh",
    "yue",
    "ne",
    "bn",
    "hi",
    "ur",
    "ta",
    "si",
    "ps",
    "fa",
    "ar",
    "ru",
    "uz",
    "ko",
    "ja",
    "mn",
    "ceb",
    "jv",
    "su",
    "shn",
    "ksw",
    "rhg",
    "fr",
    "es",
    "pt",
    "sw",
    "am",
]


@functools.lru_cache(maxsize=16)
def _catalogue(domain: str, language: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def _translate(domain: str, text: str) -> str:
    return _catalogue(domain, get_language() or "en").gettext(text)


def country_choices() -> list[tuple[str, str]]:
    rows = [(c.alpha_2, _country(c.alpha_2, c.name)) for c in pycountry.countries]
    return sorted(rows, key=lambda row: row[1])


# Countries of the region whose names some iso-codes catalogues lack (Burmese above all):
# Haven's own translations, used only where iso-codes has none.
COUNTRY_NAMES = {
    "BN": _("Brunei Darussalam"),
    "CN": _("China"),
    "KR": _("Korea, Republic of"),
    "LA": _("Lao People's Democratic Republic"),
    "TL": _("Timor-Leste"),
    "TW": _("Taiwan, Province of China"),
    "US": _("United States"),
    "VN": _("Viet Nam"),
}


def _country(alpha_2: str, name: str) -> str:
    translated = _translate("iso3166-1", name)
    own = COUNTRY_NAMES.get(alpha_2)
    return str(own) if translated == name and own is not None else translated


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return _country(country.alpha_2, country.name) if country else code


def language_lookup(code: str) -> object | None:
    code = code.strip().lower()
    if len(code) == 2:
        return pycountry.languages.get(alpha_2=code)
    if len(code) == 3:
        return pycountry.languages.get(alpha_3=code)
    return None


# Haven's own names for the languages its users meet most, translated in Haven's
# catalogue: the iso-codes catalogues lack Khmer and Burmese entirely and miss many of
# these names in the other interface languages. Keyed by ISO 639-3 code.
LANGUAGE_NAMES = {
    "eng": _("English"),
    "ind": _("Indonesian"),
    "tha": _("Thai"),
    "khm": _("Khmer"),
    "vie": _("Vietnamese"),
    "mya": _("Burmese"),
    "lao": _("Lao"),
    "msa": _("Malay"),
    "tgl": _("Tagalog"),
    "tet": _("Tetum"),
    "zho": _("Chinese"),
    "yue": _("Cantonese"),
    "nep": _("Nepali"),
    "ben": _("Bengali"),
    "hin": _("Hindi"),
    "urd": _("Urdu"),
    "tam": _("Tamil"),
    "sin": _("Sinhala"),
    "pus": _("Pashto"),
    "fas": _("Persian"),
    "ara": _("Arabic"),
    "rus": _("Russian"),
    "uzb": _("Uzbek"),
    "kor": _("Korean"),
    "jpn": _("Japanese"),
    "mon": _("Mongolian"),
    "ceb": _("Cebuano"),
    "jav": _("Javanese"),
    "sun": _("Sundanese"),
    "shn": _("Shan"),
    "ksw": _("S'gaw Karen"),
    "rhg": _("Rohingya"),
    "fra": _("French"),
    "spa": _("Spanish"),
    "por": _("Portuguese"),
    "swa": _("Swahili"),
    "amh": _("Amharic"),
}


def language_name(code: str) -> str:
    """The language's name in the active language: Haven's own name, else iso-codes'."""
    language = language_lookup(code)
    if language is None:
        return code
    own = LANGUAGE_NAMES.get(language.alpha_3)  # type: ignore[attr-defined]
    if own is not None:
        return str(own)
    return _translate("iso639-3", language.name)  # type: ignore[attr-defined]


def language_choices() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in COMMON_LANGUAGES]
