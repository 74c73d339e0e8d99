"""The interview questions read aloud: no English left inside Burmese, Khmer and Thai,
Burmese in normalised Unicode with the child register, and past questions that say so."""

from __future__ import annotations

import re
import unicodedata

import pytest

from haven.core import burmese
from haven.screening_engine.catalogue import shipped_catalogue

# Latin-script words allowed inside non-Latin questions: names people know only in Latin
# letters. Add here, with a reason, rather than leaving English in a question.
ALLOWED_LATIN: dict[str, set[str]] = {"my": set(), "km": set(), "th": set()}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
INVISIBLE = re.compile("[\u200c\u200d\ufeff]")


def texts(language: str) -> list[tuple[str, str]]:
    found = []
    for indicator in shipped_catalogue().indicators:
        question = indicator.questions[language]
        found += [
            (f"{indicator.id}.statement", indicator.statements[language]),
            (f"{indicator.id}.adult", question.adult),
            (f"{indicator.id}.child", question.child),
        ]
    return found


@pytest.mark.parametrize("language", sorted(ALLOWED_LATIN))
def test_no_english_inside_non_latin_questions(language: str) -> None:
    english = [
        (where, word)
        for where, text in texts(language)
        for word in LATIN_WORD.findall(text)
        if word not in ALLOWED_LATIN[language]
    ]
    assert english == []


def test_burmese_is_normalised_unicode_never_zawgyi() -> None:
    bad = [
        where
        for where, text in texts("my")
        if unicodedata.normalize("NFC", text) != text
        or INVISIBLE.search(text)
        or burmese.looks_like_zawgyi(text)
    ]
    assert bad == []


def test_burmese_child_questions_do_not_use_the_formal_adult_pronoun() -> None:
    formal = [where for where, text in texts("my") if where.endswith(".child") and "သင်" in text]
    assert formal == []


# "Has anyone ever ..." and "Did anyone ..." ask about the past: the translation must too,
# or someone abused earlier hears "is anyone doing this now" and may answer no.
# A clause that sets the time in the past ("back then", "at that time") also counts.
PAST_MARKERS = {
    "id": ("pernah", "sudah", "telah", "dulu", "saat itu", "waktu itu"),
    "km": ("ធ្លាប់", "បាន", "កាល"),
    "vi": ("từng", "đã", "lúc đó"),
}
ASKS_ABOUT_THE_PAST = re.compile(r"^(Has|Have|Did|Were|Was) |\bever\b", re.IGNORECASE)


@pytest.mark.parametrize("language", sorted(PAST_MARKERS))
def test_questions_about_the_past_carry_a_past_marker(language: str) -> None:
    missing = []
    for indicator in shipped_catalogue().indicators:
        for form in ("adult", "child"):
            english = getattr(indicator.questions["en"], form)
            if not ASKS_ABOUT_THE_PAST.search(english):
                continue
            text = getattr(indicator.questions[language], form).lower()
            if not any(marker in text for marker in PAST_MARKERS[language]):
                missing.append(f"{indicator.id}.{form}")
    assert missing == []
